"""The supervision cycle: recurring round plans ("every two weeks, routine supervision of each
category with these quotas", "every quarter, an appraisal", cross-inspection between districts)
and the rounds each made, one per plan and period."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from campaign.models import Category, District
from inspections.models import Round

from ..choices import Recurrence, RoundPlanAction, RoundPlanKind


class RoundPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """HQ staff and leaders see every plan; a district lead and an inspector the city's plans
        and their district's (a city inspector the city's); others none."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
            return self
        if user.role in (Role.DISTRICT_LEAD, Role.INSPECTOR):
            return self.filter(Q(district__isnull=True) | Q(district_id=user.district_id or -1))
        return self.none()


class RoundPlan(models.Model):
    """A round that repeats: each period (every N weeks from the anchor date, or each calendar
    quarter from the anchor's) the sweep makes one round of it, drawn and assigned."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=RoundPlanKind.choices)
    recurrence = models.CharField(_("recurrence"), max_length=20, choices=Recurrence.choices,
                                  default=Recurrence.WEEKS)
    every_weeks = models.PositiveSmallIntegerField(
        _("every N weeks"), null=True, blank=True, help_text=_("For a plan that repeats every N weeks."))
    anchor = models.DateField(_("first period starts on"),
                              help_text=_("Periods of N weeks count from this day; a quarterly plan starts "
                                          "with the quarter that holds it."))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="round_plans",
        verbose_name=_("district"), help_text=_("Empty: the whole city (a cross-inspection plan always is)."),
    )
    exclude_inspected_days = models.PositiveSmallIntegerField(
        _("leave out points inspected in the last N days"), null=True, blank=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="round_plans", verbose_name=_("inspectors"),
        help_text=_("The points of each round are shared among them. A cross-inspection plan uses every "
                    "active inspector of a district instead, in a rotation."),
    )
    active = models.BooleanField(_("active"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"),
        help_text=_("The member of HQ staff in whose name the rounds are made: who last saved or resumed it."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    objects = RoundPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("round plan")
        verbose_name_plural = _("round plans")
        ordering = ["-active", "name", "id"]
        constraints = [
            models.CheckConstraint(
                name="round_plan_weeks_need_n",
                condition=~Q(recurrence="weeks") | Q(every_weeks__gte=1),
            ),
            models.CheckConstraint(
                name="round_plan_cross_is_citywide",
                condition=~Q(kind="cross") | Q(district__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def period_of(self, day: dt.date) -> tuple[dt.date, dt.date] | None:
        """The period (first and last day) of this plan that holds ``day``; None before the first."""
        if self.recurrence == Recurrence.QUARTERLY:
            start, end = quarter_of(day)
            return (start, end) if end >= self.anchor else None
        if day < self.anchor:
            return None
        length = 7 * self.every_weeks
        start = self.anchor + dt.timedelta(days=(day - self.anchor).days // length * length)
        return start, start + dt.timedelta(days=length - 1)

    def period_index(self, start: dt.date) -> int:
        """How many periods of this plan came before the one starting on ``start`` (0 for the first)."""
        if self.recurrence == Recurrence.QUARTERLY:
            first, _end = quarter_of(self.anchor)
            return (start.year - first.year) * 4 + (start.month - first.month) // 3
        return (start - self.anchor).days // (7 * self.every_weeks)


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarter (first and last day) that holds ``day``."""
    first = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    following = dt.date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


class RoundPlanQuota(models.Model):
    plan = models.ForeignKey(RoundPlan, on_delete=models.CASCADE, related_name="quotas")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    quota = models.PositiveIntegerField(_("points to draw"))

    class Meta:
        ordering = ["plan", "category__order"]
        constraints = [models.UniqueConstraint(fields=["plan", "category"], name="round_plan_one_quota_per_category")]

    def __str__(self) -> str:
        return f"{self.category}: {self.quota}"


class PlanRound(models.Model):
    """The round a plan made for one period. The unique (plan, period_start) is the claim: the
    sweep inserts this row first, so a second sweep (beat firing twice, two beats at once) finds
    the period taken and makes nothing."""

    plan = models.ForeignKey(RoundPlan, on_delete=models.PROTECT, related_name="plan_rounds",
                             verbose_name=_("round plan"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    round = models.OneToOneField(Round, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_round",
                                 verbose_name=_("inspection round"))
    made_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        verbose_name = _("round of a plan")
        verbose_name_plural = _("rounds of plans")
        ordering = ["plan", "-period_start"]
        constraints = [models.UniqueConstraint(fields=["plan", "period_start"], name="plan_round_once_per_period")]

    def __str__(self) -> str:
        return f"{self.plan} {self.period_start}"


class RoundPlanEvent(models.Model):
    """A plan's history: who created, changed, paused or resumed it and when, with what changed,
    and each time the sweep could not make its round (and why)."""

    plan = models.ForeignKey(RoundPlan, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=RoundPlanAction.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("round plan event")
        verbose_name_plural = _("round plan events")
        ordering = ["plan", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.get_action_display()}"
