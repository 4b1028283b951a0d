"""Pairing (结对帮扶): a civilized unit paired with a community, the pair's tasks (activities,
help with key public-health projects) with due dates and evidence, and the unit's visits.

Who sees what (``visible_to``; out of scope is a 404): HQ staff and leaders every pair; a
district lead the pairs of their district's communities; a unit handler their own unit's pairs;
anyone else none. HQ staff set pairs and tasks up; the unit's handler records tasks done and
visits (programme/services/pairing.py). Every change is a ``PairingEvent``; nothing is deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from campaign.models import Community, Unit

from ..choices import PairingAction, PairTaskKind, PairTaskStatus


def _staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.role != Role.PUBLIC))


def sees_all_pairs(user) -> bool:
    return user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER)


def may_see_pairing(user) -> bool:
    """Who has pairing pages at all (others get a 404): HQ, leaders, district leads, unit handlers."""
    return _staff(user) and (sees_all_pairs(user) or user.role in (Role.DISTRICT_LEAD, Role.UNIT_HANDLER))


def manages_pairs(user) -> bool:
    """HQ staff set pairs and their tasks up."""
    return bool(_staff(user) and (user.is_superuser or user.role == Role.HQ_STAFF))


def pair_scope(user, prefix: str = "") -> Q | None:
    """The pairs ``user`` may see, as a filter on ``prefix`` + pair fields (None: all)."""
    if not _staff(user):
        return Q(pk__in=[])
    if sees_all_pairs(user):
        return None
    if user.role == Role.DISTRICT_LEAD:
        return Q(**{f"{prefix}community__district_id": user.district_id or -1})
    if user.role == Role.UNIT_HANDLER:
        return Q(**{f"{prefix}unit_id": user.unit_id or -1})
    return Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})


class _ScopedByPair(models.QuerySet):
    prefix = ""

    def visible_to(self, user):
        scope = pair_scope(user, self.prefix)
        return self if scope is None else self.filter(scope)


class PairQuerySet(_ScopedByPair):
    pass


class PairTaskQuerySet(_ScopedByPair):
    prefix = "pair__"


class Pair(models.Model):
    """A unit paired with a community for a period. Ended pairs stay (inactive) with their record."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pairs", verbose_name=_("unit"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="pairs",
                                  verbose_name=_("community"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = PairQuerySet.as_manager()

    class Meta:
        verbose_name = _("pair")
        verbose_name_plural = _("pairs")
        ordering = ["community__district__code", "community__name", "unit__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "community"], condition=Q(active=True),
                                    name="one_active_pair_per_unit_and_community"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.community}"

    @property
    def percent(self) -> int:
        """Tasks done ÷ tasks (not cancelled) × 100, rounded down; needs the progress annotations
        (programme/selectors/pairing.py ``with_progress``)."""
        total = getattr(self, "tasks_total", 0)
        return self.tasks_done * 100 // total if total else 0


class PairTask(models.Model):
    """A task of a pair, due on a date; done with evidence (a note, photos)."""

    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("pair"))
    kind = models.CharField(_("kind"), max_length=20, choices=PairTaskKind.choices, default=PairTaskKind.ACTIVITY)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=PairTaskStatus.choices,
                              default=PairTaskStatus.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence_note = models.TextField(_("evidence"), blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = PairTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("pair task")
        verbose_name_plural = _("pair tasks")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        return self.status == PairTaskStatus.PLANNED and self.due_on < today


class PairVisit(models.Model):
    """A visit of the unit to its community: when, who went, what was done."""

    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="visits", verbose_name=_("pair"))
    visited_on = models.DateField(_("visited on"))
    visitors = models.CharField(_("who visited"), max_length=300)
    work_done = models.TextField(_("what was done"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = PairTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("pair visit")
        verbose_name_plural = _("pair visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.pair} {self.visited_on}"


class PairPhoto(models.Model):
    """A photo of a task's evidence or of a visit (stored through campaign/photos.py)."""

    task = models.ForeignKey(PairTask, on_delete=models.PROTECT, null=True, blank=True, related_name="photos")
    visit = models.ForeignKey(PairVisit, on_delete=models.PROTECT, null=True, blank=True, related_name="photos")
    image = models.ImageField(_("photo"), width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"))
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pairing photo")
        verbose_name_plural = _("pairing photos")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(task__isnull=False) ^ Q(visit__isnull=False),
                                   name="pair_photo_of_task_or_visit"),
        ]

    def __str__(self) -> str:
        return f"photo {self.pk}"


class PairingEvent(models.Model):
    """One change of a pair, a task or a visit: who, when, from what, to what, why. Append-only."""

    pair = models.ForeignKey(Pair, on_delete=models.PROTECT, related_name="events")
    task = models.ForeignKey(PairTask, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    visit = models.ForeignKey(PairVisit, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    action = models.CharField(_("action"), max_length=30, choices=PairingAction.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    reason = models.TextField(_("why"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("pairing event")
        verbose_name_plural = _("pairing events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"
