"""The Los Angeles 311 importer (ledger/transfer/la311.py) and the opt-in history export."""

import csv
import datetime as dt
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from campaign.models import District, Unit
from ledger.choices import Action, Severity, Source, Status
from ledger.integrity import ledger_findings
from ledger.models import Problem, ProblemEvent
from ledger.tests.factories import problem_in
from ledger.transfer import la311
from ledger.transfer.export import HISTORY_COLUMNS, write_history

pytestmark = pytest.mark.django_db

HEADER = ("SRNumber,CreatedDate,UpdatedDate,ActionTaken,Owner,RequestType,Status,RequestSource,MobileOS,Anonymous,"
          "AssignTo,ServiceDate,ClosedDate,AddressVerified,ApproximateAddress,Address,HouseNumber,Direction,"
          "StreetName,Suffix,ZipCode,Latitude,Longitude,Location,TBMPage,TBMColumn,TBMRow,APC,CD,CDMember,NC,"
          "NCName,PolicePrecinct")


def row(sr, created, status, closed="", *, owner="BOS", kind="Bulky Items", service="", apc="Central APC",
        address="100 N MAIN ST, 90012", source="Call"):
    return (f'{sr},{created},,SR Created,{owner},{kind},{status},{source},,N,NC,{service},{closed},Y,N,"{address}",'
            f',,,,90012,34.05,-118.24,"(34.05, -118.24)",634,D,1,{apc},14,X,1,NC,CENTRAL')


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def requests_file(tmp_path):
    lines = [
        HEADER,
        # closed on its scheduled service date
        row("1-1", "12/27/2017 09:00:00 AM", "Closed", "12/29/2017 03:00:00 PM", service="12/29/2017 12:00:00 AM"),
        # the same place and kind again after the first was closed: a rebound
        row("1-2", "12/30/2017 10:00:00 AM", "Closed", "01/04/2018 11:00:00 AM"),
        row("1-3", "12/28/2017 11:00:00 PM", "Cancelled", "12/29/2017 08:00:00 AM", kind="Dead Animal Removal",
            address="5 ELM ST, 90012", apc="Harbor APC"),
        row("1-4", "12/31/2017 11:59:58 PM", "Open", kind="Graffiti Removal", owner="OCB", address="9 OAK ST",
            source="Driver Self Report", service="11/01/2017 12:00:00 AM"),
        row("1-5", "12/29/2017 08:00:00 AM", "Closed", "12/28/2017 08:00:00 AM", address="1 PINE ST"),  # closed "before" made
        row("1-6", "12/29/2017 09:00:00 AM", "Closed", "12/30/2017 09:00:00 AM", apc="", address="2 PINE ST"),
    ]
    path = tmp_path / "la311.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def local(day: str, time: str):
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{time}"))


