"""Every change to the ledger. Pages, the API, importers and tasks call these and nothing else.

Each transition runs in one transaction: it locks the problem row, checks the transition table
and the actor (ledger/rules.py), refuses a stale or illegal move with a ``LedgerConflict``
(HTTP 409) or ``LedgerForbidden`` (403), updates the problem with a conditional
``UPDATE … WHERE version = v``, and appends its hash-chained event in the same transaction.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import JSONField
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.choices import Role
from campaign.counters import counter_next
from campaign.geo import grid_for_point
from campaign.models import Unit
from campaign.write_scope import (
    OutOfScope,
    check_in_district,
    check_write_scope,
    may_write,
    out_of_scope_message,
)

from . import notifications
from .choices import Action, PhotoKind, Severity, Status
from .integrity import changed_fields, problem_fields
from .models import EvidencePhoto, Problem, ProblemClass, ProblemCounter, ProblemEvent
from .photos import StoredPhoto
from .rules import ROLES, TRANSITIONS, recording_team, refusal, role_of


class LedgerError(Exception):
    """A refused ledger action; str(error) is the message for the user."""


class LedgerConflict(LedgerError):
    """The move is illegal from the problem's current state, or the problem changed meanwhile."""


class LedgerForbidden(LedgerError):
    """The user may see the problem but not take this action."""


class LedgerInvalid(LedgerError):
    """The action's input is incomplete or wrong (e.g. closing without an after-photo)."""


class CodeTaken(LedgerConflict):
    """A batch's code was recorded by someone else between the check and the write: ``code``
    and the file's ``row`` it was given on (None outside an import)."""

    def __init__(self, message: str, *, code: str, row: int | None):
        super().__init__(message)
        self.code, self.row = code, row


def default_deadline(severity: str, start: date | None = None) -> date:
    start = start or timezone.localdate()
    return start + timedelta(days=settings.LEDGER_DEADLINE_DAYS[severity])


def _next_code(year: int) -> str:
    # One atomic statement: concurrent recorders never share a number (campaign/counters.py).
    number = counter_next(ProblemCounter, year)
    return f"{year}-{number:06d}"


def problem_numbers_reserve(*, year: int, count: int, above: int = 0, ledger_import_id: int | None = None):
    """Take the next ``count`` problem numbers of ``year`` for an import, and move the counter
    past ``above`` (the highest kept code of that year in the file) if it is below it.

    Call it outside any transaction: it commits at once, so the counter's row is locked for
    one short statement, never for the import's long write, and recording (``_next_code``)
    never waits for an import. The numbers taken are kept as a ``ProblemCodeBlock`` (None if
    none were taken); the new codes are its last ``count`` numbers. If the import never writes,
    ``problem_numbers_void`` voids the block: its numbers are skipped, never handed out again."""
    from .models import ProblemCodeBlock

    with transaction.atomic():
        ProblemCounter.objects.bulk_create([ProblemCounter(year=year)], ignore_conflicts=True)
        counter = ProblemCounter.objects.select_for_update().get(year=year)
        first = counter.last + 1
        last = max(counter.last, above) + count
        if last < first:
            return None
        ProblemCounter.objects.filter(year=year).update(last=last)
        return ProblemCodeBlock.objects.create(year=year, first=first, last=last, ledger_import_id=ledger_import_id)


def problem_numbers_void(*, blocks, reason: str) -> int:
    """Void reserved blocks whose import wrote nothing: their numbers stay unused, with the reason."""
    return blocks.filter(voided_at=None).update(voided_at=timezone.now(), void_reason=str(reason))


def recording_event(problem: Problem, *, by, note: str = "", data: dict | None = None,
                    at: datetime | None = None) -> ProblemEvent:
    """The first event of a problem being recorded, hashed but not saved: it carries every
    field of the problem as it is recorded (``data["fields"]``). Writers that insert problems
    in bulk (imports) save these themselves and set the problem's ``last_event_hash``."""
    event = ProblemEvent(problem=problem, seq=1, action=Action.RECORD, from_status="", to_status=problem.status,
                         actor=by, at=at or timezone.now(), note=note,
                         data={**(data or {}), "fields": problem_fields(problem)}, prev_hash="")
    event.hash = event.compute_hash()
    return event


