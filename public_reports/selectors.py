"""Reads of the public channel: what a tracking page shows, the month's figures, the links the
ledger shows for a problem that came from a report, the moderation queue with its duplicate
suggestions (``ledger.nearby`` applied to reports), and HQ's review queue."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from campaign.choices import Role
from campaign.geo import haversine_m
from ledger import nearby as nearby_module
from ledger.choices import PhotoKind, Status
from ledger.models import EvidencePhoto, Problem

from .choices import Channel, ReportStatus, ReviewState, RewardStatus, TrackingStage
from .models import PublicCategory, PublicReport, PublicReportPhoto, Reward, hq_staff, moderator_of


def may_moderate(user, report: PublicReport) -> bool:
    """What the services allow: HQ staff any report, a district lead one placed in their
    district. It decides who sees the reporter's mobile number in full."""
    if not moderator_of(user):
        return False
    if hq_staff(user):
        return True
    return report.district_id is not None and report.district_id == user.district_id


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


# --- The public tracking page ---------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingStep:
    stage: str
    label: str
    done: bool
    current: bool
    at: object | None = None


def report_published(report: PublicReport) -> bool:
    """The one rule of every reader without the follow secret (the tracking page, its photos,
    Open311): what the resident sent (the description, the typed address, the photos, the point
    on the map) is public only once a moderator has accepted or merged the report. An unread
    report may carry a name, a mobile number or the reporter's doorstep (a phone's GPS, a
    photo's EXIF) that the moderator would remove; a rejected one is never published."""
    return report.status in (ReportStatus.ACCEPTED, ReportStatus.MERGED)


@dataclass(frozen=True)
class Tracking:
    """What a tracking page shows: never the reporter's name or number, never a staff name.

    Anyone with the code reads the stage, the steps, their dates and a rejection's reason, and,
    once the report is published (``report_published``), its moderated description, address
    and photos; the follow link's holder (``holder``) reads their own report in full: what they
    wrote, their photos and the moderator's note to them."""

    report: PublicReport
    stage: str
    stage_label: str
    steps: list[TrackingStep]
    problem_status: str  # the ledger problem's status, as it moves ("" before acceptance)
    photos: list  # the report's own photos not hidden by a moderator, when shown
    after_photos: list  # the linked problem's after-photos (rectification evidence)
    reason: str  # why it was rejected (the reason's label), or "" otherwise
    merged_into_code: str
    holder: bool = False
    published: bool = False
    description: str = ""  # the holder's own text, else the moderated one once published, else ""
    address: str = ""
    note: str = ""  # the moderator's note to the reporter: the holder's only
    official_reply: str = ""  # an imported message's reply: the holder's, or once published


_PATH = (TrackingStage.RECEIVED, TrackingStage.ACCEPTED, TrackingStage.RECTIFYING, TrackingStage.RECTIFIED,
         TrackingStage.CLOSED)


def report_for_tracking(code: str) -> PublicReport | None:
    """The report a tracking code names (case and spaces forgiven), with what its page reads."""
    code = "".join(str(code or "").split()).upper()
    if not code:
        return None
    return (PublicReport.objects.select_related("public_category", "problem", "merged_into", "reward")
            .filter(code=code).first())


def report_photo_shown(report: PublicReport, photo: PublicReportPhoto, *, holder: bool) -> bool:
    """Whether the tracking page (and its photo URLs) may show this photo of the report: never
    one a moderator hid; to the follow link's holder always, to others once published."""
    return photo.report_id == report.pk and not photo.hidden and (holder or report_published(report))


def tracking_for(report: PublicReport, *, holder: bool = False) -> Tracking:
    """The tracking page of ``report``; ``holder``: the follow secret was given and matches."""
    stage = tracking_stage(report)
    problem = report.problem
    published = report_published(report)
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
    shown = holder or published
    if holder:
        description = report.description
    else:
        description = report.shown_description if published else ""
    return Tracking(
        report=report, stage=stage, stage_label=TrackingStage(stage).label, steps=steps,
        problem_status=problem.get_status_display() if problem is not None else "",
        photos=list(report.photos.filter(hidden=False)) if shown else [], after_photos=after, reason=reason,
        merged_into_code=report.merged_into.code if report.merged_into_id else "",
        holder=holder, published=published, description=description,
        address=report.address if shown else "", note=report.decision_note if holder else "",
        official_reply=report.official_reply if shown else "",
    )


def reward_of(report: PublicReport) -> Reward | None:
    try:
        return report.reward
    except Reward.DoesNotExist:
        return None
