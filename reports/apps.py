from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from campaign.demo_steps import DemoStep, demo_step_register

        from .demo import demo_reports_step
        from .notifications import register_kinds

        # Last: the reports read what every other step made.
        demo_step_register(DemoStep("reports", 90, demo_reports_step))

        register_kinds()

        # HQ's reports to publish on the task home; leaders land on the dashboard.
        from . import task_groups

        task_groups.register()
