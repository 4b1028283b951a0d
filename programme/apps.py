from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """The campaign's programme around the ledger: special actions, pairing of units with
    communities, the supervision cycle and cross-inspection, model sites (README "The programme")."""

    name = "programme"
    verbose_name = _("Programme")

    def ready(self):
        # Each area registers its demo step, task groups, notifications and exports here.
        from campaign.demo_steps import DemoStep, demo_step_register

        from . import exports_actions, task_groups_actions  # noqa: F401 (special actions' list export)
        from .demo_actions import demo_actions_step

        task_groups_actions.register()  # special actions: objects due (units), to verify (HQ)
        demo_step_register(DemoStep("programme_actions", 60, demo_actions_step))
