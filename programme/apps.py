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
        self._ready_sites()
        self._ready_pairing()

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
        from .notifications import register_cycle_kinds

        # After the inspections' step (20): their checklists; before the reports (90).
        demo_step_register(DemoStep("programme_cycle", 30, demo_cycle_step))
        register_cycle_kinds()  # a round plan that could not make its round tells its owner

    def _ready_sites(self):
        # Model sites and the sample points' build-out: the sweep's task, the notification
        # kind, the sample point page's panel, the Excel lists and the demo step.
        from campaign.demo_steps import DemoStep, demo_step_register
        from campaign.panels import SAMPLE_POINT, Panel, register_panel

        from .demo.sites import demo_sites_step
        from .exports import sites as exports_sites  # noqa: F401 (the lists, for campaign.exporting)
        from .sites.notifications import register_kinds
        from .views.sites import buildout_panel

        register_kinds()
        register_panel(SAMPLE_POINT, Panel(name="buildout", template="programme/sites/panel_buildout.html",
                                           context=buildout_panel, order=15))
        demo_step_register(DemoStep("model_sites", 70, demo_sites_step))
    def _ready_pairing(self):
        # Pairing: its demo step (communities and pairs), the units' task group, its Excel lists.
        from campaign.demo_steps import DemoStep, demo_step_register

        from .demo.pairing import demo_pairing_step
        from .exports import pairing as exports_pairing  # noqa: F401 (the pairs' and communities' lists)
        from .task_groups import pairing as task_groups_pairing

        demo_step_register(DemoStep("pairing", 65, demo_pairing_step, demo_pairing_step))
        task_groups_pairing.register()
