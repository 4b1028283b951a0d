from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .cache import cache_delete, cache_get, cache_set, page_values
from .models import Campaign
from .tasks_home import TaskMenu

CURRENT_CAMPAIGN_KEY = "campaign:current"
# How long the current campaign is kept at most. Saving or deleting a campaign forgets it at
# once (and again when the transaction commits), so this bounds only a page that read the old
# campaign while another process was changing it.
CURRENT_CAMPAIGN_SECONDS = 60
_NOT_READ = object()


def current_campaign(kept=_NOT_READ) -> Campaign | None:
    """The current campaign, kept in the cache (one query on every page before); ``kept``: what
    the cache holds, read already (``page_values``)."""
    if kept is _NOT_READ:
        kept = cache_get(CURRENT_CAMPAIGN_KEY)
    if isinstance(kept, dict) and "campaign" in kept:
        return kept["campaign"]
    found = Campaign.objects.filter(is_current=True).first()
    cache_set(CURRENT_CAMPAIGN_KEY, {"campaign": found}, CURRENT_CAMPAIGN_SECONDS)
    return found


@receiver(post_save, sender=Campaign, dispatch_uid="campaign.forget_current_campaign.save")
@receiver(post_delete, sender=Campaign, dispatch_uid="campaign.forget_current_campaign.delete")
def forget_current_campaign(**kwargs) -> None:
    cache_delete(CURRENT_CAMPAIGN_KEY)
    transaction.on_commit(lambda: cache_delete(CURRENT_CAMPAIGN_KEY))


def campaign(request):
    """The current campaign, shown in every page's header."""
    return {"current_campaign": current_campaign(page_values(request, CURRENT_CAMPAIGN_KEY).get(CURRENT_CAMPAIGN_KEY))}


def task_menu(request):
    """The task counts in the menu (campaign/tasks_home.py), counted only if the page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"task_menu": TaskMenu(user, kept=page_values(request))}
