from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from campaign.demo_steps import DemoStep, demo_step_register

        from .demo import demo_checklists_step, demo_inspections_step

        demo_step_register(DemoStep("inspections", 20, demo_inspections_step, demo_checklists_step))

        from . import exports  # noqa: F401 (registers the app's lists with campaign.exporting)
