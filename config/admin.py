"""The admin site: open to HQ staff by role (not only to is_staff accounts)."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class HQAdminSite(AdminSite):
    site_header = settings.SITE_TITLE
    site_title = settings.SITE_TITLE

    def has_permission(self, request):
        user = request.user
        return user.is_active and getattr(user, "can_manage_structure", False)


class HQAdminConfig(AdminConfig):
    default_site = "config.admin.HQAdminSite"
