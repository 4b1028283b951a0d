from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """The campaign's programme around the ledger: special actions, pairing of units with
    communities, the supervision cycle and cross-inspection, model sites (README "The programme")."""

    name = "programme"
    verbose_name = _("Programme")

    def ready(self):
        # Each area registers its demo step, task groups, notifications and exports here.
        self._ready_pairing()

    def _ready_pairing(self):
        # Pairing: its demo step (communities and pairs), the units' task group, its Excel lists.
        from campaign.demo_steps import DemoStep, demo_step_register

        from . import (
            exports_pairing,  # noqa: F401 (the pairs' and communities' lists)
            task_groups_pairing,
        )
        from .demo_pairing import demo_pairing_step

        demo_step_register(DemoStep("pairing", 65, demo_pairing_step, demo_pairing_step))
        task_groups_pairing.register()
