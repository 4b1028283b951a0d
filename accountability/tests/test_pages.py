"""The pages as each role meets them: scoped lists and exports (out of scope is 404), the
printable notice and record, HQ deciding from a proposal or the interview list, revoking."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accountability import services
from accountability.choices import EscalationStatus, EscalationStep, RecordStatus
from accountability.models import (
    AccountabilityKind,
    AccountabilityRecord,
    Escalation,
    SupervisionNotice,
)
from accountability.tests.factories import decided_record, overdue_problem
from campaign.choices import AuditAction
from campaign.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder(city):
    services.accountability_defaults_seed()
    a = overdue_problem(city, 8)
    b = overdue_problem(city, 4, point=city.points_b[0])
    services.escalation_sweep()
    return {"a": a, "b": b, "notice_a": SupervisionNotice.objects.get(unit=city.office_a),
            "notice_b": SupervisionNotice.objects.get(unit=city.office_b),
            "record_a": decided_record(city, problems=[a]),
            "record_b": decided_record(city, unit=city.office_b, problems=[b], person_name="李四")}


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


@pytest.mark.parametrize("role, sees", [
    ("hq", {"甲街道办", "乙街道办"}), ("leader", {"甲街道办", "乙街道办"}), ("district_lead", {"甲街道办"}),
    ("other_district_lead", {"乙街道办"}), ("unit_handler", {"甲街道办"}), ("inspector", set()),
])
def test_record_list_and_its_export_are_scoped(city, login, ladder, role, sees):
    client = login(city.users[role])
    page = client.get("/accountability/")
    assert page.status_code == 200
    shown = {r.unit.name for r in page.context["page"].object_list}
    assert shown == sees
    sheet = workbook(client.get("/exports/accountability-records/"))
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {row[2] for row in rows} == sees
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_has_the_filtered_rows_with_their_problems(city, login, ladder):
    sheet = workbook(login(city.hq).get(f"/exports/accountability-records/?unit={city.office_b.pk}"))
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][2] == "乙街道办" and rows[0][4] == "李四" and rows[0][6] == ladder["b"].code


def test_out_of_scope_record_notice_and_unit_page_are_404(city, login, ladder):
    client = login(city.district_lead)
    assert client.get(f"/accountability/records/{ladder['record_b'].pk}/").status_code == 404
    assert client.get(f"/accountability/notices/{ladder['notice_b'].pk}/").status_code == 404
    assert client.get(f"/accountability/units/{city.office_b.pk}/").status_code == 404
    assert client.get(f"/accountability/records/{ladder['record_a'].pk}/").status_code == 200
    client = login(city.unit_handler)
    assert client.get(f"/accountability/records/{ladder['record_b'].pk}/").status_code == 404
    assert client.get(f"/api/accountability-records/{ladder['record_b'].pk}/").status_code == 404
    assert client.get(f"/api/supervision-notices/{ladder['notice_b'].pk}/").status_code == 404


def test_anonymous_goes_to_login_and_the_public_is_refused(city, login, ladder):
    assert login(None).get("/accountability/").status_code == 302
    assert login(city.public).get("/accountability/").status_code == 403


def test_notice_print_page_lists_its_problems_on_a4(city, login, ladder):
    page = login(city.unit_handler).get(f"/accountability/notices/{ladder['notice_a'].pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert ladder["notice_a"].number in html and ladder["a"].code in html
    assert "size: A4" in html and "data-print" in html


def test_notice_export_opens_with_its_problems(city, login, ladder):
    number = ladder["notice_a"].number
    sheet = workbook(login(city.district_lead).get("/exports/supervision-notices/", {"q": number}))
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    number, issued_on, unit, district, line, code, description, deadline, days = rows[0]
    assert (number, unit, district, line, code, description, days) == (
        ladder["notice_a"].number, "甲街道办", "甲区", 1, ladder["a"].code, ladder["a"].description, 8)
    assert issued_on.date() == timezone.localdate() and deadline.date() == ladder["a"].deadline
    # Another district's notice, asked for by its number, is not in the file.
    other = workbook(login(city.district_lead).get("/exports/supervision-notices/", {"q": ladder["notice_b"].number}))
    assert list(other.iter_rows(min_row=2, values_only=True)) == []


def test_notice_list_export_is_scoped(city, login, ladder):
    sheet = workbook(login(city.other_district_lead).get("/exports/supervision-notices/"))
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {ladder["notice_b"].number}


def test_record_print_page_renders(city, login, ladder):
    page = login(city.leader).get(f"/accountability/records/{ladder['record_a'].pk}/")
    html = page.content.decode()
    assert "通报批评" in html and "张三" in html and ladder["a"].code in html and "size: A4" in html


def test_unit_page_shows_the_units_records_and_notices(city, login, ladder):
    page = login(city.unit_handler).get(f"/accountability/units/{city.office_a.pk}/")
    html = page.content.decode()
    assert ladder["notice_a"].number in html and "张三" in html
    assert ladder["notice_b"].number not in html and "李四" not in html


def test_only_hq_and_leaders_read_the_interview_list(city, login, ladder):
    assert login(city.leader).get("/accountability/escalations/").status_code == 200
    assert login(city.district_lead).get("/accountability/escalations/").status_code == 404
    page = login(city.hq).get("/accountability/escalations/")
    assert [e.step for e in page.context["page"].object_list] == [EscalationStep.INTERVIEW]


def test_hq_decides_from_the_interview_list(city, login, ladder):
    listing = Escalation.objects.get(step=EscalationStep.INTERVIEW)
    client = login(city.hq)
    form = client.get(f"/accountability/records/new/?escalation={listing.pk}")
    assert form.context["form"].initial["problem_codes"] == ladder["a"].code
    interview = AccountabilityKind.objects.get(code="interview")
    response = client.post("/accountability/records/new/", {
        "escalation": listing.pk, "kind": interview.pk, "unit": city.office_a.pk, "person_name": "王主任",
        "reason": "超期7天未整改，约谈单位负责人", "decided_on": timezone.localdate().isoformat(),
        "problem_codes": ladder["a"].code,
    })
    record = AccountabilityRecord.objects.get(escalation=listing)
    assert response.status_code == 302 and response["Location"].endswith(f"/records/{record.pk}/")
    listing.refresh_from_db()
    assert listing.status == EscalationStatus.DECIDED
    assert list(record.problems.all()) == [ladder["a"]]
    assert AuditEntry.objects.filter(action=AuditAction.RECORD_DECIDED, details__record=record.pk).exists()
    # Deciding it again is refused.
    again = client.get(f"/accountability/records/new/?escalation={listing.pk}")
    assert again.status_code == 404


def test_a_problem_of_another_unit_is_refused(city, login, ladder):
    response = login(city.hq).post("/accountability/records/new/", {
        "kind": AccountabilityKind.objects.get(code="criticism").pk, "unit": city.office_a.pk,
        "reason": "x", "decided_on": timezone.localdate().isoformat(), "problem_codes": ladder["b"].code,
    })
    assert response.status_code == 200
    assert ladder["b"].code in str(response.context["form"].non_field_errors())


def test_only_hq_decides_revokes_and_dismisses(city, login, ladder):
    listing = Escalation.objects.get(step=EscalationStep.INTERVIEW)
    for role in ("leader", "district_lead", "unit_handler"):
        client = login(city.users[role])
        assert client.get("/accountability/records/new/").status_code == 404
        assert client.post(f"/accountability/escalations/{listing.pk}/dismiss/", {"reason": "x"}).status_code == 404
    assert login(city.district_lead).post(f"/accountability/records/{ladder['record_a'].pk}/revoke/",
                                          {"reason": "x"}).status_code == 404


def test_hq_revokes_a_record_with_a_reason_and_it_stays(city, login, ladder):
    client = login(city.hq)
    record = ladder["record_a"]
    client.post(f"/accountability/records/{record.pk}/revoke/", {"reason": "复核撤销"})
    record.refresh_from_db()
    assert record.status == RecordStatus.REVOKED and record.revoke_reason == "复核撤销"
    assert AccountabilityRecord.objects.filter(pk=record.pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.RECORD_REVOKED).count() == 1


def test_hq_dismisses_an_escalation_with_a_reason(city, login, ladder):
    listing = Escalation.objects.get(step=EscalationStep.INTERVIEW)
    login(city.hq).post(f"/accountability/escalations/{listing.pk}/dismiss/", {"reason": "已约谈"})
    listing.refresh_from_db()
    assert listing.status == EscalationStatus.DISMISSED and listing.dismiss_reason == "已约谈"


def test_api_lists_are_scoped(city, login, ladder):
    body = login(city.district_lead).get("/api/accountability-records/").json()
    assert [row["unit"] for row in body["results"]] == [city.office_a.pk]
    body = login(city.hq).get(f"/api/supervision-notices/?unit={city.office_b.pk}").json()
    assert [row["number"] for row in body["results"]] == [ladder["notice_b"].number]
    assert body["results"][0]["items"][0]["code"] == ladder["b"].code


def test_record_list_queries_stay_flat(city, login, ladder, django_assert_max_num_queries):
    for _ in range(5):
        decided_record(city)
    client = login(city.hq)
    with django_assert_max_num_queries(15):
        client.get("/accountability/")


def test_hqs_task_home_counts_the_escalations_its_link_lists_and_the_count_falls(city, login, ladder):
    from campaign import tasks_home

    client = login(city.hq)
    group = next(g for g in tasks_home.groups_for(city.hq) if g.key == "escalations_to_decide")
    assert tasks_home.counts(city.hq, fresh=True)["escalations_to_decide"] == 1
    listed = client.get(group.url(city.hq))
    assert len(listed.context["page"].object_list) == 1
    assert "escalations_to_decide" not in {g.key for g in tasks_home.groups_for(city.district_lead)}
    services.escalation_dismiss(escalation=Escalation.objects.get(step=EscalationStep.INTERVIEW),
                                reason="已整改", by=city.hq)
    assert tasks_home.counts(city.hq, fresh=True)["escalations_to_decide"] == 0
