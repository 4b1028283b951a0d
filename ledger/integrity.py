"""Checking that the ledger's history is whole and untouched (``manage.py verify_ledger``).

Three things are checked, none of which trusts the database alone:

- the chains: each problem's events follow one another by hash; new events are keyed with
  LEDGER_HMAC_KEY (kept outside the database), so a rewritten event cannot be re-chained
  without the key; events older than keyed hashing stay plain SHA-256, and only those;
- the rows: every field of a problem is rebuilt from its events (``problem_state_from_events``,
  a fold: the record event carries the initial fields, each later event what it changed) and
  compared with the row, so a deadline moved in SQL is reported by field;
- the anchors: every readable daily fingerprint file (ledger/fingerprints.py) lists each
  problem's (id, seq, hash) as they stood that day; the event at that seq must still have
  that hash, so truncated or re-chained histories are caught even with the key.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils import timezone

from .choices import Action
from .models import PLAIN_HASH_SCHEME, KeyedHashingStart, Problem, ProblemEvent

# Every field of a problem the events must explain. Not: the id (the identity), ``updated_at``
# (when the row was last written, not a fact of the ledger), and ``version`` and
# ``last_event_hash``, which the fold derives from the events themselves (their count and the
# last hash).
STATE_FIELDS = tuple(
    field for field in Problem._meta.concrete_fields
    if field.name not in ("id", "updated_at", "version", "last_event_hash")
)
_FIELDS_BY_NAME = {field.name: field for field in STATE_FIELDS}
# Fields problems began to carry after events were first written. Older events do not name
# them, and a field no event set is empty: the fold starts them at None, so a grid written into
# the row without an event is reported like any other field. Existing problems got theirs
# through an event (migration 0011), never by writing the row alone.
FIELDS_ADDED_LATER = ("grid", "road")


def encode_field(name: str, value):
    """A field's value as the events keep it (JSON): ids for links, ISO text for dates and
    times (times in UTC), decimals as text at the column's scale."""
    if value is None:
        return None
    field = _FIELDS_BY_NAME[name]
    if field.is_relation:
        return value.pk if isinstance(value, models.Model) else int(value)
    if isinstance(field, models.DateTimeField):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(field, models.DateField):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if isinstance(field, models.DecimalField):
        return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places), rounding=ROUND_HALF_UP))
    if isinstance(value, date | Decimal):  # pragma: no cover - no such field today
        return str(value)
    return value


def problem_fields(problem: Problem) -> dict:
    """All the fields of ``problem`` as its record event carries them."""
    return {field.name: encode_field(field.name, getattr(problem, field.attname)) for field in STATE_FIELDS}


def changed_fields(problem: Problem, changes: dict) -> dict:
    """The fields ``changes`` really changes on ``problem`` (as loaded before the change)."""
    changed = {}
    for name, value in changes.items():
        if name not in _FIELDS_BY_NAME:
            continue
        after = encode_field(name, value)
        if after != encode_field(name, getattr(problem, _FIELDS_BY_NAME[name].attname)):
            changed[name] = after
    return changed


def problem_state_from_events(events: Iterable[ProblemEvent]) -> dict:
    """The problem as its events say it is: a fold over the events in order. Each event sets
    the fields it carries (``data["fields"]``) and the status it led to; the version is the
    number of events and the last hash the last event's. A history recorded before events
    carried their fields gives only what its later events set (and the fields added later,
    which no event of it could set, as empty)."""
    state: dict = dict.fromkeys(FIELDS_ADDED_LATER)
    count = 0
    for event in events:
        state.update((event.data or {}).get("fields") or {})
        state["status"] = event.to_status
        count += 1
        state["version"] = count
        state["last_event_hash"] = event.hash
    return state


def problem_state_from_row(row: dict) -> dict:
    """The problem row (``Problem.objects.values(...)`` of ``ROW_VALUES``) in the fold's terms."""
    state = {field.name: encode_field(field.name, row[field.attname]) for field in STATE_FIELDS}
    state["version"] = row["version"]
    state["last_event_hash"] = row["last_event_hash"]
    return state


ROW_VALUES = ("pk", *(field.attname for field in STATE_FIELDS), "version", "last_event_hash")


@dataclass(frozen=True)
class Finding:
    problem_code: str
    message: str
    field: str = ""
    row_value: object = None
    rebuilt_value: object = None


def _events_by_problem() -> Iterator[tuple[int, list[ProblemEvent]]]:
    current_id, batch = None, []
    for event in ProblemEvent.objects.order_by("problem_id", "seq").iterator(chunk_size=5000):
        if event.problem_id != current_id and batch:
            yield current_id, batch
            batch = []
        current_id = event.problem_id
        batch.append(event)
    if batch:
        yield current_id, batch


def last_plain_event_id() -> tuple[int, bool]:
    """The last event id that may be hashed plain (written before keyed hashing), and whether
    its record is genuine. Without a genuine record no event may be plain."""
    start = KeyedHashingStart.objects.order_by("pk").first()
    if start is None:
        return 0, True
    if not start.is_genuine():
        return 0, False
    return start.last_plain_event_id, True


