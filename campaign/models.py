"""The city's campaign structure: districts, grids, roads, units, teams, categories, sample
points, indicators, and the people who work in it with their roles and scopes.

Scoping: every model that a role may see only part of has a ``visible_to(user)`` queryset
method. Pages, API endpoints and exports load through it; what it leaves out is a 404.
"""

import time
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .choices import (
    AuditAction,
    CampaignKind,
    CategoryKind,
    DistrictKind,
    ImportStatus,
    IndicatorDirection,
    Role,
    UnitKind,
)
from .grants import granted
from .jobs import ClaimedJob, ExportJobFields


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


class BilingualName(models.Model):
    """A Chinese name (the official one) and an optional English name, shown by language."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name_en if (_english() and self.name_en) else self.name


# --- Who sees what ------------------------------------------------------------------------------


def _sees_whole_city(user) -> bool:
    return user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER)


def _is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role != Role.PUBLIC) or (
        bool(user and user.is_authenticated and user.is_superuser)
    )


CHIEF_ROLES = (Role.GRID_CHIEF, Role.ROAD_CHIEF)


def _area_district_id(user) -> int | None:
    """The district a user's area is limited to, or None for the whole city."""
    if user.role in CHIEF_ROLES:
        cell = user.chief_cell
        return cell.district_id if cell is not None else -1  # a chief without a cell sees nothing
    if user.role == Role.DISTRICT_LEAD:
        return user.district_id or -1  # a district lead without a district sees nothing
    if user.role == Role.INSPECTOR:
        return user.district_id
    if user.role == Role.UNIT_HANDLER:
        return user.unit.district_id if user.unit_id else -1
    return None


class AreaQuerySet(models.QuerySet):
    """Districts and what lies in them (grids, roads): limited to the user's district."""

    district_field = "district"

    def visible_to(self, user):
        if not _is_staff_member(user):
            return self.none()
        if _sees_whole_city(user):
            return self
        district_id = _area_district_id(user)
        if district_id is None:
            return self
        return self.filter(**{f"{self.district_field}_id": district_id})


class DistrictQuerySet(AreaQuerySet):
    district_field = "id"

    def visible_to(self, user):
        if not _is_staff_member(user):
            return self.none()
        if _sees_whole_city(user):
            return self
        district_id = _area_district_id(user)
        return self if district_id is None else self.filter(pk=district_id)


class CityWideQuerySet(models.QuerySet):
    """Reference data that every signed-in member of staff may read (teams, categories, …)."""

    def visible_to(self, user):
        return self if _is_staff_member(user) else self.none()


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not _is_staff_member(user):
            return self.none()
        if _sees_whole_city(user):
            return self
        if user.role == Role.UNIT_HANDLER:
            return self.filter(pk=user.unit_id or -1)
        if user.role == Role.TEAM_LEAD:
            if not user.team_id:
                return self.none()
            return self.filter(Q(teams=user.team_id) | Q(led_teams=user.team_id)).distinct()
        district_id = _area_district_id(user)
        if district_id is None:
            return self
        # City departments work in every district; street offices only in their own.
        return self.filter(Q(district_id=district_id) | Q(district__isnull=True))


def _sample_point_area(user) -> Q | None:
    """The points of a user's area (None: every point)."""
    if user.role == Role.TEAM_LEAD:
        if not user.team_id:
            return Q(pk__in=[])
        team_units = Unit.objects.filter(Q(teams=user.team_id) | Q(led_teams=user.team_id))
        return Q(team_id=user.team_id) | Q(responsible_unit__in=team_units)
    if user.role == Role.UNIT_HANDLER:
        return Q(responsible_unit_id=user.unit_id or -1)
    if user.role in CHIEF_ROLES:
        return user.chief_cell_q()
    district_id = _area_district_id(user)
    return None if district_id is None else Q(district_id=district_id)


class SamplePointQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The points of the user's area, and those an assignment gives them (campaign/grants.py:
        e.g. a round point given to an inspector from another district)."""
        if not _is_staff_member(user):
            return self.none()
        if _sees_whole_city(user):
            return self
        area = _sample_point_area(user)
        if area is None:
            return self
        grant = granted(SamplePoint, user)
        return self.filter(area if grant is None else area | grant)


# --- The campaign and its structure -------------------------------------------------------------


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    assessment_date = models.DateField(_("target assessment date"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    is_current = models.BooleanField(_("current campaign"), default=True)

    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-is_current", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_campaign"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def days_to_assessment(self) -> int | None:
        if not self.assessment_date:
            return None
        return (self.assessment_date - timezone.localdate()).days


class District(BilingualName):
    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DistrictKind.choices, default=DistrictKind.DISTRICT)
    chief_name = models.CharField(_("area chief"), max_length=100, blank=True)
    chief_phone = models.CharField(_("chief's phone"), max_length=40, blank=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]


class ChiefCell(models.Model):
    """A grid cell or a road: ``chief_name`` is the chief as printed; ``chief_users()`` the
    people who sign in as its chief (role grid chief or road chief with this cell)."""

    chief_role = ""

    class Meta:
        abstract = True

    def chief_users(self):
        return self.chiefs.filter(role=self.chief_role, is_active=True)


class Grid(ChiefCell):
    chief_role = Role.GRID_CHIEF

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="grids", verbose_name=_("district"))
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    chief_name = models.CharField(_("grid chief"), max_length=100, blank=True)
    chief_phone = models.CharField(_("chief's phone"), max_length=40, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["district__code", "code"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="grid_name_unique_in_district")]

    def __str__(self) -> str:
        return self.name


class AreaBoundary(models.Model):
    """An uploaded boundary (campaign/geo.py): a GeoJSON Polygon/MultiPolygon in WGS-84 and its
    bounding box. Kept in a table of its own, not on District or Grid, so that listing or joining
    districts and grids never loads polygons; the box finds the candidates for a point in SQL."""

    geometry = models.JSONField(_("boundary"))
    south = models.FloatField()
    west = models.FloatField()
    north = models.FloatField()
    east = models.FloatField()
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    class Meta:
        abstract = True


class DistrictBoundary(AreaBoundary):
    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="boundary",
                                    verbose_name=_("district"))

    class Meta:
        verbose_name = _("district boundary")
        verbose_name_plural = _("district boundaries")

    def __str__(self) -> str:
        return str(self.district)


class GridBoundary(AreaBoundary):
    grid = models.OneToOneField(Grid, on_delete=models.CASCADE, related_name="boundary", verbose_name=_("grid"))

    class Meta:
        verbose_name = _("grid boundary")
        verbose_name_plural = _("grid boundaries")

    def __str__(self) -> str:
        return str(self.grid)


class Road(ChiefCell):
    chief_role = Role.ROAD_CHIEF

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="roads", verbose_name=_("district"))
    name = models.CharField(_("name"), max_length=200)
    section = models.CharField(_("section"), max_length=200, blank=True, help_text=_("e.g. from X Road to Y Road"))
    chief_name = models.CharField(_("road chief"), max_length=100, blank=True)
    chief_phone = models.CharField(_("chief's phone"), max_length=40, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("road")
        verbose_name_plural = _("roads")
        ordering = ["district__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name", "section"], name="road_unique_in_district")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.section}".strip()

    @property
    def label(self) -> str:
        return str(self)


class Community(models.Model):
    """A community (社区): the level of the structure under a district (and, when the list names
    it, a street office), paired with civilized units (programme/, "Pairing units with
    communities"). Communities are imported from Excel (campaign/importing/communities.py) and
    never deleted; ``imported_by`` / ``imported_at`` record who brought each in."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="communities",
                                 verbose_name=_("district"))
    street_office = models.CharField(_("street office"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=30, unique=True)
    imported_by = models.ForeignKey("User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["district__code", "street_office", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="community_name_unique_in_district")
        ]

    def __str__(self) -> str:
        return self.name


class Unit(BilingualName):
    """A responsible unit (责任单位): a department, district government, street office or enterprise."""

    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("district"),
        help_text=_("Empty for a city-level unit."),
    )
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="unit_name_unique")]


class Category(models.Model):
    """A category: one of the 8 of the national standard, or a key-place category."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CategoryKind.choices)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["kind", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["name_zh"], name="category_name_zh_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name_en if _english() else self.name_zh


class Team(BilingualName):
    """A special team (专项工作组), headed by a leader, with a lead unit and member units."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    leader_name = models.CharField(_("leader"), max_length=100)
    leader_title = models.CharField(_("leader's post"), max_length=100, blank=True)
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="led_teams", verbose_name=_("lead unit")
    )
    member_units = models.ManyToManyField(Unit, blank=True, related_name="teams", verbose_name=_("member units"))
    categories = models.ManyToManyField(Category, blank=True, related_name="teams", verbose_name=_("categories covered"))

    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("special team")
        verbose_name_plural = _("special teams")
        ordering = ["code"]


