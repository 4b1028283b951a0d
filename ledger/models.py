"""The problem ledger (问题台账): problems, their append-only history, evidence photos,
problem classes and assignment sheets.

Nothing here is deleted: a problem that is not one is closed as invalid with a reason. Every
state change is a ``ProblemEvent`` written by a service in ledger/services.py in the same
transaction as the change; events form a hash chain per problem (``manage.py verify_ledger``)
and the database refuses to update them (and, on PostgreSQL, to delete them).
"""

import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import ImportStatus, Role
from campaign.grants import granted
from campaign.jobs import ClaimedJob, ExportJobFields
from campaign.models import CHIEF_ROLES, Category, District, Grid, Road, SamplePoint, Team, Unit

from .choices import (
    OPEN_STATUSES,
    Action,
    ClassAction,
    ClassStatus,
    PhotoKind,
    Severity,
    Source,
    Status,
)


class ProblemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one scoping rule for problems, used by every page, endpoint, export and report."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
            return self
        if user.role == Role.TEAM_LEAD:
            if not user.team_id:
                return self.none()
            team_units = Unit.objects.filter(Q(teams=user.team_id) | Q(led_teams=user.team_id))
            return self.filter(Q(team_id=user.team_id) | Q(responsible_unit__in=team_units))
        if user.role == Role.DISTRICT_LEAD:
            return self.filter(district_id=user.district_id or -1)
        if user.role == Role.UNIT_HANDLER:
            holding = Problem.objects.filter(responsible_unit_id=user.unit_id or -1, problem_class__isnull=False)
            return self.filter(Q(responsible_unit_id=user.unit_id or -1) | Q(pk__in=holding.values("problem_class")))
        if user.role in CHIEF_ROLES:
            return self.filter(user.chief_cell_q())
        if user.role == Role.INSPECTOR:
            if user.district_id:
                area = Q(district_id=user.district_id) | Q(found_by=user)
                # The problems of the points an assignment gives them (campaign/grants.py).
                given = granted(SamplePoint, user)
                if given is not None:
                    area |= Q(sample_point__in=SamplePoint.objects.filter(given).values("pk"))
                return self.filter(area)
            return self
        return self.none()

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        """Past the deadline and not closed (nor invalid)."""
        today = today or timezone.localdate()
        return self.open().filter(deadline__lt=today)


class ProblemClassQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who sees a class: HQ and leaders all; a unit handler the classes their unit answers
        for and those holding their unit's problems (to read); a district lead their district's classes, the city-wide ones (no district) and
        those holding their district's problems; anyone else the classes holding problems they see, or that they opened."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER):
            return self
        if user.role == Role.UNIT_HANDLER:
            holding = Problem.objects.filter(responsible_unit_id=user.unit_id or -1, problem_class__isnull=False)
            return self.filter(Q(responsible_unit_id=user.unit_id or -1) | Q(pk__in=holding.values("problem_class")))
        if user.role == Role.DISTRICT_LEAD:
            holding = Problem.objects.filter(district_id=user.district_id or -1, problem_class__isnull=False)
            return self.filter(Q(district_id=user.district_id or -1) | Q(district__isnull=True)
                               | Q(pk__in=holding.values("problem_class")))
        if user.role == Role.PUBLIC:
            return self.none()
        holding = Problem.objects.visible_to(user).filter(problem_class__isnull=False)
        return self.filter(Q(created_by=user) | Q(pk__in=holding.values("problem_class")))


