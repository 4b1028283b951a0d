from campaign.cache import page_values


def inbox(request):
    """The unread count in the menu, computed only when a page shows it (cached per person)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}

    def unread():
        from .services import unread_count

        return unread_count(user, kept=page_values(request))

    return {"notifications_unread": unread}
