"""Checklists per category (versioned), inspections of sample points with a result per item,
and inspection rounds drawn at random like the assessors' draw.

Scoring rule (documented on the inspection page): 100 minus the points of every failed item,
never below 0; a failed veto item gives 0. Items marked not applicable cost nothing.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from campaign.models import Category, District, SamplePoint
from ledger.choices import Severity

from .choices import InspectionKind, InspectionStatus, Outcome, RoundStatus


def _english() -> bool:
    from django.utils import translation

    return (translation.get_language() or "").startswith("en")


class Checklist(models.Model):
    """The checklist of one category; its items live in versions."""

    category = models.OneToOneField(Category, on_delete=models.PROTECT, related_name="checklist", verbose_name=_("category"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["category__order", "category__code"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self):
        return self.versions.order_by("-number").first()


class ChecklistVersion(models.Model):
    """An immutable-once-used list of items. Changing a used version makes a new one, so old
    inspections keep the items they were scored on."""

    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(_("what changed"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        ordering = ["checklist", "-number"]
        constraints = [models.UniqueConstraint(fields=["checklist", "number"], name="one_version_number")]

    def __str__(self) -> str:
        return f"{self.checklist} v{self.number}"

    @property
    def is_used(self) -> bool:
        return self.inspections.exists()


class ChecklistItem(models.Model):
    version = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(_("code"), max_length=30)
    text_zh = models.CharField(_("Chinese text"), max_length=500)
    text_en = models.CharField(_("English text"), max_length=500)
    points = models.DecimalField(_("points lost on failure"), max_digits=5, decimal_places=1)
    severity = models.CharField(_("severity of the problem"), max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    veto = models.BooleanField(_("veto"), default=False, help_text=_("Failing it fails the point outright (score 0)."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["version", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="item_code_once_per_version")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def text(self) -> str:
        return self.text_en if (_english() and self.text_en) else self.text_zh


class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Inspectors see the inspections they take part in or were assigned in a round;
        district leads their district's; HQ and leaders all; team leads their team's points, unit
        handlers their unit's and grid and road chiefs their cell's."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
            return self
        if user.role == Role.INSPECTOR:
            return self.filter(Q(inspectors=user) | Q(created_by=user) | Q(round_point__inspector=user)).distinct()
        if user.role in (Role.DISTRICT_LEAD, Role.TEAM_LEAD, Role.UNIT_HANDLER, Role.GRID_CHIEF, Role.ROAD_CHIEF):
            return self.filter(sample_point__in=SamplePoint.objects.visible_to(user))
        return self.none()


class RoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        """HQ and leaders see every round; a district lead the city's and their district's;
        an inspector the rounds they have points in."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
            return self
        if user.role == Role.DISTRICT_LEAD:
            return self.filter(Q(district_id=user.district_id) | Q(district__isnull=True))
        if user.role == Role.INSPECTOR:
            return self.filter(points__inspector=user).distinct()
        return self.none()


class Round(models.Model):
    """An inspection round ("unannounced visit, week 47"): points drawn at random per category."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="rounds",
        verbose_name=_("district"), help_text=_("Empty: the whole city."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    exclude_inspected_days = models.PositiveSmallIntegerField(
        _("leave out points inspected in the last N days"), null=True, blank=True
    )
    seed = models.BigIntegerField(_("draw seed"), null=True, blank=True)
    # Cross-inspection (互查): every point goes to an inspector of another district than the
    # point's (services.round_assign / round_point_reassign refuse anything else).
    cross_inspection = models.BooleanField(
        _("cross-inspection"), default=False,
        help_text=_("Inspectors come from other districts than the points they inspect."),
    )
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.PLANNED)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class RoundQuota(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="quotas")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    quota = models.PositiveIntegerField(_("points to draw"))

    class Meta:
        ordering = ["round", "category__order"]
        constraints = [models.UniqueConstraint(fields=["round", "category"], name="one_quota_per_category")]

    def __str__(self) -> str:
        return f"{self.category}: {self.quota}"


class RoundPoint(models.Model):
    """A point drawn in a round, and the inspector who must inspect it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="points")
    sample_point = models.ForeignKey(SamplePoint, on_delete=models.PROTECT, related_name="round_points")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    draw_order = models.PositiveIntegerField()
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="round_points",
        verbose_name=_("inspector"),
    )

    class Meta:
        ordering = ["round", "category__order", "draw_order"]
        constraints = [models.UniqueConstraint(fields=["round", "sample_point"], name="point_once_per_round")]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.sample_point_id}"


class Inspection(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    sample_point = models.ForeignKey(SamplePoint, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("sample point"))
    checklist_version = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="inspections")
    round_point = models.OneToOneField(
        RoundPoint, on_delete=models.PROTECT, null=True, blank=True, related_name="inspection"
    )
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inspections", verbose_name=_("inspectors"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    location_accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # An external record this inspection was imported from (e.g. a LIVES inspection id).
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True, db_index=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["sample_point", "status", "-submitted_at"], name="inspection_point_latest"),
            models.Index(fields=["status", "submitted_at"], name="inspection_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sample_point} {self.started_at:%Y-%m-%d}"

    @property
    def is_locked(self) -> bool:
        return self.status == InspectionStatus.SUBMITTED


class ItemResult(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="results")
    outcome = models.CharField(_("result"), max_length=4, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        ordering = ["inspection", "item__order"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="one_result_per_item")]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.outcome}"


class ResultPhoto(models.Model):
    """A photo taken for an item in the field; becomes a before-photo of the problem it raises."""

    result = models.ForeignKey(ItemResult, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="inspections/photos/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="inspections/photos/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.result_id} photo {self.pk}"


def score_of(results) -> Decimal:
    """The documented scoring rule: 100 minus points lost, a failed veto item gives 0."""
    lost = Decimal("0")
    for result in results:
        if result.outcome != Outcome.FAIL:
            continue
        if result.item.veto:
            return Decimal("0")
        lost += result.item.points
    return max(Decimal("0"), Decimal("100") - lost)
