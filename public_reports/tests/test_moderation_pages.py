"""The moderation queue and a report's page: who sees what, and each decision through the page."""

import pytest

from ledger import services as ledger
from ledger.choices import Status
from ledger.tests.factories import stored_photo
from public_reports import services
from public_reports.choices import ReportStatus, ReviewState
from public_reports.models import PublicReport

from .factories import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(city):
    return {"a": report(city, description="甲区垃圾", photos=[stored_photo()]),
            "b": report(city, district=city.district_b, description="乙区垃圾")}


def _codes(page) -> set[str]:
    return {r.code for r in page.context["rows"]}


def test_anonymous_goes_to_login_and_other_roles_are_refused(city, login, two):
    assert login(None).get("/public-reports/").status_code == 302
    assert login(city.public).get("/public-reports/").status_code == 403
    assert login(city.unit_handler).get("/public-reports/").status_code == 403
    assert login(city.unit_handler).get(f"/public-reports/{two['a'].pk}/").status_code == 404


def test_hq_sees_every_report_and_a_district_lead_only_their_districts(city, login, two):
    assert _codes(login(city.hq).get("/public-reports/")) == {two["a"].code, two["b"].code}
    assert _codes(login(city.district_lead).get("/public-reports/")) == {two["a"].code}
    assert login(city.district_lead).get(f"/public-reports/{two['b'].pk}/").status_code == 404


def test_the_queue_filters_by_status_district_and_text(city, login, two):
    client = login(city.hq)
    assert _codes(client.get(f"/public-reports/?district={city.district_b.pk}")) == {two["b"].code}
    assert _codes(client.get("/public-reports/?q=甲区")) == {two["a"].code}
    assert _codes(client.get("/public-reports/?status=rejected")) == set()
    assert _codes(client.get("/public-reports/?submitted_from=not-a-date")) == set()


def test_the_queue_costs_the_same_queries_for_three_or_thirty_reports(city, login, django_assert_max_num_queries):
    for _ in range(3):
        report(city, photos=[stored_photo()])
    client = login(city.hq)
    client.get("/public-reports/")  # the session and the menu's counts settle
    with django_assert_max_num_queries(10) as few:
        client.get("/public-reports/")
    for _ in range(27):
        report(city)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/public-reports/")
    assert len(page.context["rows"]) == 30


def test_the_page_shows_the_number_in_full_to_moderators_and_masked_to_leaders(city, login, two):
    assert "13800138000" in login(city.hq).get(f"/public-reports/{two['a'].pk}/").content.decode()
    assert "13800138000" in login(city.district_lead).get(f"/public-reports/{two['a'].pk}/").content.decode()
    html = login(city.leader).get(f"/public-reports/{two['a'].pk}/").content.decode()
    assert "13800138000" not in html and "138****8000" in html
    assert 'data-test="accept-form"' not in html


def test_hq_accepts_with_a_unit_and_the_problem_is_assigned(city, login, two):
    response = login(city.hq).post(f"/public-reports/{two['a'].pk}/accept/", {
        "accept-version": 1, "accept-category": city.points_a[0].category.pk, "accept-district": city.district_a.pk,
        "accept-severity": "serious", "accept-unit": city.office_a.pk, "accept-description": "垃圾堆放，需清运"})
    assert response.status_code == 302
    accepted = PublicReport.objects.get(pk=two["a"].pk)
    assert accepted.status == ReportStatus.ACCEPTED
    assert (accepted.problem.status, accepted.problem.responsible_unit) == (Status.ASSIGNED, city.office_a)
    assert accepted.problem.photos.count() == 1


def test_a_leader_may_not_decide(city, login, two):
    response = login(city.leader).post(f"/public-reports/{two['a'].pk}/reject/",
                                       {"reject-version": 1, "reject-reason": "not_found"})
    assert response.status_code == 403
    assert PublicReport.objects.get(pk=two["a"].pk).status == ReportStatus.RECEIVED


def test_a_district_lead_cannot_decide_on_another_districts_report(city, login, two):
    response = login(city.district_lead).post(f"/public-reports/{two['b'].pk}/reject/",
                                              {"reject-version": 1, "reject-reason": "not_found"})
    assert response.status_code == 404


def test_merge_by_code_into_an_earlier_report(city, login, two):
    later = report(city, description="同一处垃圾")
    response = login(city.district_lead).post(f"/public-reports/{later.pk}/merge/",
                                              {"merge-version": 1, "merge-into": two["a"].code})
    assert response.status_code == 302
    later.refresh_from_db()
    assert (later.status, later.merged_into) == (ReportStatus.MERGED, two["a"])


