"""The public channel (脏乱差有奖举报): reports residents make without an account, what the
moderators decided, the reporter's rating, rewards, and the keys of Open311 clients.

A report's own fields are what the resident sent and are never changed: a moderator's clearer
description and hidden photos are kept beside them (FixMyStreet's rule). Every move is a
``PublicReportEvent`` written by public_reports/services.py in the same transaction; the
database refuses to change or delete events (and, on PostgreSQL, to delete reports).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from campaign.models import BilingualName, Category, District
from ledger.choices import Severity
from ledger.models import Problem

from .choices import (
    Channel,
    RejectReason,
    ReportAction,
    ReportStatus,
    ReviewState,
    RewardAction,
    RewardStatus,
)


class PublicCategory(BilingualName):
    """One entry of the short list residents choose from, mapped by HQ to a ledger category."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="public_categories",
                                 verbose_name=_("ledger category"))
    hint = models.CharField(_("hint for residents"), max_length=200, blank=True)
    # One word or phrase per line: the suggestion rule for imported messages (selectors.suggest_category).
    keywords = models.TextField(_("keywords"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("offered to residents"), default=True)

    class Meta:
        verbose_name = _("public category")
        verbose_name_plural = _("public categories")
        ordering = ["order", "code"]


class ReportCounter(models.Model):
    """The last tracking number handed out in a year (codes read JB-2026-004217)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Open311Key(models.Model):
    """A key HQ issues to another system to post requests; only its digest is kept."""

    name = models.CharField(_("system"), max_length=200)
    prefix = models.CharField(_("key starts with"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hq_staff(user) -> bool:
    """HQ staff (or a superuser), active: who decides anywhere in the city, reviews ratings,
    approves and pays rewards, and issues Open311 keys."""
    return bool(user and user.is_authenticated and user.is_active and (
        user.is_superuser or user.role == Role.HQ_STAFF))


def moderator_of(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (
        user.is_superuser or user.role in (Role.HQ_STAFF, Role.DISTRICT_LEAD)))


class PublicReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one scoping rule for public reports: HQ and leaders see all, a district lead the
        reports placed in their district, nobody else any (residents follow theirs by code)."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
            return self
        if user.role == Role.DISTRICT_LEAD:
            return self.filter(district_id=user.district_id or -1)
        return self.none()

    def waiting(self):
        return self.filter(status=ReportStatus.RECEIVED)


class PublicReport(models.Model):
    code = models.CharField(_("tracking code"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    public_category = models.ForeignKey(PublicCategory, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="reports", verbose_name=_("category"))
    # As the resident sent it (never changed).
    description = models.TextField(_("description"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    location_accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    reporter_name = models.CharField(_("reporter's name"), max_length=100, blank=True)
    # Normalised mainland mobile number: shown in full to moderators only (campaign.public_guard).
    reporter_mobile = models.CharField(_("reporter's mobile"), max_length=11, blank=True)
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    consent_at = models.DateTimeField(_("accepted the rules at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("reported at"), default=timezone.now)
    # The form's (or client's) key: a retry or a double tap returns the same report.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The secret part of the follow link: only its holder may rate the result.
    follow_secret = models.CharField(max_length=43)
    open311_key = models.ForeignKey(Open311Key, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    # An imported historical message: where it came from and the government's reply.
    imported_ref = models.CharField(_("imported from"), max_length=100, blank=True)
    official_reply = models.TextField(_("reply"), blank=True)

    # Derived from the place when reported, or set by the moderator who accepts it.
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="public_reports", verbose_name=_("district"))

    # Moderation.
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.RECEIVED)
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="public_reports", verbose_name=_("problem"))
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_reports", verbose_name=_("merged into"))
    reject_reason = models.CharField(_("reason"), max_length=20, choices=RejectReason.choices, blank=True)
    decision_note = models.TextField(_("note to the reporter"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # A moderator's edits, beside the original.
    moderated_description = models.TextField(_("description as moderated"), blank=True)

    # The reporter's rating of the result, and HQ's review of an unsatisfied one.
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    review_state = models.CharField(_("review"), max_length=10, choices=ReviewState.choices, blank=True, default="")
    rebound_problem = models.ForeignKey(Problem, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("rebound problem"))

    version = models.PositiveIntegerField(default=1)

    objects = PublicReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="publicreport_status_time"),
            models.Index(fields=["district", "status"], name="publicreport_district_status"),
            models.Index(fields=["reporter_mobile", "submitted_at"], name="publicreport_mobile_time"),
            models.Index(fields=["public_category", "latitude", "longitude"], name="publicreport_cat_place"),
            models.Index(fields=["review_state"], condition=~Q(review_state=""), name="publicreport_review"),
        ]
        constraints = [
            # An imported message is imported once (manage.py import_citizen_messages).
            models.UniqueConstraint(fields=["channel", "imported_ref"], condition=~Q(imported_ref=""),
                                    name="publicreport_imported_once"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def shown_description(self) -> str:
        """What staff and the public read: the moderator's version when there is one."""
        return self.moderated_description or self.description

    @property
    def is_imported(self) -> bool:
        return self.channel == Channel.IMPORTED


class PublicReportPhoto(models.Model):
    report = models.ForeignKey(PublicReport, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(_("photo"), width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"))
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Hidden for privacy by a moderator (a face, a number plate): kept, never shown publicly.
    hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} photo {self.pk}"


class PublicReportEvent(models.Model):
    """One move of a report: who (a staff member, or the public), when, from what, to what, why."""

    report = models.ForeignKey(PublicReport, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=ReportAction.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=ReportStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"


class RewardRule(models.Model):
    """The amount paid for a problem of a public category and severity (blank: any)."""

    public_category = models.ForeignKey(PublicCategory, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="reward_rules", verbose_name=_("category"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("reward rule")
        verbose_name_plural = _("reward rules")
        ordering = ["public_category", "severity"]

    def __str__(self) -> str:
        return f"{self.public_category or '*'} {self.severity or '*'}: {self.amount}"


class RewardPolicy(models.Model):
    """HQ's standing rules: one row (pk 1)."""

    monthly_cap = models.DecimalField(_("cap per person per month (yuan)"), max_digits=8, decimal_places=2,
                                      default=500)
    active = models.BooleanField(_("rewards are paid"), default=True)

    class Meta:
        verbose_name = _("reward policy")
        verbose_name_plural = _("reward policy")

    def __str__(self) -> str:
        return str(_("Reward policy"))

    @classmethod
    def current(cls) -> "RewardPolicy":
        return cls.objects.get_or_create(pk=1)[0]


class Reward(models.Model):
    """One reporter's reward for one report: pending once its problem is verified closed, then
    approved and paid (with the payment reference), or declined with a reason."""

    report = models.OneToOneField(PublicReport, on_delete=models.PROTECT, related_name="reward")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)
    # The month it counts in for the cap and the payment list (the first of the month).
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=RewardStatus.choices, default=RewardStatus.PENDING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("approved by"))
    decided_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("paid by"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["-month", "-created_at"]
        indexes = [models.Index(fields=["month", "status"], name="reward_month_status")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.amount} {self.status}"


class RewardEvent(models.Model):
    """One move of a reward (owed, approved, declined, paid) or of HQ's reward rules and cap:
    who, when, what. Append-only, like the reports' events."""

    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=RewardAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("reward event")
        verbose_name_plural = _("reward events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.reward_id or '-'} {self.action}"
