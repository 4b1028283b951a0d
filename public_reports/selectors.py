"""Reads of the public channel: what a tracking page shows, the month's figures, and the
links the ledger shows for a problem that came from a report."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from campaign.choices import Role
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


def suggest_category(text: str, categories, *, title: str = "", extra_keywords: dict | None = None,
                     min_score: int = 1) -> Suggestion:
    """The public category whose keywords occur most in ``text`` (longest keyword breaks ties);
    None when no keyword occurs. ``categories``: PublicCategory rows (keywords one per line).

    For a message with a subject (the importer's), a keyword in ``title`` counts twice, and
    ``min_score`` 2 asks for a keyword in the subject or two in the text: one passing mention
    of a word (a wage complaint that names a building site) suggests nothing.
    ``extra_keywords`` adds words per category pk (the category tree's leaves)."""
    best = None
    for category in categories:
        words = [w.strip() for w in category.keywords.splitlines() if w.strip()]
        words += list((extra_keywords or {}).get(category.pk, ()))
        in_title = [w for w in words if w in title] if title else []
        in_text = [w for w in words if w in text]
        score = 2 * len(in_title) + len(in_text)
        if not score or score < min_score:
            continue
        hits = in_title + in_text
        rank = (score, max(len(w) for w in hits))
        if best is None or rank > best[0]:
            best = (rank, category, max(hits, key=len))
    if best is None:
        return Suggestion(None, "")
    return Suggestion(best[1], best[2])


# --- Rewards -------------------------------------------------------------------------------------


def rewards_visible_to(user):
    """Rewards follow their reports' scope, but only HQ (staff and leaders) read the reward
    ledger: it holds reporters' names and numbers."""
    if not (user and user.is_authenticated and user.is_active):
        return Reward.objects.none()
    if not (user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER)):
        return Reward.objects.none()
    return Reward.objects.filter(report__in=PublicReport.objects.visible_to(user))


def reward_list(user, *, month: date | None = None, status: str = ""):
    """The reward ledger ``user`` may read, filtered by month (its first day) and status."""
    rows = (rewards_visible_to(user)
            .select_related("report__public_category", "report__problem", "decided_by", "paid_by")
            .order_by("-month", "status", "-created_at", "-pk"))
    if month is not None:
        rows = rows.filter(month=month)
    if status:
        rows = rows.filter(status=status)
    return rows


def reward_totals(rows) -> dict[str, Decimal | int]:
    """Count and amount of ``rows`` by status, and overall (one query)."""
    sums = {}
    for status in RewardStatus.values:
        sums[f"{status}_count"] = Count("pk", filter=Q(status=status))
        sums[f"{status}_amount"] = Sum("amount", filter=Q(status=status))
    sums["count"] = Count("pk")
    sums["amount"] = Sum("amount")
    totals = rows.order_by().aggregate(**sums)
    return {key: (value if value is not None else Decimal(0)) for key, value in totals.items()}


def reward_months(user) -> list[date]:
    """The months that have rewards, newest first (the month filter's choices)."""
    return list(rewards_visible_to(user).order_by("-month").values_list("month", flat=True).distinct())


def payment_list(user, *, month: date):
    """The month's approved and paid rewards for the finance office, in tracking-code order."""
    return (rewards_visible_to(user).filter(month=month, status__in=(RewardStatus.APPROVED, RewardStatus.PAID))
            .select_related("report__public_category", "report__problem").order_by("report__code"))


@dataclass(frozen=True)
class RewardState:
    """What the reporter reads about a reward on the tracking page (never a name or number)."""

    status: str
    label: str
    amount: Decimal
    paid_at: object | None


def reward_for_tracking(report: PublicReport) -> RewardState | None:
    """The reward state of a report for its public tracking page, or None when it has none."""
    reward = Reward.objects.filter(report=report).only("status", "amount", "paid_at").first()
    if reward is None:
        return None
    return RewardState(reward.status, reward.get_status_display(), reward.amount, reward.paid_at)