# --- Duplicates (ledger.nearby applied to the public channel) ----------------------------------


@dataclass(frozen=True)
class Duplicate:
    """An open problem or a waiting report that may be the same as a report."""

    kind: str  # "problem" or "report"
    pk: int
    code: str
    description: str
    status: str
    at: datetime
    distance_m: float
    thumbnail_url: str
    url: str


def _first_visible_photo():
    return (PublicReportPhoto.objects.filter(report=OuterRef("pk"), hidden=False)
            .order_by("uploaded_at", "id").values("pk")[:1])


def _ledger_category_id(report: PublicReport) -> int | None:
    return report.public_category.category_id if report.public_category_id else None


def public_categories_of(category_ids) -> dict[int, list[int]]:
    """{ledger category id: the public categories mapped to it} (one query)."""
    mapped: dict[int, list[int]] = {}
    for pk, category_id in PublicCategory.objects.filter(category_id__in=set(category_ids)).values_list(
            "pk", "category_id"):
        mapped.setdefault(category_id, []).append(pk)
    return mapped


def waiting_reports_nearby(*, user, category, latitude, longitude, at=None, exclude=None,
                           radius_m: float | None = None, days: int | None = None,
                           limit: int = nearby_module.DEFAULT_LIMIT) -> list[PublicReport]:
    """The reports waiting for moderation that ``user`` may see, of a public category mapped to
    the ledger ``category``, near the point and moment (``ledger.nearby``), each with
    ``photo_id`` (its first visible photo) and ``distance_m``."""
    category_id = getattr(category, "pk", category)
    public_ids = public_categories_of([category_id]).get(category_id, [])
    if not public_ids:
        return []
    reports = (PublicReport.objects.visible_to(user).waiting()
               .only("pk", "code", "description", "moderated_description", "status", "submitted_at",
                     "latitude", "longitude", "public_category")
               .annotate(photo_id=Subquery(_first_visible_photo())))
    if exclude is not None:
        reports = reports.exclude(pk=getattr(exclude, "pk", exclude))
    return nearby_module.nearby(reports, latitude=latitude, longitude=longitude, category=public_ids, at=at,
                                radius_m=radius_m, days=days, limit=limit, category_field="public_category",
                                time_field="submitted_at")


def report_thumbnail_urls(photo_ids) -> dict[int, str]:
    pattern = reverse("public_reports:photo_thumbnail", args=[0])
    head, tail = pattern.rsplit("/0/", 1)
    return {pk: f"{head}/{pk}/{tail}" for pk in photo_ids if pk is not None}


def report_duplicates(report: PublicReport, *, user, limit: int = nearby_module.DEFAULT_LIMIT) -> list[Duplicate]:
    """Open problems and waiting reports of the same category within the radius and window of
    the report (settings NEARBY_RADIUS_M, NEARBY_DAYS), nearest first: two queries, none when
    the report has no place or category."""
    category_id = _ledger_category_id(report)
    if category_id is None or report.latitude is None or report.longitude is None:
        return []
    where = {"latitude": report.latitude, "longitude": report.longitude, "at": report.submitted_at}
    problems = nearby_module.problems_nearby(user=user, category=category_id, exclude=report.problem_id,
                                             limit=limit, **where)
    reports = waiting_reports_nearby(user=user, category=category_id, exclude=report.pk, limit=limit, **where)
    problem_thumbs = nearby_module.thumbnail_urls([p.before_photo_id for p in problems])
    report_thumbs = report_thumbnail_urls([r.photo_id for r in reports])
    found = [Duplicate("problem", p.pk, p.code, p.description, p.get_status_display(), p.found_at, p.distance_m,
                       problem_thumbs.get(p.before_photo_id, ""), reverse("ledger:problem_detail", args=[p.pk]))
             for p in problems]
    found += [Duplicate("report", r.pk, r.code, r.shown_description, r.get_status_display(), r.submitted_at,
                        r.distance_m, report_thumbs.get(r.photo_id, ""),
                        reverse("public_reports:detail", args=[r.pk]))
              for r in reports]
    return sorted(found, key=lambda d: (d.distance_m, d.at))[:limit]


