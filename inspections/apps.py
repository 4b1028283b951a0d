from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def describe_inspections(user, ids):
    """The inspections among ``ids`` that ``user`` may see, by a human name (for the ledger's
    source links: a problem found by an inspection links to it)."""
    from django.utils import timezone
    from django.utils.translation import gettext

    from .models import Inspection

    found = Inspection.objects.visible_to(user).filter(pk__in=ids).select_related("sample_point")
    return {
        inspection.pk: gettext("Inspection of %(point)s on %(date)s") % {
            "point": inspection.sample_point.name,
            "date": timezone.localtime(inspection.ended_at or inspection.started_at).date().isoformat(),
        }
        for inspection in found
    }


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from campaign.demo_steps import DemoStep, demo_step_register

        from .demo import demo_checklists_step, demo_inspections_step

        demo_step_register(DemoStep("inspections", 20, demo_inspections_step, demo_checklists_step))

        from ledger.sources import register_source_kind

        from . import exports  # noqa: F401 (registers the app's lists with campaign.exporting)

        # inspections/services.py records its findings with source_ref "inspection:<id>".
        register_source_kind("inspection", url_name="inspections:inspection_detail", describe=describe_inspections)

        # An inspector's round points and drafts on everyone's task home.
        from . import task_groups

        task_groups.register()
