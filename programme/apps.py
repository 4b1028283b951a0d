from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """The campaign's programme around the ledger: special actions, pairing of units with
    communities, the supervision cycle and cross-inspection, model sites (README "The programme")."""

    name = "programme"
    verbose_name = _("Programme")

    def ready(self):
        # Each area registers its demo step, task groups, notifications and exports here.
        pass
