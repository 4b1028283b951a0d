"""Reads of the model sites and the sample points' build-out: the gallery's cards, a model's
recent score (what the sweep judges), and the build-out figures per district and category.
Everything loads through ``visible_to(user)``."""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from campaign.models import SamplePoint
from inspections.choices import InspectionStatus
from inspections.models import Inspection

from ..models import BuildoutState, ModelSite, ModelSiteStatus, SamplePointBuildout
from ..models.sites import is_hq, may_see_sites


@dataclass(frozen=True)
class RecentScore:
    """The average of the recent submitted scores a model is judged by (None: no inspection
    in the period), the scores themselves (newest first) and the minimum."""

    average: Decimal | None
    scores: tuple[Decimal, ...]
    minimum: Decimal

    @property
    def below(self) -> bool:
        return self.average is not None and self.average < self.minimum


def recent_score(*, sample_point_id: int, now=None) -> RecentScore:
    """The last MODEL_SITE_RECENT_INSPECTIONS submitted scores of the point within the last
    MODEL_SITE_RECENT_DAYS, and their average (rounded to 0.1 as inspection scores are)."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.MODEL_SITE_RECENT_DAYS)
    scores = tuple(
        Inspection.objects.filter(sample_point_id=sample_point_id, status=InspectionStatus.SUBMITTED,
                                  score__isnull=False, submitted_at__gte=since, submitted_at__lte=now)
        .order_by("-submitted_at", "-id").values_list("score", flat=True)[:settings.MODEL_SITE_RECENT_INSPECTIONS])
    average = None
    if scores:
        average = (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return RecentScore(average=average, scores=scores, minimum=Decimal(settings.MODEL_SITE_MIN_SCORE))


def _latest_score():
    latest = Inspection.objects.filter(sample_point=OuterRef("sample_point"), status=InspectionStatus.SUBMITTED,
                                       score__isnull=False).order_by("-submitted_at", "-id")
    return {"latest_score": Subquery(latest.values("score")[:1]),
            "latest_score_at": Subquery(latest.values("submitted_at")[:1])}


def gallery(user, *, district=None, category=None, status: str = ""):
    """The gallery's model sites for ``user`` with their latest score and photos, by district
    and code. HQ may ask for one status (the withdrawn ones included)."""
    if is_hq(user) and status in ModelSiteStatus.values:
        sites = ModelSite.objects.visible_to(user).filter(status=status)
    else:
        sites = ModelSite.objects.in_gallery(user)
    if district:
        sites = sites.filter(sample_point__district=district)
    if category:
        sites = sites.filter(sample_point__category=category)
    return (sites.select_related("sample_point__district", "sample_point__category", "sample_point__responsible_unit")
            .prefetch_related("photos").annotate(**_latest_score())
            .order_by("sample_point__district__code", "sample_point__category__code", "sample_point__code"))


def model_site_rows(user):
    """The model sites the user may see, for the Excel list and the API: HQ every status,
    others those in good standing (as the gallery)."""
    sites = ModelSite.objects.visible_to(user)
    if not is_hq(user):
        sites = sites.filter(status=ModelSiteStatus.ACTIVE)
    return (sites
            .select_related("sample_point__district", "sample_point__category", "marked_by")
            .annotate(**_latest_score()).order_by("sample_point__district__code", "sample_point__code"))


# --- The build-out --------------------------------------------------------------------------


def buildout_points(user):
    """The sample points (active) the user may see, each with its build-out (or None)."""
    if not may_see_sites(user):
        return SamplePoint.objects.none()
    return (SamplePoint.objects.visible_to(user).filter(active=True)
            .select_related("district", "category", "responsible_unit", "buildout").order_by("code"))


def point_state(point) -> str:
    """A point's state; a point without a build-out record counts as planned."""
    buildout = getattr(point, "buildout", None) if _has_buildout(point) else None
    return buildout.state if buildout else BuildoutState.PLANNED


def _has_buildout(point) -> bool:
    try:
        point.buildout  # noqa: B018 (the reverse one-to-one raises when there is none)
    except SamplePointBuildout.DoesNotExist:
        return False
    return True


def buildout_of(point) -> SamplePointBuildout | None:
    return point.buildout if _has_buildout(point) else None


@dataclass
class BuildoutFigures:
    """One line of the report: how many points in each state, without a plan, overdue."""

    district: str = ""
    category: str = ""
    total: int = 0
    planned: int = 0
    building: int = 0
    ready: int = 0
    checked: int = 0
    unplanned: int = 0  # no build-out record or no planned completion date
    overdue: int = 0
    overdue_points: list = field(default_factory=list)

    def add(self, point, today: date) -> None:
        buildout = buildout_of(point)
        state = buildout.state if buildout else BuildoutState.PLANNED
        self.total += 1
        setattr(self, state, getattr(self, state) + 1)
        if buildout is None or buildout.planned_completion is None:
            self.unplanned += 1
        elif buildout.is_overdue(today):
            self.overdue += 1
            self.overdue_points.append(point.code)

    @staticmethod
    def _percent(part: int, whole: int) -> float:
        return round(part * 100 / whole, 1) if whole else 0.0

    @property
    def ready_percent(self) -> float:
        """Ready or checked, in percent of the points."""
        return self._percent(self.ready + self.checked, self.total)

    @property
    def checked_percent(self) -> float:
        return self._percent(self.checked, self.total)

    def as_dict(self) -> dict:
        return {"district": self.district, "category": self.category, "total": self.total,
                "planned": self.planned, "building": self.building, "ready": self.ready, "checked": self.checked,
                "unplanned": self.unplanned, "overdue": self.overdue, "ready_percent": self.ready_percent,
                "checked_percent": self.checked_percent}


def buildout_figures(user, *, district=None, category=None, today: date | None = None):
    """(lines per district and category, total line) of the points the user may see."""
    today = today or timezone.localdate()
    points = buildout_points(user)
    if district:
        points = points.filter(district=district)
    if category:
        points = points.filter(category=category)
    lines: OrderedDict = OrderedDict()
    total = BuildoutFigures(district="", category="")
    for point in points.order_by("district__code", "category__code", "code"):
        key = (point.district_id, point.category_id)
        if key not in lines:
            lines[key] = BuildoutFigures(district=str(point.district), category=str(point.category))
        lines[key].add(point, today)
        total.add(point, today)
    return list(lines.values()), total


def buildout_filter(points, *, state: str = "", overdue: bool = False, today: date | None = None):
    """Narrow points to one state (planned includes points without a record) or the overdue."""
    today = today or timezone.localdate()
    if state == BuildoutState.PLANNED:
        points = points.filter(Q(buildout__isnull=True) | Q(buildout__state=state))
    elif state in BuildoutState.values:
        points = points.filter(buildout__state=state)
    if overdue:
        points = points.filter(buildout__planned_completion__lt=today,
                               buildout__state__in=[BuildoutState.PLANNED, BuildoutState.BUILDING])
    return points