def test_merge_into_an_unknown_or_unseen_code_is_refused_on_the_page(city, login, two):
    mine = report(city)
    response = login(city.district_lead).post(f"/public-reports/{mine.pk}/merge/",
                                              {"merge-version": 1, "merge-into": two["b"].code})
    assert response.status_code == 400
    assert "No problem or report with this code" in response.content.decode()


def test_reject_with_other_needs_the_reason_text(city, login, two):
    client = login(city.hq)
    response = client.post(f"/public-reports/{two['a'].pk}/reject/", {"reject-version": 1, "reject-reason": "other"})
    assert response.status_code == 400
    response = client.post(f"/public-reports/{two['a'].pk}/reject/",
                           {"reject-version": 1, "reject-reason": "other", "reject-note": "重复投诉，已答复"})
    assert response.status_code == 302
    assert PublicReport.objects.get(pk=two["a"].pk).decision_note == "重复投诉，已答复"


def test_a_second_decision_is_refused_with_a_message(city, login, two):
    client = login(city.hq)
    client.post(f"/public-reports/{two['a'].pk}/reject/", {"reject-version": 1, "reject-reason": "not_found"})
    response = client.post(f"/public-reports/{two['a'].pk}/reject/",
                           {"reject-version": 1, "reject-reason": "abusive"}, follow=True)
    assert PublicReport.objects.get(pk=two["a"].pk).reject_reason == "not_found"
    assert "changed meanwhile" in response.content.decode() or "already been decided" in response.content.decode()


def test_edits_are_kept_beside_the_original_and_a_hidden_photo_is_marked(city, login, two):
    photo = two["a"].photos.get()
    response = login(city.hq).post(f"/public-reports/{two['a'].pk}/edit/", {
        "edit-version": 1, "edit-description": "小区门口生活垃圾堆放", "edit-hide_photos": [photo.pk],
        "edit-note": "照片有人脸"})
    assert response.status_code == 302
    html = login(city.hq).get(f"/public-reports/{two['a'].pk}/").content.decode()
    assert "甲区垃圾" in html and "小区门口生活垃圾堆放" in html
    assert 'data-test="hidden-photo"' in html


def test_photos_are_served_only_to_who_may_see_the_report(city, login, two):
    photo = two["a"].photos.get()
    assert login(city.district_lead).get(f"/public-reports/photos/{photo.pk}/thumb/").status_code == 200
    assert login(city.other_district_lead).get(f"/public-reports/photos/{photo.pk}/thumb/").status_code == 404
    assert login(city.unit_handler).get(f"/public-reports/photos/{photo.pk}/").status_code == 404


def _unsatisfied(city):
    r = report(city)
    r = services.public_report_accept(report=r, by=city.hq, unit=city.office_a)
    problem = ledger.problem_acknowledge(problem=r.problem, by=city.unit_handler)
    problem = ledger.problem_apply_close(problem=problem, note="已清运", photos=[stored_photo(problem.pk)],
                                         by=city.unit_handler)
    ledger.problem_verify(problem=problem, approved=True, note="现场核实", by=city.hq)
    return services.public_report_rate(report=r, secret=r.follow_secret, satisfied=False, comment="又堆上了")


def test_hq_reviews_an_unsatisfied_rating_and_records_a_rebound(city, login):
    r = _unsatisfied(city)
    page = login(city.hq).get("/public-reports/review/")
    html = page.content.decode()
    assert r.code in html and "又堆上了" in html and "/thumb/" in html
    assert login(city.district_lead).get("/public-reports/review/").status_code == 403
    response = login(city.hq).post(f"/public-reports/{r.pk}/review/", {"decision": "rebound", "note": "现场复查仍有垃圾"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.review_state == ReviewState.REBOUND and r.rebound_problem.rebound_of_id == r.problem_id
    assert r.code not in login(city.hq).get("/public-reports/review/").content.decode()


def test_a_district_lead_may_not_review(city, login):
    r = _unsatisfied(city)
    response = login(city.district_lead).post(f"/public-reports/{r.pk}/review/", {"decision": "stand", "note": "x"})
    assert response.status_code == 403


def test_a_report_is_offered_to_merge_only_into_earlier_reports_and_open_problems(city, login):
    from datetime import timedelta

    from django.utils import timezone

    earlier = report(city, submitted_at=timezone.now() - timedelta(hours=2))
    later = report(city)
    client = login(city.hq)
    first_page = client.get(f"/public-reports/{earlier.pk}/").content.decode()
    assert f'data-duplicate="{later.code}"' in first_page  # listed, for the moderator to see
    assert f'name="merge-into" value="{later.code}"' not in first_page  # but not offered
    second_page = client.get(f"/public-reports/{later.pk}/").content.decode()
    assert f'name="merge-into" value="{earlier.code}"' in second_page
