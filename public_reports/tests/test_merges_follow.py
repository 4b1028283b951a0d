"""A report merged into one still waiting follows that report's decision; merges go only into
an open problem or an earlier report, and the pages and the API say so."""

import pytest

from ledger.choices import Status
from ledger.tests.factories import problem_in
from public_reports import services
from public_reports.choices import ReportAction, ReportStatus
from public_reports.models import PublicReport
from public_reports.selectors import tracking_stage

from .factories import report
from .reward_factories import close_problem

pytestmark = pytest.mark.django_db


def _merge(into, city, **extra):
    return services.public_report_merge(report=report(city, **extra), by=city.hq, into_report=into)


def _reload(r):
    return PublicReport.objects.select_related("problem").get(pk=r.pk)


def test_reports_merged_into_a_waiting_report_follow_its_problem_when_it_is_accepted(city):
    first = report(city)
    second = _merge(first, city)
    assert second.problem is None
    accepted = services.public_report_accept(report=first, by=city.hq)
    second = _reload(second)
    assert (second.status, second.problem, second.merged_into) == (ReportStatus.MERGED, accepted.problem, first)
    event = second.events.last()
    assert (event.action, event.data) == (ReportAction.MERGE, {"problem": accepted.problem.code, "via": first.code})
    close_problem(city, accepted.problem)
    second = _reload(second)
    assert tracking_stage(second) == "closed" and services.rating_open(second)


def test_a_chain_of_merges_follows_the_first_report(city):
    first, middle = report(city), report(city)
    last = _merge(middle, city)
    middle = services.public_report_merge(report=middle, by=city.hq, into_report=first)
    accepted = services.public_report_accept(report=first, by=city.hq)
    assert {_reload(r).problem for r in (middle, last)} == {accepted.problem}


def test_merging_into_a_merged_report_goes_to_the_report_it_was_merged_into(city):
    first, middle = report(city), report(city)
    services.public_report_merge(report=middle, by=city.hq, into_report=first)
    last = _merge(middle, city)
    assert last.merged_into == first


def test_when_the_waiting_report_is_merged_into_a_problem_its_followers_follow_too(city):
    problem = problem_in(city, Status.RECTIFYING)
    first = report(city)
    second = _merge(first, city)
    services.public_report_merge(report=first, by=city.hq, into_problem=problem)
    assert _reload(second).problem == problem


def test_when_the_waiting_report_is_rejected_its_followers_are_rejected_with_its_reason_not_its_note(city):
    first = report(city)
    second = _merge(first, city)
    services.public_report_reject(report=first, by=city.hq, reason="not_found", note="给第一位举报人的说明")
    second = _reload(second)
    assert (second.status, second.reject_reason, second.decision_note) == (ReportStatus.REJECTED, "not_found", "")
    assert second.merged_into == first
    event = second.events.last()
    assert (event.action, event.from_status, event.data) == (
        ReportAction.REJECT, ReportStatus.MERGED, {"reason": "not_found", "via": first.code})
    assert tracking_stage(second) == "rejected" and services.rating_open(second)


@pytest.mark.parametrize("status", [Status.CLOSED, Status.INVALID])
def test_a_report_is_not_merged_into_a_closed_or_invalid_problem(city, status):
    problem = problem_in(city, status)
    with pytest.raises(services.PublicReportError, match="merge only into an open problem.*new problem"):
        services.public_report_merge(report=report(city), by=city.hq, into_problem=problem)


def test_a_report_is_not_merged_into_a_waiting_report_whose_problem_closed_meanwhile(city):
    first = report(city)
    accepted = services.public_report_accept(report=first, by=city.hq)
    close_problem(city, accepted.problem)
    with pytest.raises(services.PublicReportError, match="open problem"):
        _merge(first, city)


def test_a_report_is_not_merged_into_a_later_one(city):
    earlier, later = report(city), report(city)
    with pytest.raises(services.PublicReportError, match="sent after this one"):
        services.public_report_merge(report=earlier, by=city.hq, into_report=later)
    assert _reload(earlier).status == ReportStatus.RECEIVED


def test_the_moderation_page_shows_a_refused_merge_as_an_error(city, login):
    earlier, later = report(city), report(city)
    response = login(city.hq).post(f"/public-reports/{earlier.pk}/merge/",
                                   {"merge-version": 1, "merge-into": later.code})
    assert response.status_code == 400
    assert "was sent after this one" in response.content.decode()
    closed = problem_in(city, Status.CLOSED)
    response = login(city.hq).post(f"/public-reports/{earlier.pk}/merge/",
                                   {"merge-version": 1, "merge-into": closed.code})
    assert response.status_code == 400
    assert "merge only into an open problem" in response.content.decode()


def test_the_api_answers_a_refused_merge_with_400_and_the_reason(city, client):
    earlier, later = report(city), report(city)
    client.force_login(city.hq)
    response = client.post(f"/api/public-reports/{earlier.pk}/merge/", {"into": later.code},
                           content_type="application/json")
    assert response.status_code == 400
    assert "was sent after this one" in response.content.decode()
