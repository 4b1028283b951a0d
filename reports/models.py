"""Reports are snapshots: what the ledger and the inspections showed for one period and scope,
computed once by the worker, kept with every later version of the same period."""


from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import District, Unit

from .choices import ReportStatus
from .kinds import KIND_MAX_LENGTH, kind_choices
from .periods import Period

CITY_SCOPE = "city"


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportQuerySet":
        """Who may open which report. HQ and leaders: all. Team, district leads and unit handlers:
        city-wide reports (the page then narrows the lists to their own scope) and their
        district's reports; a report of a kind HQ publishes (the weekly exposure, the monthly
        comparison: reports/kinds) only once published. Others: none."""
        from campaign.choices import Role

        from .kinds import publishing_kinds

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
            return self
        if user.role in (Role.TEAM_LEAD, Role.DISTRICT_LEAD, Role.UNIT_HANDLER):
            scoped = models.Q(district__isnull=True)
            if user.role == Role.DISTRICT_LEAD and user.district_id:
                scoped |= models.Q(district_id=user.district_id)
            draft = models.Q(kind__in=publishing_kinds(), published_at__isnull=True)
            return self.filter(scoped, status=ReportStatus.DONE).exclude(draft)
        return self.none()


class Report(models.Model):
    kind = models.CharField(_("kind"), max_length=KIND_MAX_LENGTH, choices=kind_choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # Scope: the whole city (district empty) or one district.
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("district")
    )
    scope_key = models.CharField(max_length=30, default=CITY_SCOPE, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    failure = models.TextField(_("failure"), blank=True)
    data = models.JSONField(_("figures"), default=dict, blank=True)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )
    scheduled = models.BooleanField(_("produced on schedule"), default=False)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    # Outbox: empty until the job has been handed to the broker.
    sent_at = models.DateTimeField(_("sent to the worker at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The worker that holds the report and until when; another may take it over after that.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    workbook = models.FileField(_("workbook"), upload_to="reports/%Y/", blank=True)
    # A kind HQ publishes (reports/kinds): a draft until HQ publishes it.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "scope_key", "version"], name="report_one_per_kind_period_scope_version"
            ),
        ]
        indexes = [models.Index(fields=["status", "sent_at"], name="report_outbox")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period.label} v{self.version}"

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_end)

    @property
    def kind_publishes(self) -> bool:
        """Whether this report is a draft until HQ publishes it (its kind, reports/kinds)."""
        from .kinds import publishes

        return publishes(self.kind)

    @property
    def is_draft(self) -> bool:
        """Finished, of a kind HQ publishes, and not published yet."""
        return self.kind_publishes and self.status == ReportStatus.DONE and self.published_at is None

    @staticmethod
    def scope_key_for(district: District | None) -> str:
        return f"district-{district.pk}" if district else CITY_SCOPE


class WeeklyTask(models.Model):
    """A free-text task HQ enters before the Monday meeting for the week that starts on
    ``week_start``; the weekly assignment lists it under "this week's tasks"."""

    week_start = models.DateField(_("week starting"))
    text = models.TextField(_("task"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="weekly_tasks", verbose_name=_("unit")
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("weekly task")
        verbose_name_plural = _("weekly tasks")
        ordering = ["week_start", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class OverdueSnapshot(models.Model):
    """How many problems were open past their deadline at the start of ``day`` (Asia/Shanghai),
    per district and responsible unit: written each morning by the daily overdue sweep, a
    day-by-day record HQ reads in the admin. (The dashboard and the reports count overdue at
    any past moment from the ledger's history instead, so their figures agree.)"""

    day = models.DateField(_("day"))
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+", verbose_name=_("district"))
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    overdue = models.PositiveIntegerField(_("overdue problems"))
    # The earliest deadline among them: how long the oldest one has been waiting.
    oldest_deadline = models.DateField(_("oldest deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("overdue snapshot")
        verbose_name_plural = _("overdue snapshots")
        ordering = ["-day", "district_id", "unit_id"]
        indexes = [models.Index(fields=["day", "district"], name="overdue_snapshot_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.district_id}/{self.unit_id}: {self.overdue}"
