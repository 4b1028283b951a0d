"""Escalation and accountability (督办 → 约谈 → 问责).

- ``EscalationRule``: the thresholds HQ sets (one row per step of the ladder).
- ``SupervisionNotice`` (督办单): issued by the daily sweep to a unit for its problems overdue
  past the notice threshold, numbered 督办〔2026〕第0001号 from a per-year counter.
- ``Escalation``: a unit on HQ's interview list (约谈) or an accountability proposal (问责建议),
  open until HQ decides it (an ``AccountabilityRecord``) or dismisses it with a reason.
- ``AccountabilityRecord``: 通报批评, 约谈, 诫勉谈话 … (kinds HQ defines) against a unit and, where
  named, a person, with the problems it concerns. Revoked with a reason, never deleted.

Idempotency is the database's: a unit gets at most one notice a day and a problem appears on
one notice per unit, one interview listing and one open proposal per unit (unique constraints),
so a sweep run twice, or by two workers at once, issues nothing twice.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from campaign.models import BilingualName, District, Unit
from ledger.models import Problem

from .choices import EscalationStatus, EscalationStep, RecordStatus


def _unit_scope(queryset, user, *, unit_field: str = "unit"):
    """HQ staff and leaders: all; a district lead: their district's units; a team lead: their
    team's units; a unit handler: their own unit; anyone else nothing."""
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
        return queryset
    if user.role == Role.DISTRICT_LEAD:
        return queryset.filter(**{f"{unit_field}__district_id": user.district_id or -1})
    if user.role == Role.UNIT_HANDLER:
        return queryset.filter(**{f"{unit_field}_id": user.unit_id or -1})
    if user.role == Role.TEAM_LEAD and user.team_id:
        units = Unit.objects.filter(Q(teams=user.team_id) | Q(led_teams=user.team_id)).values("pk")
        return queryset.filter(**{f"{unit_field}__in": units})
    return queryset.none()


class UnitScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _unit_scope(self, user)


def sees_hq_lists(user) -> bool:
    """HQ's lists (interview list, proposals): HQ staff and leaders only."""
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER)))


class HQOnlyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if sees_hq_lists(user) else self.none()


class EscalationRule(models.Model):
    """One step of the ladder as HQ sets it. Notice and interview: ``threshold`` days overdue.
    Proposal: ``threshold`` supervision notices to one unit within ``period_days`` days."""

    step = models.CharField(_("step"), max_length=20, choices=EscalationStep.choices, unique=True)
    threshold = models.PositiveSmallIntegerField(
        _("threshold"), validators=[MinValueValidator(1)],
        help_text=_("Days overdue (notice, interview), or notices within the period (proposal)."))
    period_days = models.PositiveSmallIntegerField(
        _("period (days)"), default=90, validators=[MinValueValidator(1)],
        help_text=_("Proposal only: the notices counted are those issued in this many days."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["step"]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.threshold}"


class NoticeCounter(models.Model):
    """The last supervision-notice number of a year, taken in one statement."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class SupervisionNotice(models.Model):
    number = models.CharField(_("number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="supervision_notices",
                             verbose_name=_("unit"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("district"))
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    threshold_days = models.PositiveSmallIntegerField(_("days overdue at least"))
    problems = models.ManyToManyField(Problem, through="SupervisionNoticeItem", related_name="supervision_notices")

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_on", "-serial"]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="notice_serial_unique_in_year"),
            models.UniqueConstraint(fields=["unit", "issued_on"], name="notice_once_a_day_per_unit"),
        ]

    def __str__(self) -> str:
        return self.number


class SupervisionNoticeItem(models.Model):
    notice = models.ForeignKey(SupervisionNotice, on_delete=models.PROTECT, related_name="items")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="+")
    # The unit the notice went to: a problem reassigned elsewhere may be noticed to its new unit.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    line = models.PositiveSmallIntegerField(_("No."))
    deadline = models.DateField(_("deadline"))
    days_overdue = models.PositiveIntegerField(_("days overdue"))

    class Meta:
        ordering = ["notice", "line"]
        constraints = [models.UniqueConstraint(fields=["unit", "problem"], name="notice_problem_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.line}"


class Escalation(models.Model):
    """A unit on HQ's interview list, or an accountability proposal: open until HQ decides."""

    step = models.CharField(_("step"), max_length=20, choices=EscalationStep.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="escalations", verbose_name=_("unit"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("district"))
    opened_on = models.DateField(_("opened on"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=EscalationStatus.choices,
                              default=EscalationStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    dismiss_reason = models.TextField(_("reason dismissed"), blank=True)
    problems = models.ManyToManyField(Problem, through="EscalationItem", related_name="escalations")
    notices = models.ManyToManyField(SupervisionNotice, through="ProposalNotice", related_name="proposals")

    objects = HQOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "step"], condition=Q(status=EscalationStatus.OPEN),
                                    name="escalation_one_open_per_unit_and_step"),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} · {self.unit}"


class EscalationItem(models.Model):
    """A problem that put its unit on the interview list (once per problem)."""

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="items")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=20, choices=EscalationStep.choices)
    days_overdue = models.PositiveIntegerField(_("days overdue"))

    class Meta:
        ordering = ["escalation", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "problem"], name="escalation_problem_once_per_step")]

    def __str__(self) -> str:
        return f"{self.escalation_id}: {self.problem_id}"


class ProposalNotice(models.Model):
    """A supervision notice counted towards a proposal (each notice counts once)."""

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(SupervisionNotice, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice"], name="notice_on_one_proposal")]

    def __str__(self) -> str:
        return f"{self.escalation_id}: {self.notice_id}"


class AccountabilityKind(BilingualName):
    """A kind of accountability HQ defines: 通报批评, 约谈, 诫勉谈话, …"""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("kind of accountability")
        verbose_name_plural = _("kinds of accountability")
        ordering = ["order", "code"]


class AccountabilityRecord(models.Model):
    kind = models.ForeignKey(AccountabilityKind, on_delete=models.PROTECT, related_name="records",
                             verbose_name=_("kind"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="accountability_records",
                             verbose_name=_("unit"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("district"))
    person_name = models.CharField(_("person"), max_length=100, blank=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="accountability_records", verbose_name=_("person's account"))
    reason = models.TextField(_("grounds"))
    decided_on = models.DateField(_("decided on"))
    decided_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    escalation = models.OneToOneField(Escalation, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="record", verbose_name=_("from"))
    problems = models.ManyToManyField(Problem, blank=True, related_name="accountability_records",
                                      verbose_name=_("problems"))
    status = models.CharField(_("status"), max_length=20, choices=RecordStatus.choices,
                              default=RecordStatus.IN_FORCE)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    revoke_reason = models.TextField(_("reason revoked"), blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["unit", "decided_on"], name="record_unit_decided")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.unit}"
