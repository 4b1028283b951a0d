from .models import Campaign


def campaign(request):
    """The current campaign, shown in every page's header."""
    return {"current_campaign": Campaign.objects.filter(is_current=True).first()}