def _append_event(problem: Problem, *, action: str, from_status: str, by, note: str = "",
                  data: dict | None = None, at: datetime | None = None, fields: dict | None = None) -> ProblemEvent:
    """Append the next event of ``problem``'s chain, keyed (ProblemEvent.compute_hash).

    ``fields``: the problem's fields this event set, kept in ``data["fields"]`` so that the row
    can be rebuilt from the events (ledger/integrity.py); a record event always carries all of
    them, as the row stands when it is recorded (``recording_event``)."""
    if action == Action.RECORD:
        event = recording_event(problem, by=by, note=note, data=data, at=at)
    else:
        last_seq = problem.events.order_by("-seq").values_list("seq", flat=True).first() or 0
        event = ProblemEvent(
            problem=problem,
            seq=last_seq + 1,
            action=action,
            from_status=from_status,
            to_status=problem.status,
            actor=by,
            at=at or timezone.now(),
            note=note,
            data={**(data or {}), **({"fields": fields} if fields else {})},
            prev_hash=problem.last_event_hash,
        )
        event.hash = event.compute_hash()
    event.save(force_insert=True)
    Problem.objects.filter(pk=problem.pk).update(last_event_hash=event.hash)
    problem.last_event_hash = event.hash
    return event


def _attach_photos(problem: Problem, event: ProblemEvent, photos: list[StoredPhoto], kind: str, by) -> None:
    EvidencePhoto.objects.bulk_create(
        EvidencePhoto(
            problem=problem, event=event, kind=kind, image=photo.image_name, thumbnail=photo.thumbnail_name,
            width=photo.width, height=photo.height, sha256=photo.sha256, uploaded_by=by, uploaded_at=event.at,
        )
        for photo in photos
    )


@dataclass
class _Locked:
    problem: Problem
    from_status: str


def _lock(problem_id: int, *, action: str, by, expected_version: int | None, by_rule: bool = False) -> _Locked:
    """Load the problem for update and check that ``by`` may take ``action`` on it now.
    ``by_rule``: the move is the ledger's own rule (e.g. assignment on an inspection's
    submission), so only the state is checked, not the person's role."""
    problem = Problem.objects.select_for_update().get(pk=problem_id)
    if expected_version is not None and problem.version != expected_version:
        raise LedgerConflict(_("Someone else changed problem %(code)s since you opened it; reload and try again.")
                             % {"code": problem.code})
    if by_rule:
        allowed_from = TRANSITIONS[action][0]
        if problem.status not in allowed_from:
            raise LedgerConflict(_("Problem %(code)s is %(status)s.")
                                 % {"code": problem.code, "status": problem.get_status_display()})
        return _Locked(problem=problem, from_status=problem.status)
    _refuse(action, problem, by)
    return _Locked(problem=problem, from_status=problem.status)


def _refuse(action: str, problem: Problem, by) -> None:
    """Raise LedgerConflict (wrong state) or LedgerForbidden (not this person's) unless ``by``
    may take ``action`` on ``problem``."""
    reason = refusal(action, problem, by)
    if reason is not None:
        allowed_from = TRANSITIONS.get(action, (None,))[0]
        if allowed_from is not None and problem.status not in allowed_from:
            raise LedgerConflict(reason)
        raise LedgerForbidden(reason)


def _save(problem: Problem, old_version: int, **changes) -> None:
    changes["version"] = old_version + 1
    changes["updated_at"] = timezone.now()
    updated = Problem.objects.filter(pk=problem.pk, version=old_version).update(**changes)
    if updated != 1:
        raise LedgerConflict(_("Problem %(code)s changed meanwhile; reload and try again.") % {"code": problem.code})
    for field, value in changes.items():
        setattr(problem, field, value)


def _transition(problem: Problem, *, action: str, by, expected_version: int | None, note: str = "",
                data: dict | None = None, changes=None,
                photos: list[StoredPhoto] = (), photo_kind: str = PhotoKind.AFTER,
                at: datetime | None = None, by_rule: bool = False, then=None) -> Problem:
    """``then(problem)``: runs in the same transaction after the event (the notifications)."""
    with transaction.atomic():
        locked = _lock(problem.pk, action=action, by=by, expected_version=expected_version, by_rule=by_rule)
        current = locked.problem
        to_status = TRANSITIONS[action][1] or current.status
        if callable(changes):  # changes computed from the locked row (e.g. a counter)
            changes = changes(current)
        changes = {"status": to_status, **(changes or {})}
        fields = changed_fields(current, changes)  # what the event carries: the row must follow from it
        _save(current, current.version, **changes)
        event = _append_event(current, action=action, from_status=locked.from_status, by=by, note=note, data=data,
                              at=at, fields=fields)
        if photos:
            _attach_photos(current, event, list(photos), photo_kind, by)
        if then is not None:
            then(current)
    return current


