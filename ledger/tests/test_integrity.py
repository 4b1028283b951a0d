"""verify_ledger proves the history untouched, and catches tampering: an altered event, a chain
re-made without the key, a field of the row that no event set (defect 12 of issue 8)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.utils import timezone

from ledger import services
from ledger.choices import Severity, Source, Status
from ledger.integrity import (
    ROW_VALUES,
    STATE_FIELDS,
    ledger_findings,
    problem_state_from_events,
    problem_state_from_row,
)
from ledger.models import KeyedHashingStart, Problem, ProblemClass, ProblemEvent
from ledger.sheets import assignment_sheet_issue
from ledger.tests.excel_helpers import EN, ledger_row, xlsx_bytes
from ledger.tests.factories import problem_in, record, stored_photo
from ledger.transfer import services as transfer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LEDGER_FINGERPRINT_DIR = tmp_path / "fingerprints"


def tamper(sql, params):
    """Change rows behind the services' back, getting past the database's own refusal."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # skips triggers (superuser)
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS ledger_event_append_only")
            cursor.execute(sql, params)


def rechain(problem, *, scheme=None, change=lambda event: None):
    """Rewrite ``problem``'s events in SQL and re-make the chain as a forger would: plain
    SHA-256 (``scheme="sha256"`` also marks the events as written before keyed hashing), or
    with the key (``scheme=None``: an insider who holds it)."""
    previous = ""
    for event in problem.events.order_by("seq"):
        change(event)
        event.prev_hash = previous
        if scheme == "sha256":
            event.hash_scheme = "sha256"
        if scheme == "sha256-only":  # the forger knows nothing of the scheme column
            saved, event.hash_scheme = event.hash_scheme, "sha256"
            event.hash = event.compute_hash()
            event.hash_scheme = saved
        else:
            event.hash = event.compute_hash()
        tamper("UPDATE ledger_problemevent SET note = %s, data = %s, prev_hash = %s, hash = %s, hash_scheme = %s "
               "WHERE id = %s", [event.note, json.dumps(event.data),
                                 event.prev_hash, event.hash, event.hash_scheme, event.pk])
        previous = event.hash
    Problem.objects.filter(pk=problem.pk).update(last_event_hash=previous)


def verify(capsys, *options):
    """verify_ledger's verdict, what it printed and what it complained of."""
    try:
        call_command("verify_ledger", *options)
        verdict = ""
    except CommandError as error:
        verdict = str(error)
        assert "the ledger is NOT intact" in verdict
    captured = capsys.readouterr()
    return not verdict, captured.out, captured.err + verdict


def rebuilt_and_row(problem):
    row = Problem.objects.values(*ROW_VALUES).get(pk=problem.pk)
    return problem_state_from_events(problem.events.order_by("seq")), problem_state_from_row(row)


# --- Untouched histories -------------------------------------------------------------------------


def test_verify_ledger_passes_on_an_untouched_history(city, capsys):
    for status in Status.values:
        problem_in(city, status)
    call_command("verify_ledger")
    assert "The ledger is intact: 6 problems" in capsys.readouterr().out


