"""The reads behind ``requests``: which reports Open311 shows, filtered as the spec's
parameters ask, in one query."""

from datetime import datetime

from django.db.models import Q

from ledger.choices import Status

from ..choices import Channel, ReportStatus
from ..models import PublicCategory, PublicReport

# At most this many requests in one answer, newest first (the spec's default limit).
REQUESTS_LIMIT = 1000


def open311_services():
    return PublicCategory.objects.filter(active=True).select_related("category").order_by("order", "code")


def open311_service(code: str) -> PublicCategory | None:
    return open311_services().filter(code=code).first()


def open311_closed() -> Q:
    """The reports whose request is closed (definitions.STATUS_OF_STAGE in SQL): rejected,
    merged before any problem existed, or whose problem is closed or found invalid."""
    return (Q(status=ReportStatus.REJECTED) | Q(status=ReportStatus.MERGED, problem__isnull=True)
            | Q(problem__status__in=(Status.CLOSED, Status.INVALID)))


def open311_requests(*, ids: list[str] | None = None, service_codes: list[str] | None = None,
                     start: datetime | None = None, end: datetime | None = None,
                     statuses: list[str] | None = None):
    """Reports made by residents (not imported history) with a service. ``ids`` (tracking
    codes) overrides every other filter, as the spec says."""
    reports = (PublicReport.objects.exclude(channel=Channel.IMPORTED).filter(public_category__isnull=False)
               .select_related("public_category", "problem", "problem__responsible_unit")
               .order_by("-submitted_at", "-id"))
    if ids is not None:
        return reports.filter(code__in=ids)[:REQUESTS_LIMIT]
    if service_codes:
        reports = reports.filter(public_category__code__in=service_codes)
    if start is not None:
        reports = reports.filter(submitted_at__gte=start)
    if end is not None:
        reports = reports.filter(submitted_at__lte=end)
    if statuses and set(statuses) != {"open", "closed"}:
        reports = reports.filter(open311_closed()) if "closed" in statuses else reports.exclude(open311_closed())
    return reports[:REQUESTS_LIMIT]


def open311_request_by_token(token: str) -> PublicReport | None:
    if not token:
        return None
    return PublicReport.objects.filter(channel=Channel.OPEN311, attributes__open311__token=token).first()
