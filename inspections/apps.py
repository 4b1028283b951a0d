from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        # An inspector's round points and drafts on everyone's task home.
        from . import task_groups

        task_groups.register()
