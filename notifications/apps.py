from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from campaign.cache import register_page_key

        from . import events
        from .services import unread_key_of

        events.register_own()
        register_page_key(unread_key_of)  # every page's header reads it (campaign.cache.page_values)