def test_every_service_leaves_a_row_its_events_rebuild_field_by_field(city, settings):
    """Walk every service that changes a problem; after each, the fold over the events gives
    exactly the row, every field of it."""
    names = {field.name for field in STATE_FIELDS} | {"version", "last_event_hash"}
    touched = []

    def check(*problems):
        for problem in problems:
            rebuilt, row = rebuilt_and_row(problem)
            assert set(rebuilt) == names, f"{problem.code}: the events do not give {names - set(rebuilt)}"
            assert rebuilt == row
            touched.append(problem.pk)
        assert ledger_findings() == []

    found_at = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30, 12, 345678))
    first = record(city, found_at=found_at, severity=Severity.SERIOUS, latitude=Decimal("30.1234567"),
                   address="甲路 3 号", source_ref="12345 热线")
    check(first)
    unplaced = services.problem_record(by=city.hq, category=city.standard, district=city.district_b,
                                       description="  道路破损  ", source=Source.PUBLIC_REPORT)
    check(unplaced)
    first = services.problem_assign(problem=first, unit=city.office_a, by=city.district_lead,
                            deadline=timezone.localdate() + datetime.timedelta(days=9))
    check(first)
    first = services.problem_assign(problem=first, unit=city.city_department, by=city.hq)  # reassign
    check(first)
    first = services.problem_assign(problem=first, unit=city.office_a, by=city.hq)
    first = services.problem_acknowledge(problem=first, by=city.unit_handler)
    check(first)
    first = services.problem_apply_close(problem=first, note="已清理", photos=[stored_photo(first.pk)], by=city.unit_handler)
    check(first)
    first = services.problem_verify(problem=first, approved=False, note="未到位", by=city.district_lead)
    check(first)
    first = services.problem_apply_close(problem=first, note="再次清理", photos=[stored_photo(first.pk)], by=city.unit_handler)
    first = services.problem_verify(problem=first, approved=True, note="合格", by=city.district_lead)
    check(first)
    rebound = services.problem_record_rebound(original=first, by=city.inspector, description="又有积水")
    check(first, rebound)
    cause = ProblemClass.objects.create(code="C1", name="排水", created_by=city.hq)
    rebound = services.problem_classify(problem=rebound, problem_class=cause, by=city.hq)
    check(rebound)
    rebound = services.problem_classify(problem=rebound, problem_class=None, by=city.hq)
    check(rebound)
    rebound = services.problem_locate(problem=rebound, grid=None, road=city.road_a, by=city.district_lead)
    check(rebound)
    rebound = services.problem_found_again(problem=rebound, by=city.inspector, note="仍未整改", source_ref="insp:9")
    check(rebound)
    unplaced = services.problem_invalidate(problem=unplaced, reason="重复", duplicate_of=rebound, by=city.hq)
    check(unplaced)
    point = city.points_a[1]
    finding, outcome = services.problem_record_finding(
        by=city.inspector, sample_point=point, category=point.category, finding_key="REST-01",
        description="后厨脏乱", source=Source.ROUTINE_SUPERVISION, severity=Severity.URGENT, source_ref="insp:1")
    assert outcome == "new" and finding.status == Status.ASSIGNED
    check(finding)
    again, outcome = services.problem_record_finding(
        by=city.inspector, sample_point=point, category=point.category, finding_key="REST-01",
        description="后厨脏乱", source=Source.ROUTINE_SUPERVISION, severity=Severity.URGENT, source_ref="insp:2")
    assert outcome == "found_again"
    check(again)
    listed = services.problem_assign(problem=record(city), unit=city.office_a, by=city.hq)
    assignment_sheet_issue(unit=city.office_a, problems=[listed], by=city.hq)
    check(listed)
    data = xlsx_bytes([EN, ledger_row(code="OLD-7", status="Closed", responsible_unit="甲街道办",
                                      deadline="2026-01-12", closed_on="2026-01-10", rectification="已清理"),
                       ledger_row(status="整改中", responsible_unit="甲街道办"), ledger_row(status="无效")])
    upload, plan = transfer.ledger_import_preview(user=city.hq, file_name="old.xlsx", data=data)
    assert plan.errors == []
    transfer.ledger_import_confirm(user=city.hq, record=upload, run_now=True)
    check(*Problem.objects.exclude(pk__in=touched))
    assert Problem.objects.exclude(pk__in=touched).count() == 0


# --- Tampering -----------------------------------------------------------------------------------


def test_verify_ledger_catches_an_altered_event(city):
    problem = problem_in(city, Status.CLOSED)
    event = problem.events.get(action="approve")
    tamper("UPDATE ledger_problemevent SET note = %s WHERE id = %s", ["改过的", event.pk])
    with pytest.raises(CommandError, match="1 findings"):
        call_command("verify_ledger")


def test_verify_ledger_catches_a_removed_event(city):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    event = problem.events.get(action="acknowledge")
    tamper("DELETE FROM ledger_evidencephoto WHERE event_id IN (SELECT id FROM ledger_problemevent WHERE problem_id = %s)", [problem.pk])
    tamper("DELETE FROM ledger_problemevent WHERE id = %s", [event.pk])
    with pytest.raises(CommandError):
        call_command("verify_ledger")


def test_verify_ledger_catches_a_state_no_event_led_to(city):
    problem = problem_in(city, Status.RECTIFYING)
    Problem.objects.filter(pk=problem.pk).update(status=Status.CLOSED)
    with pytest.raises(CommandError, match="1 findings"):
        call_command("verify_ledger")


@pytest.mark.postgres
@pytest.mark.parametrize("forger", ["sha256-only", "sha256"])
def test_verify_ledger_detects_rechained_events(city, capsys, forger):
    """Someone with database access rewrites a closed problem's history (the verification
    moved a day earlier) and re-makes the chain with plain SHA-256, as it was before the key:
    once without touching the scheme column, once marking the events as written before keyed
    hashing began. Neither passes."""
    problem = problem_in(city, Status.CLOSED)
    untouched = problem_in(city, Status.ASSIGNED)

    def earlier(event):
        if event.action == "approve":
            event.note = "现场核实（提前）"

    rechain(problem, scheme=forger, change=earlier)

    intact, out, err = verify(capsys)
    assert not intact
    assert problem.code in err and untouched.code not in err
    assert ("was altered" in err) if forger == "sha256-only" else ("hashed without the key" in err)
    assert "The ledger is intact" not in out


