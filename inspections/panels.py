"""The inspections' panels on the ground floor's pages (campaign/panels.py): a sample point's
inspection history. Registered from InspectionsConfig.ready()."""

from django.db.models import Avg, Count, Max, Prefetch, Q
from django.urls import reverse

from campaign.models import User
from campaign.panels import SAMPLE_POINT, Panel, register_panel

from .choices import InspectionStatus
from .models import Inspection

RECENT_INSPECTIONS = 10


def point_inspections(request, point) -> dict:
    """The point's inspections the user may see, newest first, with date, kind, score and
    inspectors; the submitted ones' count, average and latest date; a link to the list."""
    inspections = Inspection.objects.visible_to(request.user).filter(sample_point=point)
    summary = inspections.aggregate(
        total=Count("pk", distinct=True),
        submitted=Count("pk", filter=Q(status=InspectionStatus.SUBMITTED), distinct=True),
        average=Avg("score", filter=Q(status=InspectionStatus.SUBMITTED)),
        latest=Max("submitted_at"),
    )
    recent = list(
        inspections.prefetch_related(Prefetch("inspectors", queryset=User.objects.order_by("full_name", "username")))
        .order_by("-started_at", "-id")[:RECENT_INSPECTIONS]
    )
    return {
        "summary": summary,
        "recent": recent,
        "list_url": f"{reverse('inspections:inspection_list')}?sample_point={point.pk}",
    }


def register() -> None:
    register_panel(SAMPLE_POINT, Panel(name="inspections", template="inspections/panels/point_inspections.html",
                                       context=point_inspections, order=20))
