from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Problem ledger")

    def ready(self):
        from campaign.demo_steps import DemoStep, demo_step_register

        from .demo import demo_ledger_step

        demo_step_register(DemoStep("ledger", 10, demo_ledger_step))

        from .notifications import register_kinds

        register_kinds()

        from . import exports  # noqa: F401 (registers the app's lists with campaign.exporting)