class ProblemClass(models.Model):
    """A class of problems with one systemic cause ("rectify one problem, solve a class").

    It is rectified as a class: a cause, a responsible unit, a measure and a deadline; the unit
    applies to close it with evidence and someone else verifies it (ledger/class_rules.py).
    Closing a class does not close its problems. Every change is a ``ProblemClassEvent``."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("cause and measure"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="problem_classes",
        verbose_name=_("category"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Its rectification as a class (ledger/class_services.py).
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="problem_classes", verbose_name=_("district"))
    cause = models.TextField(_("cause"), blank=True)
    measure = models.TextField(_("measure"), blank=True)
    responsible_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="problem_classes", verbose_name=_("responsible unit"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ClassStatus.choices, default=ClassStatus.OPEN)
    closing_note = models.TextField(_("what was done"), blank=True)
    closing_applied_at = models.DateTimeField(_("closing applied at"), null=True, blank=True)
    closing_applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                           blank=True, related_name="+")
    verified_at = models.DateTimeField(_("measure verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("verified by"))
    rejection_count = models.PositiveSmallIntegerField(_("times rejected"), default=0)
    last_rejection_reason = models.TextField(_("last rejection reason"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ProblemClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem class")
        verbose_name_plural = _("problem classes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProblemCounter(models.Model):
    """The last problem number handed out in a year (codes read 2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Problem(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    description = models.TextField(_("description"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="problems", verbose_name=_("category"))
    sample_point = models.ForeignKey(
        SamplePoint, on_delete=models.PROTECT, null=True, blank=True, related_name="problems",
        verbose_name=_("sample point"),
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="problems", verbose_name=_("district"))
    # The grid cell and road it lies in (their chiefs answer for it): from its sample point,
    # chosen when recorded, or from its coordinates (campaign.geo.grid_for_point).
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="problems",
                             verbose_name=_("grid"))
    road = models.ForeignKey(Road, on_delete=models.PROTECT, null=True, blank=True, related_name="problems",
                             verbose_name=_("road"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    found_at = models.DateTimeField(_("found at"))
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="problems_found", verbose_name=_("found by")
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="problems",
        verbose_name=_("responsible unit"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="problems", verbose_name=_("special team")
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FOUND)
    problem_class = models.ForeignKey(
        ProblemClass, on_delete=models.PROTECT, null=True, blank=True, related_name="problems",
        verbose_name=_("problem class"),
    )
    # What was found, as a stable key (e.g. a checklist item "MKT-03"): with the sample point it
    # tells a repeat finding of an open problem, or a rebound of a closed one, from a new problem.
    finding_key = models.CharField(_("finding"), max_length=100, blank=True)
    rebound_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rebounds",
        verbose_name=_("rebound of"),
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    closing_applied_at = models.DateTimeField(_("closing applied at"), null=True, blank=True)
    closing_applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rectification_note = models.TextField(_("rectification"), blank=True)
    rejection_count = models.PositiveSmallIntegerField(_("times rejected"), default=0)
    last_rejection_reason = models.TextField(_("last rejection reason"), blank=True)
    invalid_reason = models.TextField(_("reason invalid"), blank=True)
    # Bumped by every transition; a service refuses to act on a stale version.
    version = models.PositiveIntegerField(default=1)
    last_event_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-found_at", "-id"]
        indexes = [
            models.Index(fields=["-found_at", "-id"], name="problem_found_order"),
            models.Index(fields=["status", "deadline"], name="problem_status_deadline"),
            models.Index(fields=["district", "status"], name="problem_district_status"),
            models.Index(fields=["responsible_unit", "status"], name="problem_unit_status"),
            models.Index(fields=["team", "status"], name="problem_team_status"),
            # A chief's list and the per-grid and per-road report tables.
            models.Index(fields=["grid", "status"], name="problem_grid_status"),
            models.Index(fields=["road", "status"], name="problem_road_status"),
            models.Index(fields=["sample_point", "category"], name="problem_point_category"),
            models.Index(fields=["sample_point", "finding_key", "status"], name="problem_point_finding"),
            # The overdue filter and the deadline sort read only open problems: a partial index
            # skips the closed majority. (The search's trigram indexes are PostgreSQL-only: see
            # migration 0005.)
            models.Index(fields=["deadline", "id"], condition=models.Q(status__in=OPEN_STATUSES),
                         name="problem_open_deadline"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def days_overdue(self) -> int:
        if not self.is_open or not self.deadline:
            return 0
        return max(0, (timezone.localdate() - self.deadline).days)

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0


# How an event's hash is made. Events written before keyed hashing stay plain SHA-256 (the
# database refuses to rewrite them); every new event is keyed with LEDGER_HMAC_KEY, a secret
# kept outside the database, and names the key by a short id (not the key).
PLAIN_HASH_SCHEME = "sha256"
KEYED_HASH_PREFIX = "hmac-sha256:"


def ledger_hmac_key() -> bytes:
    return settings.LEDGER_HMAC_KEY.encode()


def _scheme_of(key: bytes) -> str:
    return KEYED_HASH_PREFIX + hashlib.sha256(b"ledger key id\0" + key).hexdigest()[:12]


def current_hash_scheme() -> str:
    """The scheme new events are hashed with: HMAC-SHA256 under the configured key."""
    return _scheme_of(ledger_hmac_key())


def ledger_hmac_keys() -> dict[str, bytes]:
    """Every key events may be hashed with, by scheme: the current one and the retired ones
    (LEDGER_HMAC_OLD_KEYS), so a changed key leaves the events it made verifiable."""
    keys = [key.encode() for key in settings.LEDGER_HMAC_OLD_KEYS] + [ledger_hmac_key()]
    return {_scheme_of(key): key for key in keys}


class ProblemEvent(models.Model):
    """One change of a problem: append-only, chained by hash to the one before it.

    ``data["fields"]`` holds the problem's fields the event set (all of them on the record
    event), so the problem's row can be rebuilt from its events (ledger/integrity.py)."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    hash_scheme = models.CharField(max_length=40, default=current_hash_scheme)

    class Meta:
        verbose_name = _("problem event")
        verbose_name_plural = _("problem events")
        ordering = ["problem", "seq"]
        constraints = [models.UniqueConstraint(fields=["problem", "seq"], name="one_event_per_seq")]

    def __str__(self) -> str:
        return f"{self.problem_id}#{self.seq} {self.action}"

    def compute_hash(self) -> str | None:
        """The digest of this event's content and the previous event's digest, by the event's
        scheme (the current one if it has none yet); None for a key this site does not hold."""
        scheme = getattr(self, "hash_scheme", "") or current_hash_scheme()
        payload = {
            "problem": self.problem_id,
            "seq": self.seq,
            "action": self.action,
            "from": self.from_status,
            "to": self.to_status,
            "actor": self.actor_id,
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "note": self.note,
            "data": self.data,
            "prev": self.prev_hash,
        }
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        if scheme == PLAIN_HASH_SCHEME:
            return hashlib.sha256(canonical).hexdigest()
        key = ledger_hmac_keys().get(scheme)
        return None if key is None else hmac.new(key, canonical, hashlib.sha256).hexdigest()


class KeyedHashingStart(models.Model):
    """Where keyed hashing began: events up to ``last_plain_event_id`` may be plain SHA-256,
    later ones may not. ``mac`` (keyed) makes the boundary unmovable without the key."""

    last_plain_event_id = models.BigIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    mac = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"plain up to event {self.last_plain_event_id}"

    @staticmethod
    def mac_for(last_plain_event_id: int, key: bytes | None = None) -> str:
        message = f"ledger plain events up to {last_plain_event_id}".encode()
        return hmac.new(key or ledger_hmac_key(), message, hashlib.sha256).hexdigest()

    def is_genuine(self) -> bool:
        """Made under one of the keys this site holds (the current or a retired one)."""
        return any(hmac.compare_digest(self.mac, self.mac_for(self.last_plain_event_id, key))
                   for key in ledger_hmac_keys().values())


class LedgerFingerprint(models.Model):
    """A day's fingerprint of every problem's chain head (id, last sequence number, last hash).

    The file written to LEDGER_FINGERPRINT_DIR (outside the database) is the anchor that
    ``verify_ledger`` checks; this row is a copy for pages and reports."""

    day = models.DateField(_("day"), unique=True)
    taken_at = models.DateTimeField(_("taken at"))
    problems = models.PositiveIntegerField(_("problems"))
    digest = models.CharField(_("digest"), max_length=64)
    file_name = models.CharField(_("file"), max_length=100)

    class Meta:
        verbose_name = _("ledger fingerprint")
        verbose_name_plural = _("ledger fingerprints")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} {self.digest[:16]}"


def photo_path(instance, filename):
    return f"ledger/photos/{instance.problem_id}/{filename}"


class EvidencePhoto(models.Model):
    """A before- or after-photo, validated by content and re-encoded as JPEG on upload."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="photos")
    event = models.ForeignKey(ProblemEvent, on_delete=models.PROTECT, related_name="photos")
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    image = models.ImageField(_("photo"), upload_to=photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.kind} {self.pk}"


class AssignmentSheet(models.Model):
    """A numbered assignment sheet (交办单) issued to a unit, listing its newly assigned problems."""

    number = models.CharField(_("number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField()
    batch = models.PositiveIntegerField(_("batch"))
    seq = models.PositiveIntegerField(_("sheet in batch"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignment_sheets", verbose_name=_("unit"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="assignment_sheets",
        verbose_name=_("issued for district"),
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    note = models.TextField(_("requirements"), blank=True)
    problems = models.ManyToManyField(Problem, through="AssignmentSheetItem", related_name="assignment_sheets")

    class Meta:
        verbose_name = _("assignment sheet")
        verbose_name_plural = _("assignment sheets")
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["year", "batch", "seq"], name="sheet_number_parts_unique")]

    def __str__(self) -> str:
        return self.number


class AssignmentSheetItem(models.Model):
    sheet = models.ForeignKey(AssignmentSheet, on_delete=models.PROTECT, related_name="items")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="sheet_items")
    line = models.PositiveIntegerField()
    deadline = models.DateField(_("deadline"))

    class Meta:
        ordering = ["sheet", "line"]
        constraints = [models.UniqueConstraint(fields=["sheet", "problem"], name="problem_once_per_sheet")]

    def __str__(self) -> str:
        return f"{self.sheet_id}/{self.line}"


# --- Excel import and export jobs ------------------------------------------------------------


class LedgerImport(ClaimedJob):
    """One upload of a ledger in the template: previewed, then written all or nothing."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to="imports/ledger/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("problems created"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # A large file is checked by the worker: queued with preview_only, it ends 'previewed'.
    preview_only = models.BooleanField(_("check only"), default=False)
    summary = models.JSONField(_("preview"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))


class LedgerExport(ExportJobFields):
    """A large export of the ledger, written by the worker for the person who asked for it.

    The filters are kept as given and applied again, through the requester's scope, when
    the worker writes the file: the file never holds what the requester may not see."""

    file = models.FileField(_("file"), upload_to="exports/ledger/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("ledger export")
        verbose_name_plural = _("ledger exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export #{self.pk}"


class ProblemCodeBlock(models.Model):
    """Problem numbers an import took from the year's counter before writing.

    The block is taken in a short transaction of its own (``problem_numbers_reserve``), so
    recording a problem never waits for an import. A block whose import never wrote (it
    failed, or its worker stopped and the job was taken over) is voided: its numbers are
    skipped for ever and this row says which, when and why, like voided invoice numbers."""

    year = models.PositiveSmallIntegerField(_("year"))
    first = models.PositiveIntegerField(_("first number"))
    last = models.PositiveIntegerField(_("last number"))
    ledger_import = models.ForeignKey(
        LedgerImport, on_delete=models.PROTECT, null=True, blank=True, related_name="code_blocks",
        verbose_name=_("ledger import"),
    )
    reserved_at = models.DateTimeField(_("reserved at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.TextField(_("why voided"), blank=True)

    class Meta:
        verbose_name = _("block of problem numbers")
        verbose_name_plural = _("blocks of problem numbers")
        ordering = ["-reserved_at", "-id"]

    def __str__(self) -> str:
        return self.codes

    @property
    def codes(self) -> str:
        first, last = f"{self.year}-{self.first:06d}", f"{self.year}-{self.last:06d}"
        return first if first == last else f"{first} – {last}"

    @property
    def size(self) -> int:
        return self.last - self.first + 1


class ProblemClassEvent(models.Model):
    """One change of a problem class: who, when, from, to, why. Append-only (the database
    refuses to update it, and on PostgreSQL to delete it)."""

    problem_class = models.ForeignKey(ProblemClass, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=ClassAction.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=ClassStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ClassStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("problem class event")
        verbose_name_plural = _("problem class events")
        ordering = ["problem_class", "at", "id"]

    def __str__(self) -> str:
        return f"{self.problem_class_id} {self.action}"


def class_photo_path(instance, filename):
    return f"ledger/class-photos/{instance.problem_class_id}/{filename}"


class ProblemClassPhoto(models.Model):
    """Evidence of a class's measure, stored through campaign/photos.py with the closing applied."""

    problem_class = models.ForeignKey(ProblemClass, on_delete=models.PROTECT, related_name="photos")
    event = models.ForeignKey(ProblemClassEvent, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=class_photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), upload_to=class_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("class evidence photo")
        verbose_name_plural = _("class evidence photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.problem_class_id} {self.pk}"
