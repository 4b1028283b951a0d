"""The leaders' dashboard: its week trends equal the reports' figures, each role sees its own
scope, the latest published rankings are linked, and the page costs a fixed number of queries."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from ledger.choices import Source
from reports import dashboard, figures
from reports.choices import ReportKind, ReportStatus
from reports.kinds import dashboard_kinds
from reports.models import Report
from reports.periods import last_finished, month_of, week_of
from reports.tests.weeks import WEEK, assigned, at, build_week, found, verified, worked

pytestmark = pytest.mark.django_db

URL = "/reports/dashboard/"
# The Monday after the hand-built week, mid-morning: that week is the last finished one.
MONDAY_AFTER = at(WEEK.end + dt.timedelta(days=1), 10)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def week(city):
    return build_week(city)


# --- The figures -----------------------------------------------------------------------------------


def test_the_route_is_the_reports_dashboard():
    assert reverse("reports:dashboard") == URL


def test_trends_cover_the_last_twelve_finished_weeks_oldest_first(city):
    trends = dashboard.dashboard_trends(user=city.hq, now=MONDAY_AFTER)
    assert len(trends.periods) == 12
    assert trends.periods[-1] == WEEK
    assert trends.periods[0] == week_of(WEEK.start - dt.timedelta(weeks=11))
    assert trends.labels[-1] == "2025-W11"


def test_each_week_of_the_trend_equals_the_weekly_report_figures(city, week):
    trends = dashboard.dashboard_trends(user=city.hq, now=MONDAY_AFTER)

    # The hand-built week, as reports/tests/test_figures.py knows it.
    assert trends.scope.weeks["found"][-1] == 3
    assert trends.scope.weeks["closed"][-1] == 2
    assert trends.scope.weeks["overdue"][-1] == 2
    # And every week equals what the reports compute for it.
    for index, period in enumerate(trends.periods):
        published = figures.city_figures(period=period)
        for figure in dashboard.TREND_FIGURES:
            assert trends.scope.weeks[figure][index] == published[figure], (period.label, figure)
    # The week before: problem 10 closed; the five found on the 3rd.
    before = trends.periods[-2]
    published = figures.city_figures(period=before)
    assert (trends.scope.weeks["found"][-2], trends.scope.weeks["closed"][-2]) == (published["found"], 1)


def test_district_and_category_series_add_up_to_the_whole(city, week):
    trends = dashboard.dashboard_trends(user=city.hq, now=MONDAY_AFTER)

    by_district = {series.id: series for series in trends.districts}
    assert set(by_district) == {city.district_a.pk, city.district_b.pk}
    b = figures.city_figures(period=WEEK, district=city.district_b)
    assert by_district[city.district_b.pk].weeks["found"][-1] == b["found"] == 1
    assert by_district[city.district_b.pk].label == "乙区"
    for dimension in (trends.districts, trends.categories):
        for figure in dashboard.TREND_FIGURES:
            assert [sum(week) for week in zip(*(s.weeks[figure] for s in dimension), strict=True)] == \
                trends.scope.weeks[figure]
    assert {series.id for series in trends.categories} == {city.market.pk}


def test_a_district_lead_sees_the_figures_of_their_district_only(city, week):
    trends = dashboard.dashboard_trends(user=city.other_district_lead, now=MONDAY_AFTER)

    assert [series.id for series in trends.districts] == [city.district_b.pk]
    b = figures.city_figures(period=WEEK, district=city.district_b)
    assert [trends.scope.weeks[f][-1] for f in dashboard.TREND_FIGURES] == [b["found"], b["closed"], b["overdue"]]


def test_a_unit_handler_sees_their_units_problems(city, week):
    trends = dashboard.dashboard_trends(user=city.unit_handler, now=MONDAY_AFTER)
    # Office A answers for everything in district A: found 2 (7 and the rebound), none in B.
    assert trends.scope.weeks["found"][-1] == 2
    assert [series.id for series in trends.districts] == [city.district_a.pk]


def test_key_counts_use_the_ledger_now_and_last_weeks_published_rates(city, week):
    counts = dashboard.dashboard_counts(user=city.hq, now=MONDAY_AFTER)

    assert counts.last_week == WEEK
    assert counts.closure_rate == {"numerator": 2, "denominator": 4, "value": 0.5}
    assert counts.on_time_rate == {"numerator": 1, "denominator": 4, "value": 0.25}
    # Open now: 3, 6, 7, 8 (found Monday 00:00) and the rebound; 5 is invalid since Monday.
    assert counts.open == 5
    # Overdue on Monday: 3 (due Friday); 6's deadline is still ahead.
    assert counts.overdue == 1
    assert counts.closed_this_week == 0


def test_key_counts_of_an_empty_scope_have_no_rate(city, week):
    counts = dashboard.dashboard_counts(user=city.other_district_lead, now=MONDAY_AFTER)
    assert counts.closure_rate["value"] is None and counts.closure_rate["denominator"] == 0


# --- The latest reports ------------------------------------------------------------------------------


def make_report(kind, period, *, status=ReportStatus.DONE, published=False, version=1, data=None, district=None):
    return Report.objects.create(
        kind=kind, period_start=period.start, period_end=period.end, version=version, status=status,
        district=district, scope_key=Report.scope_key_for(district), data=data or {},
        published_at=timezone.now() if published else None,
    )


EXPOSURE_DATA = {
    "red_list": {"districts": [{"id": 1, "name": "甲区", "name_en": "District A", "overdue": 0,
                                "on_time_rate": {"numerator": 4, "denominator": 4, "value": 1.0}}],
                 "units": []},
    "black_list": {"districts": [{"id": 2, "name": "乙区", "name_en": "District B", "overdue": 3,
                                  "on_time_rate": {"numerator": 1, "denominator": 4, "value": 0.25}}],
                   "units": []},
}


def test_the_latest_exposure_is_the_newest_published_version(city):
    week = last_finished(ReportKind.WEEKLY_EXPOSURE)
    older = make_report(ReportKind.WEEKLY_EXPOSURE, week.previous(), published=True)
    make_report(ReportKind.WEEKLY_EXPOSURE, week, published=False)  # a draft: not yet
    assert dashboard.latest_report(user=city.hq, kind=ReportKind.WEEKLY_EXPOSURE) == older
    newest = make_report(ReportKind.WEEKLY_EXPOSURE, week, published=True, version=2, data=EXPOSURE_DATA)
    make_report(ReportKind.WEEKLY_EXPOSURE, week, status=ReportStatus.FAILED, version=3)
    assert dashboard.latest_report(user=city.hq, kind=ReportKind.WEEKLY_EXPOSURE) == newest
    assert dashboard.latest_report(user=city.district_lead, kind=ReportKind.WEEKLY_EXPOSURE) == newest

    lists = dashboard.exposure_lists(newest)
    assert [(e["colour"], e["group"], e["total"]) for e in lists] == [
        ("red", "districts", 1), ("red", "units", 0), ("black", "districts", 1), ("black", "units", 0)]


def comparison_row(pk, name, rank, score, previous_rank):
    return {"id": pk, "name": name, "name_en": "", "rank": rank, "score": score, "previous_rank": previous_rank,
            "change": previous_rank - rank if previous_rank else None}


def test_the_monthly_ranking_shows_its_first_rows_with_the_change_since_last_month(city, login):
    month = last_finished(ReportKind.MONTHLY_COMPARISON)
    units = [comparison_row(pk, f"单位{pk}", pk, 90.0 - pk, pk + 1) for pk in range(1, 8)]
    report = make_report(ReportKind.MONTHLY_COMPARISON, month, published=True, data={
        "districts": {"ranked": [comparison_row(1, "乙区", 1, 88.25, 2), comparison_row(2, "甲区", 2, 71.5, 1)],
                      "unranked": []},
        "units": {"ranked": units, "unranked": []},
    })

    lists = dashboard.comparison_lists(report)
    assert [(e["group"], len(e["rows"]), e["total"]) for e in lists] == [("districts", 2, 2), ("units", 5, 7)]
    page = login(city.team_lead).get(URL).content.decode()
    assert reverse("reports:report_detail", args=[report.pk]) in page
    assert "88.2" in page or "88.3" in page
    assert "▲1" in page and "▼1" in page
    assert "单位5" in page and "单位6" not in page


def test_a_district_report_is_not_the_citys_latest(city):
    month = last_finished(ReportKind.MONTHLY_COMPARISON)
    city_wide = make_report(ReportKind.MONTHLY_COMPARISON, month_of(month.start - dt.timedelta(days=1)),
                            published=True)
    make_report(ReportKind.MONTHLY_COMPARISON, month, district=city.district_a, published=True)
    assert dashboard.latest_report(user=city.hq, kind=ReportKind.MONTHLY_COMPARISON) == city_wide


def test_a_draft_comparison_is_not_the_latest_until_published(city):
    month = last_finished(ReportKind.MONTHLY_COMPARISON)
    older = make_report(ReportKind.MONTHLY_COMPARISON, month_of(month.start - dt.timedelta(days=1)), published=True)
    draft = make_report(ReportKind.MONTHLY_COMPARISON, month)
    assert dashboard.latest_report(user=city.leader, kind=ReportKind.MONTHLY_COMPARISON) == older
    Report.objects.filter(pk=draft.pk).update(published_at=timezone.now())
    assert dashboard.latest_report(user=city.district_lead, kind=ReportKind.MONTHLY_COMPARISON) == draft


# --- The page ------------------------------------------------------------------------------------


def recent_week(city):
    """Last week in district A: two found, one closed by its deadline, one left overdue."""
    week = last_finished(ReportKind.WEEKLY_ASSIGNMENT)
    tuesday = week.start + dt.timedelta(days=1)
    kept_open = assigned(city, found(city, at(tuesday, 9)), at(tuesday, 10), tuesday + dt.timedelta(days=2))
    done = assigned(city, found(city, at(tuesday, 11), source=Source.PUBLIC_REPORT), at(tuesday, 12), week.end)
    done = worked(city, done, at(tuesday, 15))
    verified(city, done, at(tuesday + dt.timedelta(days=1), 10))
    return week, kept_open


def test_anonymous_visitors_are_sent_to_sign_in(login):
    response = login(None).get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_members_of_the_public_are_refused(city, login):
    assert login(city.public).get(URL).status_code == 403


def test_hq_sees_last_weeks_figures_charts_and_the_published_rankings(city, login):
    week, _open = recent_week(city)
    exposure = make_report(ReportKind.WEEKLY_EXPOSURE, week, published=True, data=EXPOSURE_DATA)

    response = login(city.hq).get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    data = json.loads(page.split('id="dashboard-data" type="application/json">')[1].split("</script>")[0])
    assert data["labels"][-1] == week.label and len(data["labels"]) == 12
    assert data["scope"]["found"][-1] == 2 and data["scope"]["closed"][-1] == 1 and data["scope"]["overdue"][-1] == 1
    assert 'id="dashboard-data"' in page and 'id="chart-scope"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert f'<tr data-week="{week.label}">' in page
    assert reverse("reports:report_detail", args=[exposure.pk]) in page
    assert "甲区" in page and "乙区" in page  # the red and the black list
    counts = response.context["counts"]
    # Both were due last week; one was closed.
    assert counts.closure_rate == {"numerator": 1, "denominator": 2, "value": 0.5}
    assert "50.0 %" in page


def test_a_district_lead_sees_their_district_and_the_city_wide_rankings(city, login):
    week, _open = recent_week(city)
    make_report(ReportKind.WEEKLY_EXPOSURE, week, published=True, data=EXPOSURE_DATA)

    response = login(city.other_district_lead).get(URL)  # district B: nothing happened there

    assert response.status_code == 200
    assert response.context["chart_data"]["scope"]["found"] == [0] * 12
    assert response.context["counts"].open == 0
    assert response.context["exposure"] is not None  # the rankings are city-wide
    assert "甲区" in response.content.decode()


def test_the_unpublished_exposure_stays_off_a_team_leads_dashboard(city, login):
    week = last_finished(ReportKind.WEEKLY_EXPOSURE)
    make_report(ReportKind.WEEKLY_EXPOSURE, week, published=False, data=EXPOSURE_DATA)
    response = login(city.team_lead).get(URL)
    assert response.context["exposure"] is None
    assert "乙区" not in response.content.decode()


def test_the_page_speaks_the_readers_language(city, login):
    client = login(city.leader)
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    page = client.get(URL).content.decode()
    assert '<html lang="en">' in page and "Open problems" in page and "Latest weekly exposure" in page


def test_the_page_costs_the_same_number_of_queries_however_many_problems(
        city, login, settings, django_assert_max_num_queries):
    settings.REPORT_DASHBOARD_CACHE_SECONDS = 0
    client = login(city.hq)
    recent_week(city)
    client.get(URL)
    # Session, user, campaign; the trends, district and category names; the key counts; the public
    # channel's counts, times, district names and weeks; the latest exposure and comparison.
    with django_assert_max_num_queries(13) as few:
        client.get(URL)
    for _ in range(3):
        recent_week(city)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200


def test_the_figures_are_computed_once_per_scope_while_the_cache_keeps_them(
        city, login, settings, django_assert_max_num_queries):
    settings.REPORT_DASHBOARD_CACHE_SECONDS = 300
    recent_week(city)
    first = login(city.hq).get(URL)
    assert first.context["counts"].open == 1

    recent_week(city)  # one more open problem, in district A
    client = login(city.leader)
    # session, user, campaign, the two latest reports and the menu's unread count (then cached),
    # and the latest report of each kind with a card on the dashboard (reports/kinds)
    with django_assert_max_num_queries(6 + len(dashboard_kinds())):
        again = client.get(URL)
    assert again.context["counts"].open == 1  # as of the first computation, which the page says
    assert again.context["computed_at"] == first.context["computed_at"]
    # Another scope has its own figures, computed now.
    assert login(city.district_lead).get(URL).context["counts"].open == 2
    settings.REPORT_DASHBOARD_CACHE_SECONDS = 0
    assert login(city.hq).get(URL).context["counts"].open == 2