# --- Recording -----------------------------------------------------------------------------------


def problem_record(*, by, category, district=None, description: str, source: str, found_at: datetime | None = None,
                   severity: str = Severity.GENERAL, sample_point=None, address: str = "", latitude=None,
                   longitude=None, source_ref: str = "", responsible_unit=None, team=None, problem_class=None,
                   grid=None, road=None, photos: list[StoredPhoto] = ()) -> Problem:
    """Record a newly found problem (status found). A sample point gives its district, grid,
    road, address, coordinates, unit and team unless they are given; a team lead's problem is
    their team's. Every structure it names must be in the recorder's write scope, and a grid or
    road in the problem's district (``OutOfScope`` names the field). Before-photos are attached
    to the recording event."""
    if not by.is_active or role_of(by) not in ROLES[Action.RECORD]:
        raise LedgerForbidden(_("Your role may not do this."))
    if problem_class is not None and role_of(by) not in ROLES[Action.CLASSIFY]:
        raise LedgerForbidden(_("Your role may not put a problem in a class."))
    check_class_fits(getattr(district or getattr(sample_point, "district", None), "pk", None), problem_class)
    check_write_scope(by, category=category, sample_point=sample_point, district=district, grid=grid, road=road,
                      responsible_unit=responsible_unit, team=team)
    check_in_district(district or getattr(sample_point, "district", None), grid=grid, road=road)
    return _record(by=by, category=category, district=district, description=description, source=source,
                   found_at=found_at, severity=severity, sample_point=sample_point, address=address,
                   latitude=latitude, longitude=longitude, source_ref=source_ref,
                   responsible_unit=responsible_unit, team=recording_team(by, team),
                   problem_class=problem_class, grid=grid, road=road, photos=photos)


def problem_new(*, by, category, district=None, description: str, source: str, found_at: datetime | None = None,
                severity: str = Severity.GENERAL, sample_point=None, address: str = "", latitude=None,
                longitude=None, source_ref: str = "", responsible_unit=None, team=None, problem_class=None,
                grid=None, road=None, rebound_of: Problem | None = None,
                finding_key: str = "", code: str = "", state: dict | None = None,
                grid_of=None) -> Problem:
    """The problem a recording writes, normalised and checked, not saved: the one rule for a
    single recording (``_record``) and a batch (``problems_record_batch``).

    A sample point gives the district, address, coordinates, unit, team, grid and road that
    are not given; the grid is otherwise the cell the coordinates lie in (``grid_of``,
    ``grid_for_point`` by default; a batch passes one loaded once per file), unless that cell
    is in another district. ``state``: the fields of a problem recorded in a later state than
    found (an imported one: status, deadline, closing date…). Raises LedgerInvalid without a
    district or a description."""
    if sample_point is not None:
        district = district or sample_point.district
        address = address or sample_point.address
        latitude = latitude if latitude is not None else sample_point.latitude
        longitude = longitude if longitude is not None else sample_point.longitude
        responsible_unit = responsible_unit or sample_point.responsible_unit
        team = team or sample_point.team
        grid = grid or sample_point.grid
        road = road or sample_point.road
    if grid is None:
        grid = (grid_of or grid_for_point)(latitude, longitude)
        if grid is not None and district is not None and grid.district_id != district.pk:
            grid = None  # coordinates that fall outside the problem's district give no cell
    if district is None:
        raise LedgerInvalid(_("Give the district or a sample point."))
    if not description.strip():
        raise LedgerInvalid(_("Describe the problem."))
    return Problem(
        code=code, description=description.strip(), category=category, sample_point=sample_point, district=district,
        address=address, latitude=latitude, longitude=longitude, source=source, source_ref=source_ref,
        grid=grid, road=road, found_at=found_at or timezone.now(), found_by=by, severity=severity,
        responsible_unit=responsible_unit, team=team, problem_class=problem_class, rebound_of=rebound_of,
        finding_key=finding_key, **{"status": Status.FOUND, **(state or {})},
    )


