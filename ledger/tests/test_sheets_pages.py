"""Assignment-sheet pages and endpoints: anonymous, wrong role, right role, other district."""

import pytest

from ledger.choices import Status
from ledger.models import AssignmentSheet
from ledger.sheets import assignment_sheet_issue
from ledger.tests.excel_helpers import read_rows
from ledger.tests.factories import problem_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sheet(city):
    return assignment_sheet_issue(unit=city.office_a, problems=[problem_in(city, Status.ASSIGNED)], by=city.hq,
                                  note="限期整改")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_sheet_pages_send_anonymous_visitors_to_log_in(city, sheet, login):
    client = login(None)
    for url in ("/ledger/sheets/", f"/ledger/sheets/{sheet.pk}/", f"/ledger/sheets/{sheet.pk}/sheet.xlsx",
                "/ledger/sheets/issue/"):
        assert client.get(url).status_code == 302


def test_the_unit_sees_its_sheet_printable_with_number_unit_problems_and_signatures(city, sheet, login):
    client = login(city.unit_handler)
    listing = client.get("/ledger/sheets/")
    assert sheet.number in listing.content.decode()
    page = client.get(f"/ledger/sheets/{sheet.pk}/").content.decode()
    assert sheet.number in page and "甲街道办" in page and "限期整改" in page
    assert "@page { size: A4" in page
    item = sheet.items.get()
    assert item.problem.code in page and item.deadline.isoformat() in page
    assert "signature" in page.lower() or "签" in page


def test_sheets_of_another_district_or_unit_are_404(city, sheet, login):
    for user in (city.other_district_lead, city.inspector):
        client = login(user)
        assert client.get(f"/ledger/sheets/{sheet.pk}/").status_code == 404
        assert client.get(f"/ledger/sheets/{sheet.pk}/sheet.xlsx").status_code == 404
        assert sheet.number not in client.get("/ledger/sheets/").content.decode()
    assert login(city.public).get("/ledger/sheets/").status_code == 403


def test_the_sheet_downloads_as_excel(city, sheet, login):
    response = login(city.district_lead).get(f"/ledger/sheets/{sheet.pk}/sheet.xlsx")
    assert response.status_code == 200
    rows = read_rows(body(response))
    text = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    assert sheet.number in text and "甲街道办" in text and sheet.items.get().problem.code in text


def test_the_issue_page_proposes_and_issues_a_sheet_per_unit(city, login):
    problem = problem_in(city, Status.ASSIGNED)
    client = login(city.district_lead)
    page = client.get("/ledger/sheets/issue/").content.decode()
    assert problem.code in page and "甲街道办" in page

    response = client.post("/ledger/sheets/issue/", {"unit": city.office_a.pk, "problems": [problem.pk], "note": ""})

    sheet = AssignmentSheet.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledger/sheets/{sheet.pk}/"
    assert list(sheet.problems.all()) == [problem]


def test_the_issue_page_is_404_for_roles_that_do_not_issue(city, login):
    for user in (city.unit_handler, city.inspector, city.leader, city.team_lead):
        assert login(user).get("/ledger/sheets/issue/").status_code == 404
        assert login(user).post("/ledger/sheets/issue/", {"unit": city.office_a.pk}).status_code == 404


def test_a_district_lead_cannot_issue_for_another_district(city, login):
    problem = problem_in(city, Status.ASSIGNED)
    login(city.other_district_lead).post("/ledger/sheets/issue/", {"unit": city.office_a.pk, "problems": [problem.pk]})
    assert AssignmentSheet.objects.count() == 0


# --- API -------------------------------------------------------------------------------------------


def test_api_lists_and_reads_only_the_sheets_in_scope(city, sheet, login):
    assert login(None).get("/api/assignment-sheets/").status_code in (401, 403)
    data = login(city.unit_handler).get("/api/assignment-sheets/").json()
    results = data["results"] if isinstance(data, dict) else data
    assert [s["number"] for s in results] == [sheet.number]
    detail = login(city.unit_handler).get(f"/api/assignment-sheets/{sheet.pk}/").json()
    assert detail["items"][0]["code"] == sheet.items.get().problem.code
    assert login(city.other_district_lead).get(f"/api/assignment-sheets/{sheet.pk}/").status_code == 404
    other = login(city.other_district_lead).get("/api/assignment-sheets/").json()
    assert (other["results"] if isinstance(other, dict) else other) == []


def test_api_issues_a_sheet_and_refuses_wrong_roles_scope_and_units(city, login):
    problem = problem_in(city, Status.ASSIGNED)
    body_ = {"unit": city.office_a.pk, "problems": [problem.pk], "note": "尽快"}

    assert login(city.unit_handler).post("/api/assignment-sheets/", body_, content_type="application/json").status_code == 403
    assert login(city.other_district_lead).post("/api/assignment-sheets/", body_,
                                                content_type="application/json").status_code == 404
    wrong_unit = {**body_, "unit": city.city_department.pk}
    assert login(city.hq).post("/api/assignment-sheets/", wrong_unit, content_type="application/json").status_code == 409
    assert AssignmentSheet.objects.count() == 0

    response = login(city.district_lead).post("/api/assignment-sheets/", body_, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["number"].startswith("交办〔")
    again = login(city.hq).post("/api/assignment-sheets/", body_, content_type="application/json")
    assert again.status_code == 409
