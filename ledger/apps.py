from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Problem ledger")

    def ready(self):
        from . import exports  # noqa: F401 (registers the app's lists with campaign.exporting)
