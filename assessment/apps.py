from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """The national assessment: the standard's parts and articles, the materials archive, vector
    surveys, the public-satisfaction survey and readiness (README "Ready for the assessment")."""

    name = "assessment"
    verbose_name = _("National assessment")

    def ready(self):
        # Each area registers its demo step, task groups, notifications and exports.
        self._ready_satisfaction()
        self._ready_vectors()
        self._ready_archive()
        self._ready_readiness()

    def _ready_satisfaction(self):
        from campaign.demo_steps import DemoStep, demo_step_register

        from .demo.satisfaction import demo_satisfaction_step
        from .demo.standard import demo_standard_step

        # The standard in use, its materials with units and due dates (before the archive's step).
        demo_step_register(DemoStep("standard", 25, demo_standard_step))

        demo_step_register(DemoStep("assessment_satisfaction", 60, demo_satisfaction_step))

    def _ready_archive(self):
        from .archive import registry as archive_registry

        archive_registry.register()  # the materials archive: its notification, task groups, demo step

    def _ready_vectors(self):
        # Vector surveys: their demo step, their Excel list, and the ledger's link back to a
        # survey that raised a problem (source_ref "vector_survey:<id>").
        from campaign.demo_steps import DemoStep, demo_step_register
        from ledger.sources import register_source_kind

        from .demo.vectors import demo_vectors_city_only, demo_vectors_step
        from .exports import vectors as exports_vectors  # noqa: F401 (the surveys' list, for campaign.exporting)
        from .selectors.vectors import describe_vector_surveys

        demo_step_register(DemoStep("vector_surveys", 60, demo_vectors_step, demo_vectors_city_only))
        register_source_kind("vector_survey", url_name="assessment:vector_survey_detail",
                             describe=describe_vector_surveys)

    def _ready_readiness(self):
        # Readiness: the demo's weekly mock assessments (assessment/demo/readiness.py).
        from campaign.demo_steps import DemoStep, demo_step_register

        from .demo.readiness import demo_readiness_step

        demo_step_register(DemoStep("assessment-readiness", 60, demo_readiness_step))
