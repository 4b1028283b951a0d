"""Reads of the public channel: what a tracking page shows, the month's figures, and the
links the ledger shows for a problem that came from a report."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from ledger.choices import Status

from .choices import Channel, ReportStatus, RewardStatus, TrackingStage
from .models import PublicReport, Reward


def describe_for_source(user, ids: list[int]) -> dict[int, str]:
    """ledger.sources: the codes of the reports ``user`` may open."""
    return dict(PublicReport.objects.visible_to(user).filter(pk__in=ids).values_list("pk", "code"))


def tracking_stage(report: PublicReport) -> str:
    """Where a report stands for the resident who follows it."""
    if report.status == ReportStatus.RECEIVED:
        return TrackingStage.RECEIVED
    if report.status == ReportStatus.REJECTED:
        return TrackingStage.REJECTED
    problem = report.problem
    if report.status == ReportStatus.MERGED and problem is None:
        return TrackingStage.MERGED
    if problem is None:
        return TrackingStage.ACCEPTED
    if problem.status == Status.CLOSED:
        return TrackingStage.CLOSED
    if problem.status == Status.CLOSING_APPLIED:
        return TrackingStage.RECTIFIED
    if problem.status in (Status.ASSIGNED, Status.RECTIFYING):
        return TrackingStage.RECTIFYING
    if problem.status == Status.INVALID:
        return TrackingStage.REJECTED
    return TrackingStage.MERGED if report.status == ReportStatus.MERGED else TrackingStage.ACCEPTED


def _month_range(year: int, month: int):
    start = timezone.make_aware(timezone.datetime(year, month, 1))
    end = timezone.make_aware(timezone.datetime(year + (month == 12), month % 12 + 1, 1))
    return start, end


def public_month_counts(*, year: int, month: int) -> dict[str, int]:
    """The city's public channel in a month: reports received (new ones, not imported history),
    accepted into the ledger, their problems fixed (verified closed), and rewards approved or paid."""
    start, end = _month_range(year, month)
    live = PublicReport.objects.exclude(channel=Channel.IMPORTED)
    counts = live.aggregate(
        received=Count("pk", filter=Q(submitted_at__gte=start, submitted_at__lt=end)),
        accepted=Count("pk", filter=Q(status=ReportStatus.ACCEPTED, decided_at__gte=start, decided_at__lt=end)),
        fixed=Count("pk", filter=Q(status=ReportStatus.ACCEPTED, problem__status=Status.CLOSED,
                                   problem__closed_at__gte=start, problem__closed_at__lt=end)),
    )
    counts["rewarded"] = Reward.objects.filter(
        month=date(year, month, 1), status__in=(RewardStatus.APPROVED, RewardStatus.PAID)).count()
    return counts


@dataclass(frozen=True)
class Suggestion:
    public_category: object | None
    keyword: str


def suggest_category(text: str, categories) -> Suggestion:
    """The public category whose keywords occur most in ``text`` (longest keyword breaks ties);
    None when no keyword occurs. ``categories``: PublicCategory rows (keywords one per line)."""
    best = None
    for category in categories:
        words = [w.strip() for w in category.keywords.splitlines() if w.strip()]
        hits = [w for w in words if w in text]
        if not hits:
            continue
        rank = (len(hits), max(len(w) for w in hits))
        if best is None or rank > best[0]:
            best = (rank, category, max(hits, key=len))
    if best is None:
        return Suggestion(None, "")
    return Suggestion(best[1], best[2])
