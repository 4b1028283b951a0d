from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        # What inspections add to the registries of the floors below (README "Floors").
        from campaign.demo_steps import DemoStep, demo_step_register
        from campaign.grants import register_grant
        from campaign.models import SamplePoint
        from ledger.sources import register_source_kind

        from . import (
            exports,  # noqa: F401 (the app's lists, for campaign.exporting)
            panels,
            task_groups,
        )
        from .demo import demo_checklists_step, demo_inspections_step
        from .selectors import describe_inspections, round_point_grant

        demo_step_register(DemoStep("inspections", 20, demo_inspections_step, demo_checklists_step))
        # Findings are recorded with source_ref "inspection:<id>": the ledger links them here.
        register_source_kind("inspection", url_name="inspections:inspection_detail", describe=describe_inspections)
        task_groups.register()  # an inspector's round points and drafts on the task home
        # A round point given to an inspector gives them its sample point (campaign/grants.py).
        register_grant(SamplePoint, round_point_grant)
        panels.register()  # a sample point's inspection history on its page (campaign/panels.py)
