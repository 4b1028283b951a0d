"""Special actions (专项行动): an action with a lead team, its units and a period, and its target
list of objects (the 138 public toilets to upgrade, a district's "five small" stores, …).

Each object moves through not started → in progress → done → verified, every step an
append-only ``TargetEvent`` (who, when, from, to, why) with its before/after photos. State
changes only in programme/services/actions.py; scoping by ``visible_to`` (README "Special
actions").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import ImportStatus, Role
from campaign.models import BilingualName, District, SamplePoint, Team, Unit
from ledger.choices import PhotoKind

from ..choices import TargetStatus, TargetStep

WHOLE_CITY = (Role.HQ_STAFF, Role.LEADER)


def _staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role != Role.PUBLIC))


def _whole_city(user) -> bool:
    return user.is_superuser or user.role in WHOLE_CITY


class SpecialActionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """HQ and leaders: every action; a team lead: their team's; a district lead: the actions
        with objects in their district; a unit handler: those with objects of their unit."""
        if not _staff(user):
            return self.none()
        if _whole_city(user):
            return self
        if user.role == Role.TEAM_LEAD:
            return self.filter(team_id=user.team_id or -1)
        if user.role == Role.DISTRICT_LEAD:
            return self.filter(pk__in=ActionTarget.objects.filter(district_id=user.district_id or -1)
                               .values("action_id"))
        if user.role == Role.UNIT_HANDLER:
            return self.filter(pk__in=ActionTarget.objects.filter(unit_id=user.unit_id or -1).values("action_id"))
        return self.none()


class SpecialAction(BilingualName):
    """An action of the campaign with a lead team and units, a period and a target list."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="special_actions",
                             verbose_name=_("lead team"))
    units = models.ManyToManyField(Unit, blank=True, related_name="special_actions", verbose_name=_("units"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = SpecialActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("special action")
        verbose_name_plural = _("special actions")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="special_action_name_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="special_action_period_ordered"),
        ]


class ActionTargetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """HQ and leaders: all; a team lead: their team's actions' objects; a district lead: the
        objects in their district; a unit handler: their unit's objects."""
        if not _staff(user):
            return self.none()
        if _whole_city(user):
            return self
        if user.role == Role.TEAM_LEAD:
            return self.filter(action__team_id=user.team_id or -1)
        if user.role == Role.DISTRICT_LEAD:
            return self.filter(district_id=user.district_id or -1)
        if user.role == Role.UNIT_HANDLER:
            return self.filter(unit_id=user.unit_id or -1)
        return self.none()


class ActionTarget(models.Model):
    """One object of an action's target list, with its target state, unit and deadline."""

    action = models.ForeignKey(SpecialAction, on_delete=models.PROTECT, related_name="targets",
                               verbose_name=_("special action"))
    name = models.CharField(_("name"), max_length=200)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="action_targets",
                                 verbose_name=_("district"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    sample_point = models.ForeignKey(SamplePoint, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="action_targets", verbose_name=_("sample point"))
    target_state = models.TextField(_("target state"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="action_targets",
                             verbose_name=_("responsible unit"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=20, choices=TargetStatus.choices,
                              default=TargetStatus.NOT_STARTED)
    version = models.PositiveIntegerField(default=1)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The time of the last step: a report as of an earlier moment reads the history only of the
    # objects that changed since (programme.selectors.actions.actions_progress_section).
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = ActionTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("action object")
        verbose_name_plural = _("action objects")
        ordering = ["action", "district", "name", "id"]
        constraints = [
            # An object is listed once per action (imports and picks report a repeat).
            models.UniqueConstraint(fields=["action", "district", "name"], name="action_target_once"),
        ]
        indexes = [
            models.Index(fields=["action", "status"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["district", "status"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def overdue(self) -> bool:
        return self.status in (TargetStatus.NOT_STARTED, TargetStatus.IN_PROGRESS) and (
            self.deadline < timezone.localdate())


class TargetEvent(models.Model):
    """One step of an object (append-only): who, when, from which state to which, and why."""

    target = models.ForeignKey(ActionTarget, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    step = models.CharField(_("step"), max_length=20, choices=TargetStep.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("action object step")
        verbose_name_plural = _("action object steps")
        ordering = ["target", "seq"]
        constraints = [models.UniqueConstraint(fields=["target", "seq"], name="target_event_seq_once")]
        indexes = [models.Index(fields=["to_status", "at"])]

    def __str__(self) -> str:
        return f"{self.target_id}#{self.seq} {self.step}"


def target_photo_path(instance, filename):
    return f"programme/actions/{instance.target_id}/{filename}"


class TargetPhoto(models.Model):
    """A before- or after-photo of an object, stored through campaign/photos.py."""

    target = models.ForeignKey(ActionTarget, on_delete=models.PROTECT, related_name="photos")
    event = models.ForeignKey(TargetEvent, on_delete=models.PROTECT, related_name="photos")
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    image = models.ImageField(_("photo"), upload_to=target_photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), upload_to=target_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action object photo")
        verbose_name_plural = _("action object photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.target_id} {self.kind} {self.pk}"


def import_file_path(instance, filename):
    return f"programme/imports/{instance.action_id}/{filename}"


class ActionImport(models.Model):
    """An uploaded target list: checked (previewed) first, written on confirmation, all or
    nothing. Kept with its errors as the record of what was loaded."""

    action = models.ForeignKey(SpecialAction, on_delete=models.PROTECT, related_name="imports")
    file = models.FileField(upload_to=import_file_path)
    file_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices,
                              default=ImportStatus.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("action object import")
        verbose_name_plural = _("action object imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action_id} {self.file_name}"
