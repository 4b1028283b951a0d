from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "public_reports"
    verbose_name = _("Public reports")

    def ready(self):
        from ledger.sources import register_source_kind

        from . import task_groups
        from .notifications import register_kinds
        from .selectors import describe_for_source

        # A problem accepted from a public report links back to it ("public_report:<id>").
        register_source_kind("public_report", url_name="public_reports:detail", describe=describe_for_source)
        register_kinds()  # a new report to moderate (notifications.events)
        task_groups.register()  # reports to moderate and ratings to review, on the task home

        from campaign.demo_steps import DemoStep, demo_step_register

        from . import reward_task_groups
        from .demo import demo_defaults_step, demo_public_reports_step

        # manage.py seed_demo: the defaults, the citizen messages and web reports in every state.
        demo_step_register(DemoStep("public_reports", 45, demo_public_reports_step, demo_defaults_step))
        reward_task_groups.register()  # HQ's rewards to approve and to pay, on the task home
