"""The ledger's panels on the ground floor's pages (campaign/panels.py): a sample point's
problems. Registered from LedgerConfig.ready()."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from campaign.panels import SAMPLE_POINT, Panel, register_panel

from .choices import OPEN_STATUSES, Status
from .models import Problem

RECENT_PROBLEMS = 10


def point_problems(request, point) -> dict:
    """The point's problems the user may see: counts (all, open, overdue, closed), the most
    recent with their status, and links to the ledger filtered by the point."""
    problems = Problem.objects.visible_to(request.user).filter(sample_point=point)
    counts = problems.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())),
        closed=Count("pk", filter=Q(status=Status.CLOSED)),
    )
    ledger = f"{reverse('ledger:problem_list')}?sample_point={point.pk}"
    return {
        "counts": counts,
        "recent": list(problems.select_related("responsible_unit").order_by("-found_at", "-id")[:RECENT_PROBLEMS]),
        "ledger_url": ledger,
        "open_url": f"{ledger}&open=true",
        "overdue_url": f"{ledger}&overdue=true",
        "closed_url": f"{ledger}&status={Status.CLOSED}",
    }


def register() -> None:
    register_panel(SAMPLE_POINT, Panel(name="problems", template="ledger/panels/point_problems.html",
                                       context=point_problems, order=10))
