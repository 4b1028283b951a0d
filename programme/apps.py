from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """The campaign's programme around the ledger: special actions, pairing of units with
    communities, the supervision cycle and cross-inspection, model sites (README "The programme")."""

    name = "programme"
    verbose_name = _("Programme")

    def ready(self):
        # Each area registers its demo step, task groups, notifications and exports.
        self._ready_actions()
        self._ready_cycle()

    def _ready_actions(self):
        from campaign.demo_steps import DemoStep, demo_step_register

        from .demo.actions import demo_actions_step
        from .exports import actions as exports_actions  # noqa: F401 (the objects' list, for campaign.exporting)
        from .task_groups import actions as task_groups_actions

        task_groups_actions.register()  # special actions: objects to finish (units), to verify (HQ, team leads)
        demo_step_register(DemoStep("programme_actions", 60, demo_actions_step))

    def _ready_cycle(self):
        from campaign.demo_steps import DemoStep, demo_step_register

        from .demo.cycle import demo_cycle_step
        from .exports import cycle as exports_cycle  # noqa: F401 (the cycle's lists, for campaign.exporting)

        # After the inspections' step (20): their checklists; before the reports (90).
        demo_step_register(DemoStep("programme_cycle", 30, demo_cycle_step))