def _record(*, by, category, district, description: str, source: str, found_at: datetime | None,
            severity: str, sample_point, address: str, latitude, longitude, source_ref: str, responsible_unit,
            team, problem_class, photos: list[StoredPhoto], rebound_of: Problem | None = None,
            finding_key: str = "", grid=None, road=None) -> Problem:
    """Record a problem whose structure comes from the ledger's own rules (a rebound copies
    the closed problem's, a finding its inspected point's), or was checked by problem_record.
    Its fields: ``problem_new``; its first event: ``recording_event``."""
    role_check = Problem(status=Status.FOUND, district=district or getattr(sample_point, "district", None))
    reason = refusal(Action.RECORD, role_check, by)
    if reason is not None:
        raise LedgerForbidden(reason)
    problem = problem_new(by=by, category=category, district=district, description=description, source=source,
                          found_at=found_at, severity=severity, sample_point=sample_point, address=address,
                          latitude=latitude, longitude=longitude, source_ref=source_ref,
                          responsible_unit=responsible_unit, team=team, problem_class=problem_class, grid=grid,
                          road=road, rebound_of=rebound_of, finding_key=finding_key)
    with transaction.atomic():
        problem.code = _next_code(timezone.localtime(problem.found_at).year)
        problem.save(force_insert=True)
        data = {"rebound_of": rebound_of.code} if rebound_of else {}
        event = _append_event(problem, action=Action.RECORD, from_status="", by=by, data=data, at=problem.found_at)
        if photos:
            _attach_photos(problem, event, list(photos), PhotoKind.BEFORE, by)
    return problem


# --- Recording in batches (imports) -----------------------------------------------------------------


@dataclass
class Recording:
    """One problem of a batch: ``problem_record``'s arguments (``fields``), the code reserved
    for it, the state it is recorded in (``problem_new``), its record event's note and data,
    and the file's row it comes from (for the error messages)."""

    fields: dict
    code: str
    state: dict | None = None
    note: str = ""
    data: dict | None = None
    row: int | None = None


BATCH_ROWS = 5000  # problems per insert; a batch of any size is one transaction
_SCOPED = ("category", "sample_point", "district", "grid", "road", "responsible_unit", "team")


def problems_record_batch(*, by, recordings: list[Recording]) -> list[Problem]:
    """Record many problems in one transaction, all or nothing, by problem_record's rules:
    the recorder's role, write scope and district checked once per distinct structure (not
    per row), each problem built by ``problem_new`` (the grid located with one load of the
    boundaries for the batch) and its first event by ``recording_event``, hash-chained as a
    single recording chains it. The codes are the ones reserved beforehand in one step
    (``problem_numbers_reserve``): the counter is not touched here, so recording never waits
    for a batch. Inserted BATCH_ROWS at a time (``_insert_recorded``): COPY on PostgreSQL,
    ``executemany`` elsewhere; the number of statements grows with the batches, not the rows.
    A refused row raises (LedgerInvalid naming its row, OutOfScope, LedgerForbidden) and
    nothing is written."""
    from campaign.geo import grid_locator

    if not by.is_active or role_of(by) not in ROLES[Action.RECORD]:
        raise LedgerForbidden(_("Your role may not do this."))
    _check_batch_scope(by, recordings)
    locate = grid_locator()
    problems = []
    for item in recordings:
        fields = {**item.fields, "team": recording_team(by, item.fields.get("team"))}
        try:
            problems.append(problem_new(by=by, code=item.code, state=item.state, grid_of=locate, **fields))
        except LedgerInvalid as error:
            if item.row is None:
                raise
            raise LedgerInvalid(_("Row %(row)s: %(error)s") % {"row": item.row, "error": error}) from None
    now = timezone.now()
    try:
        with transaction.atomic():
            for start in range(0, len(problems), BATCH_ROWS):
                _insert_recorded(problems[start:start + BATCH_ROWS], recordings[start:start + BATCH_ROWS], by=by,
                                 now=now)
    except IntegrityError:
        # Rolled back (all or nothing). A code another transaction recorded after the caller's
        # check (COPY/executemany name no row): found again and named with its row.
        taken = _first_code_taken(recordings)
        if taken is None:
            raise
        code, row = taken
        message = (_("Row %(row)s: problem %(code)s was recorded meanwhile.") % {"row": row, "code": code}
                   if row is not None else _("Problem %(code)s was recorded meanwhile.") % {"code": code})
        raise CodeTaken(message, code=code, row=row) from None
    return problems


def _first_code_taken(recordings: list[Recording]) -> tuple[str, int | None] | None:
    """The batch's first code (in the file's order) already in the ledger, with its row."""
    order = {item.code: (position, item.row) for position, item in enumerate(recordings)}
    codes = list(order)
    taken = []
    for start in range(0, len(codes), 5000):
        taken += Problem.objects.filter(code__in=codes[start:start + 5000]).values_list("code", flat=True)
    if not taken:
        return None
    first = min(taken, key=lambda code: order[code][0])
    return first, order[first][1]