class SamplePoint(models.Model):
    """A concrete place the assessors may visit (样本点)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="sample_points", verbose_name=_("category")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="sample_points", verbose_name=_("district")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="sample_points", verbose_name=_("grid")
    )
    road = models.ForeignKey(
        Road, on_delete=models.PROTECT, null=True, blank=True, related_name="sample_points", verbose_name=_("road")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="sample_points",
        verbose_name=_("responsible unit"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="sample_points", verbose_name=_("special team")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SamplePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("sample point")
        verbose_name_plural = _("sample points")
        ordering = ["code"]
        constraints = [
            # The same place is listed once per district and category; imports report repeats.
            models.UniqueConstraint(fields=["district", "category", "name"], name="sample_point_once_per_place"),
        ]
        indexes = [
            models.Index(fields=["district", "category"]),
            models.Index(fields=["responsible_unit"]),
            models.Index(fields=["team"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        for field in ("grid", "road"):
            area = getattr(self, field)
            if area is not None and self.district_id and area.district_id != self.district_id:
                raise ValidationError({field: _("It lies in another district.")})


class Indicator(BilingualName):
    """A core indicator with its target (e.g. household garbage harmless treatment ≥ 100 %)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="indicators",
        limit_choices_to={"kind": CategoryKind.STANDARD}, verbose_name=_("standard category"),
    )
    unit_of_measure = models.CharField(_("unit of measure"), max_length=30, default="%")
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    direction = models.CharField(
        _("direction"), max_length=10, choices=IndicatorDirection.choices, default=IndicatorDirection.AT_LEAST
    )

    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("core indicator")
        verbose_name_plural = _("core indicators")
        ordering = ["code"]

    def is_met(self, value: Decimal | None) -> bool | None:
        if value is None:
            return None
        if self.direction == IndicatorDirection.AT_LEAST:
            return value >= self.target
        return value <= self.target


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly value")
        verbose_name_plural = _("monthly values")
        ordering = ["indicator", "month"]
        constraints = [models.UniqueConstraint(fields=["indicator", "month"], name="one_value_per_month")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.month:%Y-%m}"

    def clean(self):
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Give the first day of the month.")})


# --- People --------------------------------------------------------------------------------------

SCOPE_FIELD_BY_ROLE = {
    Role.TEAM_LEAD: "team",
    Role.DISTRICT_LEAD: "district",
    Role.UNIT_HANDLER: "unit",
    Role.GRID_CHIEF: "grid",
    Role.ROAD_CHIEF: "road",
}