def test_requests_become_problems_with_their_history_at_the_records_times(city, requests_file):
    result = la311.import_la311(by=city.hq, path=requests_file)

    assert (result.rows, result.created, result.rebounds) == (6, 5, 1)
    assert result.skipped == ["1-6: no Area Planning Commission"]
    first = Problem.objects.get(source_ref="LA311 1-1")
    assert first.status == Status.CLOSED and first.found_at == local("2017-12-27", "09:00")
    assert first.closed_at == local("2017-12-29", "15:00")
    assert first.deadline == dt.date(2017, 12, 29)  # the scheduled service date
    assert first.district.name_en == "Central APC" and first.responsible_unit.name_en == "LA Sanitation (BOS)"
    assert first.team.code == "LA-SAN" and first.category.code == "STD3" and first.source == Source.PUBLIC_REPORT
    assert [e.action for e in first.events.order_by("seq")] == [
        Action.RECORD, Action.ASSIGN, Action.ACKNOWLEDGE, Action.APPLY_CLOSE, Action.APPROVE, Action.REBOUND]
    assert first.events.get(action=Action.APPLY_CLOSE).actor.unit_id == first.responsible_unit_id
    assert first.photos.count() == 1

    rebound = Problem.objects.get(source_ref="LA311 1-2")
    assert rebound.rebound_of_id == first.pk and rebound.status == Status.CLOSED
    assert rebound.deadline == dt.date(2018, 1, 6)  # no service date: the general deadline, 7 days

    cancelled = Problem.objects.get(source_ref="LA311 1-3")
    assert cancelled.status == Status.INVALID and cancelled.severity == Severity.URGENT
    assert cancelled.district.name_en == "Harbor APC" and cancelled.category.code == "STD8"
    assert cancelled.events.get(action=Action.INVALIDATE).at == local("2017-12-29", "08:00")

    still_open = Problem.objects.get(source_ref="LA311 1-4")
    assert still_open.status == Status.RECTIFYING and still_open.source == Source.SELF_FOUND
    assert still_open.deadline == dt.date(2018, 1, 7)  # the service date lay before the request
    assert still_open.found_at == local("2017-12-31", "23:59:58")  # LA's Sunday stays a Sunday

    early = Problem.objects.get(source_ref="LA311 1-5")
    assert early.closed_at == early.found_at  # a closing before the request is taken as at once

    assert list(ledger_findings()) == []


def test_importing_again_adds_nothing(city, requests_file):
    la311.import_la311(by=city.hq, path=requests_file)
    again = la311.import_la311(by=city.hq, path=requests_file)
    assert (again.created, again.already_present) == (0, 5)
    assert Problem.objects.count() == 5
    assert District.objects.filter(code__startswith="LA-").count() == 2
    assert Unit.objects.filter(name_en__contains="(").count() == 2


def test_only_hq_staff_import(city, requests_file):
    with pytest.raises(Exception, match="HQ"):
        la311.import_la311(by=city.district_lead, path=requests_file)
    assert not Problem.objects.exists()


@pytest.mark.realdata
def test_the_command_imports_a_sample_of_the_real_file(city):
    out = StringIO()
    call_command("import_la311", "--user", "hq", "--every", "500", stdout=out)
    assert "20 requests read: 20 problems created" in out.getvalue()
    assert Problem.objects.count() == 20
    with pytest.raises(CommandError, match="not HQ staff"):
        call_command("import_la311", "--user", "district_lead", "--limit", "1", stdout=StringIO())


def test_the_history_export_lists_every_event_with_its_time_unit_deadline_and_team(city):
    closed = problem_in(city, Status.CLOSED)
    out = io.StringIO()

    written = write_history(Problem.objects.all(), out)

    assert out.getvalue().startswith("\ufeff")  # the byte order mark by which Excel knows UTF-8
    rows = list(csv.DictReader(io.StringIO(out.getvalue()[1:])))
    assert tuple(rows[0]) == HISTORY_COLUMNS
    assert written == len(rows) == ProblemEvent.objects.count()
    assert [r["action"] for r in rows] == ["record", "assign", "acknowledge", "apply_close", "approve"]
    assert rows[0]["code"] == closed.code and rows[0]["team"] == city.team.name
    assert rows[1]["unit"] == city.office_a.name and rows[1]["deadline"] == closed.deadline.isoformat()
    assert rows[1]["team"] == ""  # problem attributes only on the first row
    assert rows[4]["at"].endswith("+08:00")
    assert dt.datetime.fromisoformat(rows[4]["at"]) == closed.closed_at


def test_the_history_command_writes_what_the_person_may_see(city, tmp_path):
    problem_in(city, Status.ASSIGNED)
    problem_in(city, Status.FOUND, point=city.points_b[0])
    target = tmp_path / "history.csv"
    call_command("export_ledger_history", str(target), "--user", "other_district_lead", stderr=StringIO())
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert len(rows) == 1 and rows[0]["action"] == "record"
    out = StringIO()
    call_command("export_ledger_history", stdout=out)
    assert len(out.getvalue().strip().splitlines()) == 1 + ProblemEvent.objects.count()