def _candidates(queryset, reports, *, category_of, lat_field, lon_field, category_field, time_field, radius_m,
                days):
    """One query: the rows of ``queryset`` inside any report's box, category and window."""
    condition = Q()
    for report in reports:
        categories = category_of(report)
        if not categories:
            continue
        window = (report.submitted_at - timedelta(days=days), report.submitted_at + timedelta(days=days))
        boxes = nearby_module.search_boxes(report.latitude, report.longitude, radius_m)
        condition |= Q(nearby_module.InBoxes(lat_field, lon_field, boxes),
                       **{f"{category_field}__in": categories, f"{time_field}__range": window})
    if not condition:
        return []
    return list(queryset.filter(condition).values("pk", lat_field, lon_field, category_field, time_field))


def duplicate_counts(reports, *, user, radius_m: float | None = None, days: int | None = None) -> dict[int, int]:
    """{report id: how many open problems and waiting reports may be the same} for the waiting
    reports of a page of the queue (a decided one has no entry), in a fixed number of queries whatever its length (the candidates of all rows in one
    query per kind, then the exact distance, ``campaign.geo.haversine_m``, in Python: the same
    rule as ``report_duplicates``)."""
    radius_m = float(settings.NEARBY_RADIUS_M if radius_m is None else radius_m)
    days = settings.NEARBY_DAYS if days is None else days
    waiting = [r for r in reports if r.status == ReportStatus.RECEIVED]
    placed = [r for r in waiting if r.latitude is not None and r.longitude is not None and r.public_category_id]
    counts = {r.pk: 0 for r in waiting}
    if not placed:
        return counts
    ledger_of = {r.pk: r.public_category.category_id for r in placed}
    public_of = public_categories_of(ledger_of.values())
    problems = _candidates(
        Problem.objects.visible_to(user).open(), placed, category_of=lambda r: [ledger_of[r.pk]],
        lat_field="latitude", lon_field="longitude", category_field="category_id", time_field="found_at",
        radius_m=radius_m, days=days)
    others = _candidates(
        PublicReport.objects.visible_to(user).waiting(), placed,
        category_of=lambda r: public_of.get(ledger_of[r.pk], []), lat_field="latitude", lon_field="longitude",
        category_field="public_category_id", time_field="submitted_at", radius_m=radius_m, days=days)
    public_to_ledger = {pk: category for category, pks in public_of.items() for pk in pks}
    window = timedelta(days=days)
    for report in placed:
        category = ledger_of[report.pk]
        near = 0
        for row in problems:
            if (row["category_id"] == category and row["pk"] != report.problem_id
                    and abs(row["found_at"] - report.submitted_at) <= window
                    and haversine_m(report.latitude, report.longitude, row["latitude"], row["longitude"]) <= radius_m):
                near += 1
        for row in others:
            if (row["pk"] != report.pk and public_to_ledger.get(row["public_category_id"]) == category
                    and abs(row["submitted_at"] - report.submitted_at) <= window
                    and haversine_m(report.latitude, report.longitude, row["latitude"], row["longitude"]) <= radius_m):
                near += 1
        counts[report.pk] = near
    return counts


# --- The queues ----------------------------------------------------------------------------------

QUEUE_RELATED = ("public_category", "district", "decided_by")


def report_queue(user):
    """The reports ``user`` may see, for the moderation queue (newest first)."""
    return (PublicReport.objects.visible_to(user).select_related(*QUEUE_RELATED)
            .annotate(photo_id=Subquery(_first_visible_photo()))
            .order_by("-submitted_at", "-id"))


def review_queue(user):
    """Unsatisfied ratings waiting for HQ, with the closed problem (oldest rating first)."""
    return (PublicReport.objects.visible_to(user).filter(review_state=ReviewState.PENDING)
            .select_related("public_category", "district", "problem", "problem__responsible_unit")
            .order_by("rated_at", "id"))


def after_photos(problem_ids) -> dict[int, int]:
    """{problem id: its latest after-photo's id} (one query)."""
    latest: dict[int, int] = {}
    for problem_id, photo_id in (EvidencePhoto.objects.filter(problem_id__in=set(problem_ids), kind=PhotoKind.AFTER)
                                 .order_by("uploaded_at", "id").values_list("problem_id", "pk")):
        latest[problem_id] = photo_id
    return latest


def merge_target(user, code: str):
    """(problem, report) that ``code`` names among what ``user`` may see: a report's tracking
    code (JB-…) or a problem's code; (None, None) when there is none."""
    code = (code or "").strip()
    if not code:
        return None, None
    if code.upper().startswith("JB-"):
        return None, PublicReport.objects.visible_to(user).filter(code__iexact=code).first()
    return Problem.objects.visible_to(user).filter(code=code).first(), None


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
