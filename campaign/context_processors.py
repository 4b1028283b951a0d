from .models import Campaign
from .tasks_home import TaskMenu


def campaign(request):
    """The current campaign, shown in every page's header."""
    return {"current_campaign": Campaign.objects.filter(is_current=True).first()}


def task_menu(request):
    """The task counts in the menu (campaign/tasks_home.py), counted only if the page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"task_menu": TaskMenu(user)}
