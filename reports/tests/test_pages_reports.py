"""The reports pages: list, request, detail with progress, download, regenerate, publish,
weekly tasks; per role, with scope (404 out of it) and pinned query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.choices import ReportKind, ReportStatus
from reports.models import Report, WeeklyTask
from reports.periods import last_finished, week_of

from .engine_support import (  # noqa: F401 - fixtures
    broker_fixture,
    english_fixture,
    fake_kinds_fixture,
    found_last_week,
    last_week,
    media_fixture,
)

pytestmark = pytest.mark.usefixtures("fake_kinds")

LIST = "/reports/"
TASKS = "/reports/tasks/"


def queued(city, **extra) -> Report:
    kind = extra.pop("kind", ReportKind.WEEKLY_ASSIGNMENT)
    return services.report_request(kind=kind, period_start=last_finished(kind).start, requested_by=city.hq, **extra)


def done(city, **extra) -> Report:
    return services.report_run(report_id=queued(city, **extra).pk)


def url(name, report) -> str:
    return reverse(f"reports:{name}", args=[report.pk])


def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- List ------------------------------------------------------------------------------------


def test_anonymous_goes_to_login_and_the_public_is_refused(city, login):
    assert login(None).get(LIST).status_code == 302
    assert login(city.public).get(LIST).status_code == 403


def test_hq_sees_every_report_and_the_request_form(city, login, broker):
    reports = [done(city), done(city, district=city.district_b), queued(city, kind=ReportKind.WEEKLY_EXPOSURE)]
    page = login(city.hq).get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="report-request-form"' in html
    for report in reports:
        assert f'data-report="{report.pk}"' in html


def test_a_district_lead_sees_city_wide_and_own_district_reports_only(city, login, broker):
    city_wide, own, other = done(city), done(city, district=city.district_a), done(city, district=city.district_b)
    draft = done(city, kind=ReportKind.WEEKLY_EXPOSURE)
    html = login(city.district_lead).get(LIST).content.decode()
    assert f'data-report="{city_wide.pk}"' in html and f'data-report="{own.pk}"' in html
    assert f'data-report="{other.pk}"' not in html and f'data-report="{draft.pk}"' not in html
    assert 'id="report-request-form"' not in html


def test_the_list_filters_by_kind_and_status(city, login, broker):
    weekly = done(city)
    failed = queued(city, kind=ReportKind.MONTHLY_COMPARISON)
    services.report_fail(report_id=failed.pk, reason="test")
    html = login(city.hq).get(LIST, {"status": "failed"}).content.decode()
    assert f'data-report="{failed.pk}"' in html and f'data-report="{weekly.pk}"' not in html
    html = login(city.hq).get(LIST, {"kind": "weekly_assignment", "period": last_week().start}).content.decode()
    assert f'data-report="{weekly.pk}"' in html and f'data-report="{failed.pk}"' not in html


def test_the_list_costs_a_fixed_number_of_queries(city, login, broker, django_assert_max_num_queries):
    for district in (None, city.district_a, city.district_b):
        done(city, district=district)
        done(city, district=district, kind=ReportKind.WEEKLY_EXPOSURE)
    client = login(city.district_lead)
    client.get(LIST)
    with django_assert_max_num_queries(12):
        client.get(LIST)
    for district in (city.district_a, city.district_b):
        done(city, district=district, kind=ReportKind.MONTHLY_COMPARISON)
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_opening_the_list_as_hq_sends_the_outbox(city, login, broker):
    broker.down = True
    report = queued(city)
    Report.objects.filter(pk=report.pk).update(requested_at=timezone.now() - dt.timedelta(minutes=5))
    assert login(city.hq).get(LIST).status_code == 200  # the broker is down: the page still opens
    broker.down = False
    login(city.hq).get(LIST)
    assert broker.sent == [report.pk]
    assert Report.objects.get(pk=report.pk).sent_at is not None


# --- Request ---------------------------------------------------------------------------------


def test_hq_requests_last_weeks_report_and_lands_on_its_progress(city, login, broker,
                                                                 django_capture_on_commit_callbacks):
    client = login(city.hq)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_request"),
                               {"kind": "weekly_assignment", "day": (last_week().start + dt.timedelta(days=4))})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == url("report_detail", report)
    assert report.period_start == last_week().start and broker.sent == [report.pk]
    page = client.get(response["Location"]).content.decode()
    assert 'id="report-progress"' in page and "hx-get" in page


def test_a_request_for_an_unfinished_period_shows_the_form_again(city, login, broker):
    response = english(login(city.hq)).post(reverse("reports:report_request"),
                                            {"kind": "monthly_comparison", "day": timezone.localdate()})
    assert response.status_code == 400
    assert "has not ended yet" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_out_of_the_calendars_range_is_the_fields_error(city, login, broker, day):
    response = english(login(city.hq)).post(reverse("reports:report_request"),
                                            {"kind": "quarterly_appraisal", "day": day})
    assert response.status_code == 400
    assert "Choose a day between 2000-01-01" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("role", ["leader", "district_lead", "unit_handler"])
def test_only_hq_may_request_regenerate_or_publish(city, login, broker, role):
    report = done(city, kind=ReportKind.WEEKLY_EXPOSURE)
    client = login(getattr(city, role))
    body = {"kind": "weekly_assignment", "day": last_week().start}
    assert client.post(reverse("reports:report_request"), body).status_code == 404
    assert client.post(url("report_regenerate", report)).status_code == 404
    assert client.post(url("report_publish", report)).status_code == 404
    assert Report.objects.count() == 1 and Report.objects.get().published_at is None


# --- Detail ----------------------------------------------------------------------------------


def test_a_finished_report_shows_its_figures_download_and_versions(city, login, broker):
    found_last_week(city)
    found_last_week(city, point=city.points_b[0])
    first = done(city)
    second = services.report_run(report_id=services.report_regenerate(report=first, requested_by=city.hq).pk)
    page = login(city.leader).get(url("report_detail", second)).content.decode()
    assert '<span id="found-total">2</span>' in page
    assert url("report_download", second) in page
    assert url("report_detail", first) in page  # the earlier version is kept and linked
    assert 'hx-get' not in page


def test_a_team_or_district_lead_sees_lists_narrowed_to_their_scope(city, login, broker):
    found_last_week(city)
    found_last_week(city, point=city.points_b[0])
    report = done(city)
    whole = login(city.hq).get(url("report_detail", report)).content.decode()
    narrowed = login(city.district_lead).get(url("report_detail", report)).content.decode()
    assert whole.count('class="found-row"') == 2
    assert narrowed.count('class="found-row"') == 1 and f'data-district="{city.district_a.pk}"' in narrowed


def test_a_failed_report_shows_the_reason(city, login, broker):
    report = queued(city)
    services.report_fail(report_id=report.pk, reason="The database could not be reached")
    page = login(city.hq).get(url("report_detail", report)).content.decode()
    assert 'id="report-failure"' in page and "The database could not be reached" in page
    assert 'id="report-regenerate"' in page and "hx-get" not in page


def test_a_report_out_of_scope_is_404(city, login, broker):
    other = done(city, district=city.district_b)
    client = login(city.district_lead)
    for name in ("report_detail", "report_progress", "report_download"):
        assert client.get(url(name, other)).status_code == 404
    assert login(city.inspector).get(url("report_detail", done(city))).status_code == 404


def test_progress_polls_until_done_then_reloads_the_page(city, login, broker):
    report = queued(city)
    client = login(city.hq)
    fragment = client.get(url("report_progress", report), headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and b"hx-trigger" in fragment.content
    assert client.get(url("report_progress", report)).json()["status"] == "queued"
    services.report_run(report_id=report.pk)
    finished = client.get(url("report_progress", report), headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"
    assert client.get(url("report_progress", report)).json() == {
        "id": report.pk, "status": "done", "progress": 100, "failure": ""}


def test_the_download_is_the_workbook_named_by_kind_and_period(city, login, broker):
    report = done(city)
    response = login(city.unit_handler).get(url("report_download", report))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert last_week().label in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_regenerating_makes_a_new_version(city, login, broker):
    report = done(city)
    response = login(city.hq).post(url("report_regenerate", report))
    new = Report.objects.exclude(pk=report.pk).get()
    assert response["Location"] == url("report_detail", new) and new.version == 2
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DONE


def test_hq_publishes_an_exposure_draft_then_staff_see_it(city, login, broker):
    draft = done(city, kind=ReportKind.WEEKLY_EXPOSURE)
    assert login(city.unit_handler).get(url("report_detail", draft)).status_code == 404
    page = login(city.hq).get(url("report_detail", draft)).content.decode()
    assert 'id="report-publish"' in page
    assert 'name="confirmed" value="yes" id="report-publish-confirm"' in page
    # Without the confirmation nothing is published, and the page says why.
    refused = login(city.hq).post(url("report_publish", draft), follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "请先确认" in refused.content.decode()
    assert login(city.unit_handler).get(url("report_detail", draft)).status_code == 404
    login(city.hq).post(url("report_publish", draft), {"confirmed": "yes"})
    assert login(city.unit_handler).get(url("report_detail", draft)).status_code == 200
    assert 'id="report-publish"' not in login(city.hq).get(url("report_detail", draft)).content.decode()



def test_hq_publishes_a_monthly_comparison_draft_then_staff_see_it(city, login, broker):
    draft = done(city, kind=ReportKind.MONTHLY_COMPARISON)
    for not_yet in (city.district_lead, city.team_lead, city.unit_handler):
        assert login(not_yet).get(url("report_detail", draft)).status_code == 404
    page = login(city.leader).get(url("report_detail", draft)).content.decode()
    assert 'data-published="0"' in page and 'id="report-publish"' not in page  # leaders read drafts, HQ publishes
    page = login(city.hq).get(url("report_detail", draft)).content.decode()
    assert 'id="report-publish"' in page and 'data-published="0"' in page
    assert login(city.leader).post(url("report_publish", draft), {"confirmed": "yes"}).status_code == 404
    login(city.hq).post(url("report_publish", draft), {"confirmed": "yes"})
    draft.refresh_from_db()
    assert draft.published_by == city.hq and draft.published_at
    for now_yes in (city.district_lead, city.team_lead, city.unit_handler):
        assert login(now_yes).get(url("report_detail", draft)).status_code == 200
    page = login(city.hq).get(url("report_detail", draft)).content.decode()
    assert 'id="report-publish"' not in page and 'data-published="1"' in page


def test_a_weekly_assignment_has_no_publish_button(city, login, broker):
    page = login(city.hq).get(url("report_detail", done(city))).content.decode()
    assert 'id="report-publish"' not in page and "data-published" not in page

def test_the_detail_prints_on_a4(city, login, broker):
    page = login(city.hq).get(url("report_detail", done(city))).content.decode()
    assert "@page { size: A4" in page


# --- Weekly tasks ----------------------------------------------------------------------------


def test_hq_enters_the_coming_weeks_tasks(city, login):
    client = login(city.hq)
    monday = week_of(timezone.localdate() + dt.timedelta(days=7)).start
    response = client.post(f"{TASKS}?week={monday}", {
        "week": monday, "text": "完成甲区农贸市场整治", "unit": city.office_a.pk, "due_on": monday + dt.timedelta(days=4)})
    assert response.status_code == 302
    task = WeeklyTask.objects.get()
    assert (task.week_start, task.unit, task.created_by) == (monday, city.office_a, city.hq)
    page = client.get(TASKS, {"week": monday + dt.timedelta(days=2)}).content.decode()
    assert "完成甲区农贸市场整治" in page

    edit = reverse("reports:weekly_task_edit", args=[task.pk])
    assert client.post(edit, {"text": "完成甲区农贸市场整治并复查", "unit": "", "due_on": ""}).status_code == 302
    task.refresh_from_db()
    assert (task.text, task.unit) == ("完成甲区农贸市场整治并复查", None)
    client.post(reverse("reports:weekly_task_delete", args=[task.pk]))
    assert not WeeklyTask.objects.exists()


def test_the_tasks_page_says_tasks_reach_a_produced_report_only_when_regenerated(city, login, broker):
    report = done(city)
    this_week = report.period_end + dt.timedelta(days=1)
    page = english(login(city.hq)).get(TASKS, {"week": this_week}).content.decode()
    assert f"v{report.version}" in page
    assert "appear in it once it is regenerated" in page


def test_an_empty_task_is_refused(city, login):
    response = login(city.hq).post(TASKS, {"text": "   "})
    assert response.status_code == 400 and not WeeklyTask.objects.exists()


@pytest.mark.parametrize("role", ["leader", "team_lead", "district_lead", "unit_handler"])
def test_weekly_tasks_are_hq_only(city, login, role):
    monday = week_of(timezone.localdate()).start
    task = WeeklyTask.objects.create(week_start=monday, text="x", created_by=city.hq)
    client = login(getattr(city, role))
    assert client.get(TASKS).status_code == 404
    assert client.post(TASKS, {"text": "y"}).status_code == 404
    assert client.post(reverse("reports:weekly_task_delete", args=[task.pk])).status_code == 404
    assert WeeklyTask.objects.count() == 1


def test_the_reports_menu_is_in_the_header(city, login):
    html = login(city.district_lead).get(LIST).content.decode()
    assert f'href="{LIST}"' in html and f'href="{TASKS}"' not in html
    assert f'href="{TASKS}"' in login(city.hq).get(LIST).content.decode()
