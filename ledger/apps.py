from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Problem ledger")

    def ready(self):
        # The ledger's groups on everyone's task home, which is also where staff land.
        from . import task_groups

        task_groups.register()