@dataclass
class LedgerCheck:
    """What one run of the check found, with what it covered."""

    findings: list[Finding]
    problems: int = 0
    events: int = 0
    without_recorded_fields: int = 0


def _chain_findings(code: str, history: list[ProblemEvent], plain_up_to: int,
                    anchors: dict) -> Iterator[Finding]:
    previous_hash = ""
    for expected_seq, event in enumerate(history, start=1):
        if event.seq != expected_seq:
            yield Finding(code, f"event {expected_seq} is missing (found {event.seq})")
            return
        if event.prev_hash != previous_hash:
            yield Finding(code, f"event {event.seq} does not follow the event before it")
            return
        if event.hash_scheme == PLAIN_HASH_SCHEME and event.pk > plain_up_to:
            yield Finding(code, f"event {event.seq} ({event.action}) is hashed without the key, "
                                "but was written after keyed hashing began")
            return
        expected = event.compute_hash()
        if expected is None:
            yield Finding(code, f"event {event.seq} was hashed with a key this site does not hold "
                                f"({event.hash_scheme})")
            return
        if expected != event.hash:
            yield Finding(code, f"event {event.seq} ({event.action}) was altered")
            return
        anchored = anchors.get((event.problem_id, event.seq))
        if anchored is not None and anchored[0] != event.hash:
            yield Finding(code, f"the history up to event {event.seq} differs from the fingerprint of {anchored[1]}")
            return
        previous_hash = event.hash


def ledger_check(*, anchors: dict | None = None) -> LedgerCheck:
    """Every place where the stored history does not prove the problem's current state: a gap
    in the sequence, a broken or unkeyed chain, an altered event, a field of the row that its
    events do not give, or a chain that no longer holds what a fingerprint saw.

    ``anchors``: (problem id, seq) -> (hash, fingerprint day), from the fingerprint files."""
    anchors = anchors or {}
    anchored_to = {}  # problem id -> (highest anchored seq, its day)
    for (problem_id, seq), (_hash, day) in anchors.items():
        if seq > anchored_to.get(problem_id, (0, None))[0]:
            anchored_to[problem_id] = (seq, day)
    check = LedgerCheck(findings=[])
    findings = check.findings
    plain_up_to, genuine = last_plain_event_id()
    if not genuine:
        findings.append(Finding("—", "the record of where keyed hashing began was altered: no event may be plain"))
    problems = Problem.objects.order_by("pk").values(*ROW_VALUES)
    events = _events_by_problem()
    pending = next(events, None)
    seen = set()
    for row in problems.iterator(chunk_size=5000):
        pk, code = row["pk"], row["code"]
        seen.add(pk)
        check.problems += 1
        while pending is not None and pending[0] < pk:
            findings.append(Finding(f"#{pending[0]}", "events belong to a problem that no longer exists"))
            pending = next(events, None)
        if pending is None or pending[0] != pk:
            findings.append(Finding(code, "has no history"))
            continue
        history = pending[1]
        pending = next(events, None)
        check.events += len(history)
        chain = list(_chain_findings(code, history, plain_up_to, anchors))
        findings.extend(chain)
        if pk in anchored_to and anchored_to[pk][0] > len(history):
            findings.append(Finding(code, f"events after {len(history)} were removed since the fingerprint of "
                                          f"{anchored_to[pk][1]} (it saw {anchored_to[pk][0]})"))
        if chain:
            continue
        record = history[0]
        if record.action != Action.RECORD:
            findings.append(Finding(code, "history does not start with its recording"))
            continue
        if "fields" not in (record.data or {}):
            if record.hash_scheme != PLAIN_HASH_SCHEME:
                findings.append(Finding(code, "its recording does not carry the problem's fields"))
                continue
            check.without_recorded_fields += 1
        findings.extend(_field_findings(code, problem_state_from_row(row), problem_state_from_events(history)))
    while pending is not None:
        findings.append(Finding(f"#{pending[0]}", "events belong to a problem that no longer exists"))
        pending = next(events, None)
    for problem_id in sorted(set(anchored_to) - seen):
        findings.append(Finding(f"#{problem_id}", f"is in the fingerprint of {anchored_to[problem_id][1]} "
                                                  "but no longer exists"))
    return check


def _field_findings(code: str, row: dict, rebuilt: dict) -> Iterator[Finding]:
    for name, value in rebuilt.items():
        if row[name] != value:
            if name == "last_event_hash":
                message = "the latest events were removed or replaced"
            elif name == "status":
                message = f"state {row[name]} was not reached by its last event ({value})"
            else:
                message = f"{name} is {row[name]!r} in the row but {value!r} by its events"
            yield Finding(code, message, field=name, row_value=row[name], rebuilt_value=value)


def ledger_findings(*, anchors: dict | None = None) -> list[Finding]:
    """The findings of ``ledger_check`` alone."""
    return ledger_check(anchors=anchors).findings
