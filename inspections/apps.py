from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from campaign.grants import register_grant
        from campaign.models import SamplePoint

        from . import panels
        from .selectors import round_point_grant

        # A round point given to an inspector gives them its sample point (see campaign/grants.py).
        register_grant(SamplePoint, round_point_grant)
        panels.register()  # a sample point's inspection history on its page (campaign/panels.py)
