from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """The national assessment: the standard's parts and articles, the materials archive, vector
    surveys, the public-satisfaction survey and readiness (README "Ready for the assessment")."""

    name = "assessment"
    verbose_name = _("National assessment")

    def ready(self):
        # Each area registers its demo step, task groups, notifications and exports here.
        from campaign.demo_steps import DemoStep, demo_step_register

        from .demo_satisfaction import demo_satisfaction_step

        demo_step_register(DemoStep("assessment_satisfaction", 60, demo_satisfaction_step))

        from .demo_readiness import demo_readiness_step

        demo_step_register(DemoStep("assessment-readiness", 60, demo_readiness_step))
