"""verify_ledger proves the history untouched, and catches tampering."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ledger.choices import Status
from ledger.models import Problem, ProblemEvent
from ledger.tests.factories import problem_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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


def test_verify_ledger_passes_on_an_untouched_history(city, capsys):
    for status in Status.values:
        problem_in(city, status)
    call_command("verify_ledger")
    assert "The ledger is intact: 6 problems" in capsys.readouterr().out


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


def test_the_database_refuses_to_delete_history_on_postgresql(city):
    if connection.vendor != "postgresql":
        pytest.skip("delete refusal is PostgreSQL's (SQLite refuses updates only)")
    from django.db import DatabaseError, transaction

    problem = problem_in(city, Status.FOUND)
    with pytest.raises(DatabaseError), transaction.atomic():
        ProblemEvent.objects.filter(problem=problem).delete()
