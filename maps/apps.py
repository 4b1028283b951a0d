from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "maps"
    verbose_name = _("Maps")

    def ready(self):
        from . import panels

        panels.register()  # a sample point's map on its page (campaign/panels.py)