def _check_batch_scope(by, recordings: list[Recording]) -> None:
    """problem_record's checks (write scope, grid and road in the district, the role's
    district) for each distinct structure a batch names, once."""
    seen: set = set()
    districts: set = set()
    for item in recordings:
        fields = item.fields
        point = fields.get("sample_point")
        district = fields.get("district") or getattr(point, "district", None)
        for name in _SCOPED:
            obj = fields.get(name)
            if obj is not None and (name, obj.pk) not in seen:
                seen.add((name, obj.pk))
                check_write_scope(by, **{name: obj})
        check_in_district(district, grid=fields.get("grid"), road=fields.get("road"))
        if district is not None and district.pk not in districts:
            districts.add(district.pk)
            reason = refusal(Action.RECORD, Problem(status=Status.FOUND, district=district), by)
            if reason is not None:
                raise LedgerForbidden(reason)


def _insert_recorded(problems: list[Problem], recordings: list[Recording], *, by, now: datetime) -> None:
    """Insert new problems and their record events, a fixed number of statements for any
    number of rows: the ids first (so that each row goes in once and whole, carrying its
    event's hash), then the problems, then the events."""
    from django.db import connection

    for problem, pk in zip(problems, _new_problem_ids(connection, len(problems)), strict=True):
        problem.pk, problem.updated_at, problem.version = pk, now, 1
    events = []
    for problem, item in zip(problems, recordings, strict=True):
        event = recording_event(problem, by=by, note=item.note, data=item.data, at=problem.found_at)
        problem.last_event_hash = event.hash
        events.append(event)
    _insert_rows(connection, Problem, Problem._meta.concrete_fields, problems)
    _insert_rows(connection, ProblemEvent, [ProblemEvent._meta.get_field(name) for name in _EVENT_FIELDS], events)


_EVENT_FIELDS = ("problem", "seq", "action", "from_status", "to_status", "actor", "at", "note", "data", "prev_hash",
                 "hash", "hash_scheme")


