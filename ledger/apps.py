from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Problem ledger")

    def ready(self):
        # What the ledger adds to the registries of the floors below (README "Floors").
        from campaign.demo_steps import DemoStep, demo_step_register

        from . import (
            exports,  # noqa: F401 (the ledger's lists, for campaign.exporting)
            notifications,
            panels,
            task_groups,
        )
        from .class_demo import demo_classes_step
        from .demo import demo_ledger_step

        demo_step_register(DemoStep("ledger", 10, demo_ledger_step))  # manage.py seed_demo
        demo_step_register(DemoStep("ledger_classes", 12, demo_classes_step))  # two problem classes
        notifications.register_kinds()  # what the ledger tells people (notifications.events)
        task_groups.register()  # its groups on the task home, where staff land
        panels.register()  # a sample point's problems on its page (campaign/panels.py)
