from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from .notifications import register_kinds

        register_kinds()

        # HQ's reports to publish on the task home; leaders land on the dashboard.
        from . import task_groups

        task_groups.register()
