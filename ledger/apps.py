from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Problem ledger")

    def ready(self):
        from . import panels

        panels.register()  # a sample point's problems on its page (campaign/panels.py)
