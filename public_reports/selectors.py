"""Reads of the public channel: what a tracking page shows, the month's figures, and the
links the ledger shows for a problem that came from a report."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from ledger.choices import PhotoKind, Status

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


# --- The public tracking page ---------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingStep:
    stage: str
    label: str
    done: bool
    current: bool
    at: object | None = None


@dataclass(frozen=True)
class Tracking:
    """What anyone holding a tracking code may see: never the reporter, never a staff name."""

    report: PublicReport
    stage: str
    stage_label: str
    steps: list[TrackingStep]
    problem_status: str  # the ledger problem's status, as it moves ("" before acceptance)
    photos: list  # the report's own photos not hidden by a moderator
    after_photos: list  # the linked problem's after-photos (rectification evidence)
    reason: str  # why it was rejected (the reason's label), or "" otherwise
    merged_into_code: str


_PATH = (TrackingStage.RECEIVED, TrackingStage.ACCEPTED, TrackingStage.RECTIFYING, TrackingStage.RECTIFIED,
         TrackingStage.CLOSED)


def report_for_tracking(code: str) -> PublicReport | None:
    """The report a tracking code names (case and spaces forgiven), with what its page reads."""
    code = "".join(str(code or "").split()).upper()
    if not code:
        return None
    return (PublicReport.objects.select_related("public_category", "problem", "merged_into", "reward")
            .filter(code=code).first())


def tracking_for(report: PublicReport) -> Tracking:
    stage = tracking_stage(report)
    problem = report.problem
    times = {TrackingStage.RECEIVED: report.submitted_at, TrackingStage.ACCEPTED: report.decided_at,
             TrackingStage.CLOSED: problem.closed_at if problem is not None else None}
    if stage in _PATH:
        reached = _PATH.index(stage)
        steps = [TrackingStep(stage=s, label=TrackingStage(s).label, done=i <= reached, current=i == reached,
                              at=times.get(s) if i <= reached else None)
                 for i, s in enumerate(_PATH)]
    else:
        steps = [TrackingStep(stage=TrackingStage.RECEIVED, label=TrackingStage.RECEIVED.label, done=True,
                              current=False, at=report.submitted_at),
                 TrackingStep(stage=stage, label=TrackingStage(stage).label, done=True, current=True,
                              at=report.decided_at)]
    after = []
    if problem is not None and stage in (TrackingStage.RECTIFIED, TrackingStage.CLOSED):
        after = list(problem.photos.filter(kind=PhotoKind.AFTER))
    reason = ""
    if report.status == ReportStatus.REJECTED and report.reject_reason:
        reason = report.get_reject_reason_display()
    return Tracking(
        report=report, stage=stage, stage_label=TrackingStage(stage).label, steps=steps,
        problem_status=problem.get_status_display() if problem is not None else "",
        photos=list(report.photos.filter(hidden=False)), after_photos=after, reason=reason,
        merged_into_code=report.merged_into.code if report.merged_into_id else "",
    )


def reward_of(report: PublicReport) -> Reward | None:
    try:
        return report.reward
    except Reward.DoesNotExist:
        return None