class User(AbstractUser):
    """A person with one role and, for scoped roles, the team, district or unit it covers."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    post = models.CharField(_("post"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.INSPECTOR)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("special team"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("district")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("unit"))
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="chiefs",
                             verbose_name=_("grid"))
    road = models.ForeignKey(Road, on_delete=models.PROTECT, null=True, blank=True, related_name="chiefs",
                             verbose_name=_("road"))

    objects = UserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def clean(self):
        super().clean()
        required = SCOPE_FIELD_BY_ROLE.get(self.role)
        if required and not getattr(self, f"{required}_id"):
            raise ValidationError({required: _("This role needs a scope: choose one.")})

    @property
    def sees_whole_city(self) -> bool:
        return _sees_whole_city(self)

    @property
    def chief_cell(self):
        """The grid of a grid chief or the road of a road chief (None for other roles)."""
        if self.role == Role.GRID_CHIEF:
            return self.grid
        if self.role == Role.ROAD_CHIEF:
            return self.road
        return None

    def chief_cell_q(self, prefix: str = "") -> Q:
        """The rows (with ``grid``/``road`` fields under ``prefix``) in this chief's cell; none
        for a chief without one. A grid chief answers for a grid, a road chief for a road."""
        if self.role == Role.GRID_CHIEF:
            return Q(**{f"{prefix}grid_id": self.grid_id or -1})
        if self.role == Role.ROAD_CHIEF:
            return Q(**{f"{prefix}road_id": self.road_id or -1})
        return Q(pk__in=[])

    @property
    def can_manage_structure(self) -> bool:
        """HQ staff set up the structure and manage people; nobody else writes it."""
        return self.is_active and (self.is_superuser or self.role == Role.HQ_STAFF)

    @property
    def scope_label(self) -> str:
        """The name of what the person covers (their district, unit, …) or "Whole city". Every
        page's header shows it: kept per process for SCOPE_LABEL_SECONDS (as the header's
        current campaign is), so a page does not load the district again to name it."""
        field = SCOPE_FIELD_BY_ROLE.get(self.role)
        if field is None and self.role == Role.INSPECTOR and self.district_id:
            field = "district"
        target_id = getattr(self, f"{field}_id") if field else None
        if target_id is None:
            return str(_("Whole city"))
        key = (field, target_id, translation.get_language())
        now = time.monotonic()
        kept = _scope_labels.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        label = str(getattr(self, field))
        if len(_scope_labels) >= 4096:
            _scope_labels.clear()
        _scope_labels[key] = (now + SCOPE_LABEL_SECONDS, label)
        return label


# User.scope_label's names, per process: (field, id, language) -> (until, name). Forgotten in this
# process when any team, district, unit, grid or road is saved or deleted; other processes
# show a renamed one's new name within SCOPE_LABEL_SECONDS.
SCOPE_LABEL_SECONDS = 60
_scope_labels: dict = {}


def forget_scope_labels(**_kwargs) -> None:
    _scope_labels.clear()


def cell_chiefs(*, grid_id: int | None, road_id: int | None):
    """The active grid chiefs of a grid and road chiefs of a road (either may be None): who
    answers for a place in those cells."""
    cells = Q(pk__in=[])
    if grid_id:
        cells |= Q(role=Role.GRID_CHIEF, grid_id=grid_id)
    if road_id:
        cells |= Q(role=Role.ROAD_CHIEF, road_id=road_id)
    return User.objects.filter(cells, is_active=True)


# --- Imports -------------------------------------------------------------------------------------


class SamplePointImport(ClaimedJob):
    """One upload of a sample-point list: previewed, then written all or nothing."""

    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to="imports/sample_points/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    defaults = models.JSONField(_("values for the whole file"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("sample points created"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # A large file is checked by the worker: queued with preview_only, it ends 'previewed'.
    preview_only = models.BooleanField(_("check only"), default=False)
    summary = models.JSONField(_("preview"), default=dict, blank=True)

    class Meta:
        verbose_name = _("sample point import")
        verbose_name_plural = _("sample point imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))


# --- Exports of lists ----------------------------------------------------------------------------


class ExportJob(ExportJobFields):
    """A large export of one of the site's lists (``campaign.exporting``: sample points,
    inspections, sheets…), written by the worker for the person who asked for it. ``kind``
    names the list in the export registry."""

    kind = models.CharField(_("list"), max_length=40)
    file = models.FileField(_("file"), upload_to="exports/lists/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("list export")
        verbose_name_plural = _("list exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} export #{self.pk}"


# --- Audit trail ---------------------------------------------------------------------------------


class AuditEntry(models.Model):
    """One sign-in, failed sign-in, change of a person's role or scope, or export: append-only.

    Written only by ``campaign.services.audit.audit_record``; PostgreSQL refuses to update or
    delete these rows (migration ``audit_trail``). The actor is kept by id without a foreign-key
    constraint and by name, so an entry outlives its account and names who typed a wrong name.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
                              related_name="+", verbose_name=_("person"))
    actor_name = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices, db_index=True)
    target = models.CharField(_("what"), max_length=255, blank=True)
    scope = models.CharField(_("scope"), max_length=255, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.get_action_display()} {self.target}"


# --- Public pages' guard (campaign/public_guard) -----------------------------------------------


class PublicActionCount(models.Model):
    """How many times one client address or mobile number did one kind of public action on one
    day, or (kind ``spent-challenge``) that one proof-of-work challenge was spent. The address and the
    number are kept only as a keyed digest (HMAC with SECRET_KEY), never in clear.

    Written only by ``campaign.public_guard`` with one upsert per key, inside the caller's
    transaction, so the count holds across processes and workers; rows older than yesterday are
    purged daily (``campaign.tasks.public_action_counts_purge``)."""

    kind = models.CharField(_("kind"), max_length=40)
    key_digest = models.CharField(_("key digest"), max_length=64)
    day = models.DateField(_("day"), db_index=True)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("public action count")
        verbose_name_plural = _("public action counts")
        constraints = [models.UniqueConstraint(fields=["kind", "key_digest", "day"], name="public_action_count_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} {self.key_digest[:8]}… {self.count}"


# --- Idempotency keys (campaign/idempotency.py) -------------------------------------------------


class IdempotencyKey(models.Model):
    """One unsafe API request sent with an ``Idempotency-Key`` header, and the answer it got, so
    a repeat of it (a phone's queue sending again after a lost answer) is answered the same
    without running twice.

    Written only by ``campaign.idempotency.IdempotencyMiddleware``, in the same transaction as
    the request's own writes: a row exists exactly when those writes were committed. The unique
    constraint is what makes a concurrent repeat wait for the first (PostgreSQL's unique insert).
    Rows older than IDEMPOTENCY_KEY_DAYS are deleted daily (``campaign.tasks.idempotency_keys_purge``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    key = models.CharField(_("key"), max_length=200)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=2000)
    request_digest = models.CharField(_("request digest"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("answer status"), null=True, blank=True)
    content_type = models.CharField(_("answer content type"), max_length=200, blank=True)
    body = models.BinaryField(_("answer body"), blank=True, default=b"")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} {self.method} {self.path} → {self.status_code}"
