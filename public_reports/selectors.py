"""Reads of the public channel: what a tracking page shows, the month's figures, and the
links the ledger shows for a problem that came from a report."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime

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


# --- The channel's figures per district (the reports and the dashboard) ---------------------------


@dataclass(frozen=True)
class ChannelFigures:
    """One district's (or the city's) public channel in a period.

    - received: reports sent in the period (imported history left out: its dates are the
      historical messages', and counting them would rewrite past periods on every import);
    - accepted, merged, rejected: moderation decisions taken in the period (decided_at), of any
      channel: accepting an imported message is a real decision that records a real problem;
    - median_hours: the median of reported → accepted, in hours, over the reports accepted in the
      period (imported ones left out: years between the message and the decision say nothing
      about the moderators); None when none was accepted;
    - rated, satisfied: the reporters' ratings given in the period (rated_at) and how many were
      satisfied; satisfaction is satisfied ÷ rated.
    """

    received: int = 0
    accepted: int = 0
    merged: int = 0
    rejected: int = 0
    median_hours: float | None = None
    rated: int = 0
    satisfied: int = 0

    @property
    def decided(self) -> int:
        return self.accepted + self.merged + self.rejected

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    def as_dict(self) -> dict:
        return {"received": self.received, "accepted": self.accepted, "merged": self.merged,
                "rejected": self.rejected, "median_hours": self.median_hours, "rated": self.rated,
                "satisfied": self.satisfied, "satisfaction": self.satisfaction}


@dataclass(frozen=True)
class ChannelByDistrict:
    """``districts``: {district id (None: a report placed in no district): figures}, only the
    districts with something in the period; ``city``: the whole scope (the districts add up to it,
    but for the median, which is taken over all the scope's accepted reports)."""

    districts: dict
    city: ChannelFigures


def _median_hours(durations: list[float]) -> float | None:
    return statistics.median(durations) if durations else None


def public_channel_by_district(*, start: datetime, end: datetime, district=None,
                               reports=None) -> ChannelByDistrict:
    """The public channel's figures (``ChannelFigures``) per district for [start, end), in two
    queries: one grouped count, and the accepted reports' two times for the medians.

    ``district``: one district (a District or an id) or None for the whole city; ``reports``: the
    reports to count (default all; the dashboard passes ``PublicReport.objects.visible_to(user)``).
    The median is computed here, the same on SQLite and PostgreSQL: a period holds as many rows as
    the moderators accepted (hundreds a month), and PostgreSQL's percentile_cont would be a
    second code path for no measurable gain."""
    reports = (PublicReport.objects.all() if reports is None else reports).order_by()
    if district is not None:
        reports = reports.filter(district_id=district if isinstance(district, int) else district.pk)
    live = ~Q(channel=Channel.IMPORTED)
    sent = Q(submitted_at__gte=start, submitted_at__lt=end)
    decided = Q(decided_at__gte=start, decided_at__lt=end)
    rated = Q(rated_at__gte=start, rated_at__lt=end)
    rows = (reports.filter((sent & live) | decided | rated).values("district_id").annotate(
        received=Count("pk", filter=sent & live),
        accepted=Count("pk", filter=decided & Q(status=ReportStatus.ACCEPTED)),
        merged=Count("pk", filter=decided & Q(status=ReportStatus.MERGED)),
        rejected=Count("pk", filter=decided & Q(status=ReportStatus.REJECTED)),
        rated=Count("pk", filter=rated & Q(satisfied__isnull=False)),
        satisfied=Count("pk", filter=rated & Q(satisfied=True)),
    ))
    durations: dict = {}
    for district_id, submitted_at, decided_at in (
            reports.filter(live, decided, status=ReportStatus.ACCEPTED)
            .values_list("district_id", "submitted_at", "decided_at")):
        durations.setdefault(district_id, []).append((decided_at - submitted_at).total_seconds() / 3600)
    counts = ("received", "accepted", "merged", "rejected", "rated", "satisfied")
    districts = {
        row["district_id"]: ChannelFigures(**{name: row[name] for name in counts},
                                           median_hours=_median_hours(durations.get(row["district_id"], [])))
        for row in rows
    }
    city = ChannelFigures(
        **{name: sum(getattr(figures, name) for figures in districts.values()) for name in counts},
        median_hours=_median_hours([hours for each in durations.values() for hours in each]))
    return ChannelByDistrict(districts=districts, city=city)


def public_channel_weeks(*, periods, reports=None) -> list[dict]:
    """Reports received and accepted in each of ``periods`` (objects with ``starts_at`` and
    ``ends_at``), oldest first, by the rules of ``ChannelFigures``: one aggregate query."""
    reports = (PublicReport.objects.all() if reports is None else reports).order_by()
    live = ~Q(channel=Channel.IMPORTED)
    counts = {}
    for index, period in enumerate(periods):
        counts[f"received_{index}"] = Count("pk", filter=live & Q(
            submitted_at__gte=period.starts_at, submitted_at__lt=period.ends_at))
        counts[f"accepted_{index}"] = Count("pk", filter=Q(
            status=ReportStatus.ACCEPTED, decided_at__gte=period.starts_at, decided_at__lt=period.ends_at))
    if not periods:
        return []
    first, last = periods[0].starts_at, periods[-1].ends_at
    window = Q(submitted_at__gte=first, submitted_at__lt=last) | Q(decided_at__gte=first, decided_at__lt=last)
    totals = reports.filter(window).aggregate(**counts)
    return [{"received": totals[f"received_{index}"], "accepted": totals[f"accepted_{index}"]}
            for index in range(len(periods))]