def _new_problem_ids(connection, count: int):
    """``count`` new problem ids: from the table's sequence on PostgreSQL (never handed out
    twice, concurrent recordings included); on SQLite, which has one writer at a time, the
    ids after the highest ever given (AUTOINCREMENT keeps it in sqlite_sequence)."""
    table = Problem._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [pk for (pk,) in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        highest = f"SELECT MAX(id) AS n FROM {quoted}"  # noqa: S608 (a model's own table name)
        if connection.vendor == "sqlite":
            highest += " UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s"
        cursor.execute(f"SELECT MAX(n) FROM ({highest}) AS highest",  # noqa: S608
                       [table] if connection.vendor == "sqlite" else [])
        last = cursor.fetchone()[0] or 0
    return range(last + 1, last + 1 + count)


def _insert_rows(connection, model, fields, objects) -> None:
    """One COPY on PostgreSQL, one ``executemany`` elsewhere."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY's text form takes what psycopg adapts; JSON goes as its text, choices as their values.
            convert = [(field.attname, isinstance(field, JSONField)) for field in fields]
            # The raw cursor's errors are psycopg's: Django's wrapper makes them IntegrityError & co.
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for obj in objects:
                    copy.write_row([json.dumps(getattr(obj, attname), ensure_ascii=False) if is_json
                                    else _db_value(getattr(obj, attname)) for attname, is_json in convert])
            return
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                           [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
                            for obj in objects])


def _db_value(value):
    return value.value if isinstance(value, Enum) else value


def problem_record_rebound(*, original: Problem, by, description: str = "", found_at: datetime | None = None,
                           source: str | None = None, photos: list[StoredPhoto] = (),
                           at: datetime | None = None, source_ref: str = "") -> Problem:
    """A closed problem found again at the same place and kind (反弹): a new problem linked to
    the closed one, which stays closed and gets a rebound event naming the new one.
    ``at`` (default now) dates the rebound event on the closed problem."""
    with transaction.atomic():
        reason = refusal(Action.REBOUND, Problem.objects.select_for_update().get(pk=original.pk), by)
        if reason is not None:
            raise (LedgerConflict if original.status != Status.CLOSED else LedgerForbidden)(reason)
        rebound = _record(
            by=by, category=original.category, district=original.district, sample_point=original.sample_point,
            description=description or original.description, source=source or original.source,
            found_at=found_at, severity=original.severity, address=original.address,
            latitude=original.latitude, longitude=original.longitude,
            responsible_unit=original.responsible_unit, team=original.team,
            problem_class=original.problem_class, photos=photos, rebound_of=original,
            finding_key=original.finding_key, source_ref=source_ref, grid=original.grid, road=original.road,
        )
        _transition(original, action=Action.REBOUND, by=by, expected_version=None,
                    note=description, data={"rebound": rebound.code}, at=at)
    return rebound


# --- The workflow --------------------------------------------------------------------------------


def _check_unit(unit: Unit, by) -> None:
    """The unit assigned to must be in the assigner's write scope (campaign/write_scope.py)."""
    if not may_write(unit, by):
        raise OutOfScope({"unit": [out_of_scope_message(unit)]})


def problem_assign(*, problem: Problem, unit: Unit, deadline: date | None = None, by,
                   expected_version: int | None = None, note: str = "", at: datetime | None = None) -> Problem:
    """Assign (交办) a found problem to a unit with a deadline (default: from its severity).
    An assigned or rectifying problem is reassigned instead. ``at`` (default now) is when."""
    action = Action.REASSIGN if problem.status in (Status.ASSIGNED, Status.RECTIFYING) else Action.ASSIGN
    _refuse(action, problem, by)  # who may assign comes before which unit (checked again under the lock)
    _check_unit(unit, by)
    at = at or timezone.now()
    deadline = deadline or default_deadline(problem.severity, timezone.localdate(at))
    if deadline < timezone.localdate(at):
        raise LedgerInvalid(_("The deadline %(date)s has already passed.") % {"date": deadline})
    changes = {"responsible_unit": unit, "deadline": deadline, "assigned_at": at}
    data = {"unit": unit.pk, "unit_name": unit.name, "deadline": deadline.isoformat()}
    if action == Action.REASSIGN:
        data["previous_unit"] = problem.responsible_unit.name if problem.responsible_unit_id else ""
    return _transition(problem, action=action, by=by, expected_version=expected_version, note=note,
                       data=data, changes=changes, at=at,
                       then=partial(notifications.problem_assigned, reassigned=action == Action.REASSIGN))


def problem_assign_many(*, problems, unit: Unit | None = None, deadline: date | None, by, note: str = "",
                        versions: dict[int, int] | None = None,
                        units: dict[int, Unit | None] | None = None) -> list[tuple[Problem, str]]:
    """Assign many problems with one deadline, all or nothing: to one ``unit``, or each to its
    own unit from ``units`` (problem id -> unit, e.g. each problem's suggested unit). Each goes
    through problem_assign (its own checks and event); if any is refused, none is assigned.
    Returns the refusals with their reasons, or [] when all were assigned. A unit outside the
    assigner's write scope refuses them all (``OutOfScope`` is raised, nothing is assigned)."""
    versions = versions or {}
    refused = []
    with transaction.atomic():
        for problem in problems:
            target = unit if units is None else units.get(problem.pk)
            if target is None:
                refused.append((problem, str(_("No unit is suggested for it: assign it to one unit."))))
                continue
            try:
                problem_assign(problem=problem, unit=target, deadline=deadline, by=by, note=note,
                               expected_version=versions.get(problem.pk))
            except LedgerError as error:
                refused.append((problem, str(error)))
            except OutOfScope:
                if units is None:
                    raise  # the one unit is refused for all of them
                refused.append((problem, out_of_scope_message(target)))
        if refused:
            transaction.set_rollback(True)
    return refused


def problem_acknowledge(*, problem: Problem, by, expected_version: int | None = None, note: str = "",
                        at: datetime | None = None) -> Problem:
    """The responsible unit takes the problem on: it is now in rectification."""
    return _transition(problem, action=Action.ACKNOWLEDGE, by=by, expected_version=expected_version, note=note,
                       at=at)


def problem_apply_close(*, problem: Problem, note: str, photos: list[StoredPhoto], by,
                        expected_version: int | None = None, at: datetime | None = None) -> Problem:
    """The unit applies to close (申请销号): a rectification note and at least one after-photo."""
    if not note.strip():
        raise LedgerInvalid(_("Say what was done to rectify the problem."))
    if not photos:
        raise LedgerInvalid(_("Add at least one photo taken after the rectification."))
    at = at or timezone.now()
    changes = {"rectification_note": note.strip(), "closing_applied_at": at, "closing_applied_by": by}
    return _transition(problem, action=Action.APPLY_CLOSE, by=by, expected_version=expected_version,
                       note=note.strip(), changes=changes, photos=photos, photo_kind=PhotoKind.AFTER, at=at,
                       then=partial(notifications.closing_applied, by=by))


def problem_verify(*, problem: Problem, approved: bool, note: str = "", by,
                   expected_version: int | None = None, at: datetime | None = None) -> Problem:
    """Verify a closing application on the spot (对账销号): approve closes the problem; reject sends
    it back to rectification with the reason. Never by the applicant, never by a unit."""
    if approved:
        at = at or timezone.now()
        return _transition(problem, action=Action.APPROVE, by=by, expected_version=expected_version,
                           note=note.strip(), changes={"closed_at": at}, at=at)
    if not note.strip():
        raise LedgerInvalid(_("Give the reason for rejecting the closing."))
    reason = note.strip()

    def changes(current: Problem) -> dict:
        return {"rejection_count": current.rejection_count + 1, "last_rejection_reason": reason,
                "closing_applied_at": None, "closing_applied_by": None}

    return _transition(problem, action=Action.REJECT, by=by, expected_version=expected_version,
                       note=reason, changes=changes, at=at, then=notifications.closing_rejected)


def problem_invalidate(*, problem: Problem, reason: str, by, duplicate_of: Problem | None = None,
                       expected_version: int | None = None, at: datetime | None = None) -> Problem:
    """Close a report that is not a problem, or a duplicate (linked to its original), with a reason."""
    if not reason.strip():
        raise LedgerInvalid(_("Give the reason."))
    if duplicate_of is not None and duplicate_of.pk == problem.pk:
        raise LedgerInvalid(_("A problem cannot duplicate itself."))
    data = {"duplicate_of": duplicate_of.code} if duplicate_of else {}
    return _transition(problem, action=Action.INVALIDATE, by=by, expected_version=expected_version,
                       note=reason.strip(), data=data,
                       changes={"invalid_reason": reason.strip(), "duplicate_of": duplicate_of}, at=at)


def problem_found_again(*, problem: Problem, by, note: str, source_ref: str = "",
                        photos: list[StoredPhoto] = ()) -> Problem:
    """An open problem found again (e.g. by a later inspection): added to its history, not duplicated."""
    return _transition(problem, action=Action.FOUND_AGAIN, by=by, expected_version=None, note=note,
                       data={"source_ref": source_ref} if source_ref else {}, photos=photos,
                       photo_kind=PhotoKind.BEFORE)


EDITABLE_FIELDS = ("description", "address", "severity", "deadline")


def problem_edit(*, problem: Problem, by, changes: dict, expected_version: int | None = None,
                 note: str = "") -> Problem:
    """Correct an open problem's details (description, address, severity, deadline), e.g. from
    an edited row of a re-imported ledger: one event carrying what changed. Only HQ staff."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "description" in changes and not str(changes["description"]).strip():
        raise LedgerInvalid(_("The description cannot be empty."))
    if changes.get("deadline") is not None and changes["deadline"] < timezone.localdate():
        raise LedgerInvalid(_("The deadline %(date)s has already passed.") % {"date": changes["deadline"]})
    data = {name: (value.isoformat() if isinstance(value, date) else value) for name, value in changes.items()}
    return _transition(problem, action=Action.EDIT, by=by, expected_version=expected_version, note=note,
                       data={"edited": data}, changes=dict(changes))


def check_class_fits(district_id, problem_class) -> None:
    """A problem goes only into a city-wide class or one of its own district."""
    if problem_class is not None and problem_class.district_id not in (None, district_id):
        raise LedgerInvalid(_("This problem class belongs to another district."))


def problem_classify(*, problem: Problem, problem_class, by, expected_version: int | None = None) -> Problem:
    """Put a problem in a city-wide class or one of its district (or take it out with None)."""
    if role_of(by) in ROLES[Action.CLASSIFY]:  # otherwise the transition refuses the role itself
        check_class_fits(problem.district_id, problem_class)
    data = {"class": problem_class.code if problem_class else ""}
    return _transition(problem, action=Action.CLASSIFY, by=by, expected_version=expected_version, data=data,
                       changes={"problem_class": problem_class})


def problem_locate(*, problem: Problem, grid, road, by, expected_version: int | None = None,
                   note: str = "") -> Problem:
    """Set the grid cell and road a problem lies in (None clears one): both must be in the
    locator's write scope and in the problem's district. An event carries the change."""
    check_write_scope(by, grid=grid, road=road)
    check_in_district(problem.district_id, grid=grid, road=road)
    data = {"grid": grid.code if grid else "", "road": str(road) if road else ""}
    return _transition(problem, action=Action.LOCATE, by=by, expected_version=expected_version, note=note,
                       data=data, changes={"grid": grid, "road": road})


# --- Problem classes -----------------------------------------------------------------------------


def problem_class_create(*, code: str, name: str, description: str = "", category=None, by, district=None,
                         at: datetime | None = None):
    """Open a problem class ("rectify one problem, solve a class"). Only the roles that may put
    problems in a class (HQ staff, district leads, team leads) may open one; codes are unique.
    A district lead's class is their district's. Its first event records the opening; its
    rectification goes on in ledger/class_services.py."""
    from django.db import IntegrityError

    from .rules import ROLES, role_of

    if not by.is_active or role_of(by) not in ROLES[Action.CLASSIFY]:
        raise LedgerForbidden(_("Your role may not open a problem class."))
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise LedgerInvalid(_("Give the class a code and a name."))
    taken = LedgerInvalid(_("A problem class with code %(code)s exists already.") % {"code": code})
    if ProblemClass.objects.filter(code=code).exists():
        raise taken
    try:
        with transaction.atomic():
            if role_of(by) == Role.DISTRICT_LEAD:
                district = by.district
            item = ProblemClass.objects.create(code=code, name=name, description=description.strip(),
                                               category=category, created_by=by, district=district,
                                               created_at=at or timezone.now())
            from .class_services import class_event_open

            class_event_open(item, by=by)
            return item
    except IntegrityError:  # the same code opened at the same moment
        raise taken from None


# --- Findings from inspections ---------------------------------------------------------------------


def problem_record_finding(*, by, sample_point, category, finding_key: str, description: str, source: str,
                           severity: str, source_ref: str = "", photos: list[StoredPhoto] = (),
                           found_at: datetime | None = None) -> tuple[Problem, str]:
    """One failure found at a sample point (e.g. a failed checklist item) into the ledger:

    - an open problem for the same point and finding gets a "found again" event: no duplicate;
    - a problem for the same point and finding closed within REBOUND_WINDOW_DAYS makes the new
      one a rebound (反弹) linked to it;
    - otherwise a new problem.
    A new or rebound problem is assigned at once to the point's responsible unit with the
    deadline of its severity: the inspection's rule, recorded as such in its history.
    Returns the problem and what happened: "found_again", "rebound" or "new"."""
    found_at = found_at or timezone.now()
    with transaction.atomic():
        same = Problem.objects.select_for_update().filter(sample_point=sample_point, finding_key=finding_key)
        open_one = same.open().order_by("-found_at").first()
        if open_one is not None:
            note = _("Found again: %(what)s") % {"what": description}
            return problem_found_again(problem=open_one, by=by, note=note, source_ref=source_ref,
                                       photos=photos), "found_again"
        window_start = found_at - timedelta(days=settings.REBOUND_WINDOW_DAYS)
        closed_one = same.filter(status=Status.CLOSED, closed_at__gte=window_start).order_by("-closed_at").first()
        if closed_one is not None:
            problem = problem_record_rebound(original=closed_one, by=by, description=description, source=source,
                                             found_at=found_at, photos=photos, source_ref=source_ref)
            outcome = "rebound"
        else:
            problem = _record(by=by, category=category, sample_point=sample_point, district=None,
                              description=description, source=source, severity=severity, source_ref=source_ref,
                              photos=photos, found_at=found_at, finding_key=finding_key, address="",
                              latitude=None, longitude=None, responsible_unit=None, team=None,
                              problem_class=None)
            outcome = "new"
        if sample_point.responsible_unit_id:
            unit = sample_point.responsible_unit
            deadline = default_deadline(severity, timezone.localdate())
            _transition(problem, action=Action.ASSIGN, by=by, expected_version=None, by_rule=True,
                        note=_("Assigned on submission of the inspection."),
                        data={"unit": unit.pk, "unit_name": unit.name, "deadline": deadline.isoformat()},
                        changes={"responsible_unit": unit, "deadline": deadline, "assigned_at": timezone.now(),
                                 "severity": severity},
                        then=partial(notifications.problem_assigned, reassigned=False))
            problem.refresh_from_db()
    return problem, outcome