@pytest.mark.postgres
def test_history_written_before_keyed_hashing_stays_verifiable(city, capsys):
    """Events hashed plain before the key existed (the boundary recorded, keyed, at migration)
    verify as they are; their problem's fields are compared as far as later events set them."""
    legacy = problem_in(city, Status.RECTIFYING)

    def as_before(event):
        event.data.pop("fields", None)

    rechain(legacy, scheme="sha256", change=as_before)
    # Written before problems carried a grid and road: its row has none (FIELDS_ADDED_LATER).
    Problem.objects.filter(pk=legacy.pk).update(grid=None, road=None)
    last_plain = ProblemEvent.objects.order_by("-id").values_list("id", flat=True).first()
    KeyedHashingStart.objects.all().delete()
    KeyedHashingStart.objects.create(last_plain_event_id=last_plain, mac=KeyedHashingStart.mac_for(last_plain))
    services.problem_apply_close(problem=legacy, note="已清理", photos=[stored_photo(legacy.pk)], by=city.unit_handler)
    problem_in(city, Status.CLOSED)

    call_command("verify_ledger")
    out = capsys.readouterr().out
    assert "The ledger is intact: 2 problems" in out and "1 problems were recorded before" in out

    # The boundary cannot be moved without the key.
    KeyedHashingStart.objects.update(last_plain_event_id=last_plain + 100)
    intact, _out, err = verify(capsys)
    assert not intact and "where keyed hashing began was altered" in err and legacy.code in err


def test_verify_ledger_detects_field_moved_in_sql(city, capsys):
    """A deadline moved from 09-18 to 09-22 in SQL: reported with the problem, the field, the
    row's value and the value its events give."""
    problem = problem_in(city, Status.RECTIFYING)
    Problem.objects.filter(pk=problem.pk).update(deadline=datetime.date(2026, 9, 18))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_problem SET deadline = %s WHERE id = %s", [datetime.date(2026, 9, 22), problem.pk])
    other = problem_in(city, Status.ASSIGNED)

    intact, _out, err = verify(capsys)

    assert not intact
    expected = problem_state_from_events(problem.events.order_by("seq"))["deadline"]
    assert f"{problem.code}: deadline is '2026-09-22' in the row but '{expected}' by its events" in err
    assert other.code not in err


def _another_value(problem, field, spare):
    """A different valid value for ``field`` of ``problem``."""
    current = getattr(problem, field.attname)
    if field.is_relation:
        model = field.related_model
        if model is Problem:
            return spare.pk
        if model is ProblemClass:
            return ProblemClass.objects.create(code=f"X{field.name}", name="x", created_by=problem.found_by).pk
        return model.objects.exclude(pk=current).order_by("pk").values_list("pk", flat=True).first()
    if field.choices:
        return next(value for value, _label in field.choices if value != current)
    if isinstance(field, models.DateTimeField):
        return (current or timezone.now()) + datetime.timedelta(hours=3)
    if isinstance(field, models.DateField):
        return (current or datetime.date(2026, 1, 1)) + datetime.timedelta(days=4)
    if isinstance(field, models.DecimalField):
        return (current or Decimal("30")) + Decimal("0.000001")
    if isinstance(field, models.IntegerField):
        return current + 1
    return f"{current}改"


def test_verify_ledger_compares_every_field_of_the_row(city):
    """Each field of a problem changed behind the services' back is found, by name."""
    problem = problem_in(city, Status.CLOSED)
    spare = record(city)
    for field in (*STATE_FIELDS, Problem._meta.get_field("version")):
        value = (problem.version + 1 if field.name == "version" else _another_value(problem, field, spare))
        with transaction.atomic():
            Problem.objects.filter(pk=problem.pk).update(**{field.attname: value})
            findings = ledger_findings()
            transaction.set_rollback(True)
        assert [f.field for f in findings] == [field.name], field.name


def test_new_events_are_hashed_with_the_key_kept_outside_the_database(city, settings):
    """New events are HMAC-SHA256 under LEDGER_HMAC_KEY: neither a plain digest of their
    content nor the digest under another key matches; with another key they are reported,
    unless the old key is kept among the retired ones."""
    problem = record(city)
    event = problem.events.get()
    assert event.hash_scheme.startswith("hmac-sha256:")
    assert event.compute_hash() == event.hash
    event.hash_scheme = "sha256"
    assert event.compute_hash() != event.hash
    old_key = settings.LEDGER_HMAC_KEY
    settings.LEDGER_HMAC_KEY = "another-key-that-is-long-enough-0123456789"
    messages = [f.message for f in ledger_findings()]
    assert f"event 1 was hashed with a key this site does not hold ({problem.events.get().hash_scheme})" in messages

    settings.LEDGER_HMAC_OLD_KEYS = [old_key]  # the key changed: the retired one still verifies its events
    later = record(city)
    assert later.events.get().hash_scheme != problem.events.get().hash_scheme
    assert ledger_findings() == []


def test_the_database_refuses_to_delete_history_on_postgresql(city):
    if connection.vendor != "postgresql":
        pytest.skip("delete refusal is PostgreSQL's (SQLite refuses updates only)")
    from django.db import DatabaseError

    problem = problem_in(city, Status.FOUND)
    with pytest.raises(DatabaseError), transaction.atomic():
        ProblemEvent.objects.filter(problem=problem).delete()
