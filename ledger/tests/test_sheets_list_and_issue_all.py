"""The sheets list (search, filters, paging: every sheet reachable) and issuing every unit's
sheet in one action."""

import pytest
from django.utils import timezone

from campaign.choices import AuditAction
from campaign.models import AuditEntry
from ledger import tasks
from ledger.choices import Status
from ledger.models import AssignmentSheet
from ledger.services import problem_assign
from ledger.sheets import assignment_sheet_issue, sheets_waiting
from ledger.tests.factories import problem_in, record
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def issue(city, unit=None):
    return assignment_sheet_issue(unit=unit or city.office_a, problems=[problem_in(city, Status.ASSIGNED)], by=city.hq)


def test_every_sheet_is_reachable_page_by_page(city, login, monkeypatch):
    monkeypatch.setattr("ledger.views.sheets.PER_PAGE", 2)
    numbers = {issue(city).number for _ in range(5)}
    client = login(city.hq)
    seen = set()
    for page in (1, 2, 3):
        content = client.get(f"/ledger/sheets/?page={page}").content.decode()
        seen |= {number for number in numbers if number in content}
    assert seen == numbers


def test_the_sheets_list_searches_and_filters(city, login):
    first, second = issue(city), issue(city)
    b_problem = record(city, point=city.points_b[0])
    problem_assign(problem=b_problem, unit=city.office_b, by=city.hq)
    other = assignment_sheet_issue(unit=city.office_b, problems=[b_problem], by=city.hq)
    client = login(city.hq)
    page = client.get("/ledger/sheets/", {"q": second.number[5:]}).content.decode()
    assert second.number in page and first.number not in page
    page = client.get("/ledger/sheets/", {"q": "乙街道"}).content.decode()
    assert other.number in page and first.number not in page
    page = client.get("/ledger/sheets/", {"district": city.district_b.pk}).content.decode()
    assert other.number in page and first.number not in page
    page = client.get("/ledger/sheets/", {"unit": city.office_a.pk}).content.decode()
    assert first.number in page and other.number not in page
    issued = timezone.localdate(first.issued_at).isoformat()  # the day in the city, as the filter reads it
    assert first.number in client.get("/ledger/sheets/", {"issued_from": issued, "issued_to": issued}).content.decode()
    assert first.number not in client.get("/ledger/sheets/", {"issued_from": "2099-01-01"}).content.decode()


def test_hq_issues_every_units_sheet_in_one_confirmed_action(city, login):
    for _ in range(2):
        problem_in(city, Status.ASSIGNED)
    b_problem = record(city, point=city.points_b[0])
    problem_assign(problem=b_problem, unit=city.office_b, by=city.hq)
    client = login(city.hq)
    confirm = client.get("/ledger/sheets/issue-all/").content.decode()
    assert 'id="issue-all-confirm"' in confirm and AssignmentSheet.objects.count() == 0
    response = client.post("/ledger/sheets/issue-all/", {"note": "限期整改"}, follow=True)
    sheets = AssignmentSheet.objects.all()
    assert sorted(sheet.unit.name for sheet in sheets) == ["乙街道办", "甲街道办"]
    assert sum(sheet.items.count() for sheet in sheets) == 3
    assert "已向 2 个单位签发 2 份交办单，共列出 3 个问题。" in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.SHEETS_ISSUED)
    assert entry.details["units"] == 2 and entry.details["problems"] == 3
    assert sheets_waiting(city.hq) == {"units": 0, "problems": 0}
    again = client.post("/ledger/sheets/issue-all/", follow=True)
    assert AssignmentSheet.objects.count() == 2 and again.status_code == 200


def test_a_district_lead_issues_only_their_districts_sheets(city, login):
    problem_in(city, Status.ASSIGNED)
    b_problem = record(city, point=city.points_b[0])
    problem_assign(problem=b_problem, unit=city.office_b, by=city.hq)
    login(city.district_lead).post("/ledger/sheets/issue-all/")
    assert [sheet.unit for sheet in AssignmentSheet.objects.all()] == [city.office_a]
    assert sheets_waiting(city.hq) == {"units": 1, "problems": 1}
    for user in (city.unit_handler, city.inspector, city.leader):
        assert login(user).post("/ledger/sheets/issue-all/").status_code == 404


def test_a_large_batch_is_issued_by_the_worker(city, login, settings, monkeypatch,
                                                django_capture_on_commit_callbacks):
    settings.SHEET_ISSUE_BACKGROUND_PROBLEMS = 1
    for _ in range(2):
        problem_in(city, Status.ASSIGNED)
    sent = []
    monkeypatch.setattr(tasks.assignment_sheets_issue_all, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        login(city.hq).post("/ledger/sheets/issue-all/")
    assert sent == [(city.hq.pk, "")] and AssignmentSheet.objects.count() == 0
    assert tasks.assignment_sheets_issue_all(city.hq.pk, "") == 1
    assert tasks.assignment_sheets_issue_all(city.hq.pk, "") == 0  # delivered twice: issued once
    sheet = AssignmentSheet.objects.get()
    assert sheet.items.count() == 2
    # The requester learns the sheets are out (the page had said "shortly"), once.
    ready = Notification.objects.get(event="sheets.issued_in_background")
    assert (ready.recipient, ready.context["sheets"], ready.context["problems"]) == (city.hq, 1, 2)


def test_issuing_a_sheet_sends_it_to_the_unit_once_with_its_excel(city):
    sheet = issue(city)
    told = Notification.objects.filter(event="sheet.issued")
    assert {n.recipient for n in told} == {city.unit_handler}
    note = told.get(recipient=city.unit_handler)
    assert note.about_id == sheet.pk and note.attachment_url == f"/ledger/sheets/{sheet.pk}/sheet.xlsx"
    assert note.context["number"] == sheet.number and note.context["problems"] == 1


def test_a_backdated_sheet_tells_nobody(city):
    import datetime as dt

    from django.utils import timezone

    assignment_sheet_issue(unit=city.office_a, problems=[problem_in(city, Status.ASSIGNED)], by=city.hq,
                           at=timezone.now() - dt.timedelta(days=30))
    assert not Notification.objects.filter(event="sheet.issued").exists()
