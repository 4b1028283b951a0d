from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("Escalation and accountability")

    def ready(self):
        from campaign.demo_steps import DemoStep, demo_step_register

        from . import (
            exports,  # noqa: F401 (registers the app's lists with campaign.exporting)
            task_groups,
        )
        from .demo import demo_escalation_step
        from .notifications import register_kinds

        demo_step_register(DemoStep("accountability", 40, demo_escalation_step))
        register_kinds()
        task_groups.register()  # HQ's interviews and proposals to decide, on the task home
