"""The public channel's figures per district in the weekly assignment, the monthly comparison and
the dashboard: received, accepted, merged, rejected, the median hours to acceptance and the
reporters' satisfaction, from reports made and decided through the public channel's services,
shown beside the ranking and never in its formula."""

import datetime as dt
import io
from contextlib import contextmanager
from unittest import mock

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import load_workbook

from ledger import services as ledger
from public_reports import services
from public_reports.choices import Channel
from public_reports.selectors import ChannelByDistrict, ChannelFigures, public_channel_by_district
from public_reports.tests.factories import public_category, report
from reports import dashboard
from reports.choices import ReportKind, ReportStatus
from reports.kinds import dashboard_kinds, monthly_comparison, weekly_assignment
from reports.models import Report
from reports.periods import month_of, week_of
from reports.selectors import viewer_scope
from reports.workbook import build_workbook

from .ledger_history import assigned, at, closed
from .test_monthly_comparison import formula, inspected, months  # noqa: F401 (the hand-built February and March)

pytestmark = pytest.mark.django_db

MARCH = month_of(dt.date(2025, 3, 1))
FIRST_WEEK = week_of(dt.date(2025, 3, 3))  # Monday 3 to Sunday 9 March


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@contextmanager
def clock(moment):
    """The services stamp their decisions with the time: run them at ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def sent(city, when, *, district=None, **extra):
    return report(city, district=district or city.district_a, submitted_at=when, **extra)


def accepted(city, when, decided, *, district=None):
    with clock(decided):
        return services.public_report_accept(report=sent(city, when, district=district), by=city.hq)


def closed_and_rated(city, public_report, when, *, satisfied):
    """The report's problem assigned, rectified and verified closed, then rated, at ``when``."""
    unit = city.office_a if public_report.district == city.district_a else city.office_b
    problem = assigned(city, public_report.problem, when - dt.timedelta(hours=3), when.date(), unit=unit)
    closed(city, problem, when - dt.timedelta(hours=1))
    with clock(when):
        return services.public_report_rate(report=public_report, secret=public_report.follow_secret,
                                           satisfied=satisfied)


@pytest.fixture
def channel(city):
    """March 2025, through the services.

    District A: r0 sent 27 February 12:00, accepted 1 March 00:30 (36.5 h); r1 sent 3 March 09:00,
    accepted 15:00 (6 h); r2 sent 4 March 10:00, accepted 5 March 10:00 (24 h); r3 sent 6 March
    08:00, accepted 10:00 (2 h); r4 sent 7 March, merged into r1; r5 sent 8 March, rejected on the
    9th; r6 sent 30 March, waiting; an imported message of 2019 accepted on 12 March. r1 rated
    satisfied and r2 unsatisfied (25 March). Accepted in March: r0-r3 and the import (5); median
    over r0-r3 (the import left out) = (6 + 24) / 2 = 15 h.
    District B: b1 sent 10 March 09:00, accepted 12:00 (3 h), rated satisfied; b2 sent 11 March,
    rejected the 12th; b3 sent 31 March, decided 1 April (not March's decision).
    """
    a, b = city.district_a, city.district_b
    made = {
        "r0": accepted(city, at(dt.date(2025, 2, 27), 12), at(dt.date(2025, 3, 1), 0, 30)),
        "r1": accepted(city, at(dt.date(2025, 3, 3), 9), at(dt.date(2025, 3, 3), 15)),
        "r2": accepted(city, at(dt.date(2025, 3, 4), 10), at(dt.date(2025, 3, 5), 10)),
        "r3": accepted(city, at(dt.date(2025, 3, 6), 8), at(dt.date(2025, 3, 6), 10)),
    }
    with clock(at(dt.date(2025, 3, 7), 12)):
        made["r4"] = services.public_report_merge(report=sent(city, at(dt.date(2025, 3, 7), 11)), by=city.hq,
                                                  into_report=made["r1"], note="已有人举报")
    r5 = sent(city, at(dt.date(2025, 3, 8), 20))
    with clock(at(dt.date(2025, 3, 9), 9)):
        made["r5"] = services.public_report_reject(report=r5, by=city.district_lead, reason="not_found")
    made["r6"] = sent(city, at(dt.date(2025, 3, 30), 9))
    imported = services.public_report_submit(
        public_category=public_category(city), description="反映小区垃圾清运不及时", consent=False,
        channel=Channel.IMPORTED, district=a, submitted_at=at(dt.date(2019, 5, 6), 9), imported_ref="msg:1")
    with clock(at(dt.date(2025, 3, 12), 9)):
        made["imported"] = services.public_report_accept(report=imported.report, by=city.hq)

    made["b1"] = accepted(city, at(dt.date(2025, 3, 10), 9), at(dt.date(2025, 3, 10), 12), district=b)
    b2 = sent(city, at(dt.date(2025, 3, 11), 9), district=b)
    with clock(at(dt.date(2025, 3, 12), 9)):
        made["b2"] = services.public_report_reject(report=b2, by=city.hq, reason="other", note="非创卫问题")
    b3 = sent(city, at(dt.date(2025, 3, 31), 9), district=b)
    with clock(at(dt.date(2025, 4, 1), 9)):
        made["b3"] = services.public_report_reject(report=b3, by=city.hq, reason="not_found")

    rated_on = at(dt.date(2025, 3, 25), 10)
    closed_and_rated(city, made["r1"], rated_on, satisfied=True)
    closed_and_rated(city, made["r2"], rated_on, satisfied=False)
    closed_and_rated(city, made["b1"], rated_on, satisfied=True)
    return made


# --- The selector ----------------------------------------------------------------------------------


def march(**extra) -> ChannelByDistrict:
    return public_channel_by_district(start=MARCH.starts_at, end=MARCH.ends_at, **extra)


def test_each_district_counts_its_reports_received_and_the_decisions_of_the_month(city, channel):
    figures = march()
    a, b = figures.districts[city.district_a.pk], figures.districts[city.district_b.pk]
    # Received in March: r1-r6 (r0 was sent in February, the import in 2019).
    assert (a.received, a.accepted, a.merged, a.rejected) == (6, 5, 1, 1)
    # b3 was sent in March and decided in April.
    assert (b.received, b.accepted, b.merged, b.rejected) == (3, 1, 0, 1)
    city_total = figures.city
    assert (city_total.received, city_total.accepted, city_total.merged, city_total.rejected) == (9, 6, 1, 2)


def test_the_median_hours_to_acceptance_leave_imported_history_out(city, channel):
    figures = march()
    assert figures.districts[city.district_a.pk].median_hours == pytest.approx(15.0)  # 36.5, 6, 24, 2
    assert figures.districts[city.district_b.pk].median_hours == pytest.approx(3.0)
    assert figures.city.median_hours == pytest.approx(6.0)  # 36.5, 6, 24, 2, 3
    # The first week alone: r1, r2, r3 (r0 was accepted on Saturday 1 March, the week before).
    week = public_channel_by_district(start=FIRST_WEEK.starts_at, end=FIRST_WEEK.ends_at)
    assert week.districts[city.district_a.pk].median_hours == pytest.approx(6.0)


def test_satisfaction_is_the_share_satisfied_of_the_ratings_given(city, channel):
    figures = march()
    a, b = figures.districts[city.district_a.pk], figures.districts[city.district_b.pk]
    assert (a.satisfied, a.rated, a.satisfaction) == (1, 2, 0.5)
    assert (b.satisfied, b.rated, b.satisfaction) == (1, 1, 1.0)
    assert (figures.city.satisfied, figures.city.rated) == (2, 3)


def test_a_period_without_reports_has_no_median_and_no_satisfaction(city, channel):
    april = month_of(dt.date(2025, 5, 1))
    figures = public_channel_by_district(start=april.starts_at, end=april.ends_at)
    assert figures.districts == {}
    assert figures.city == ChannelFigures() and figures.city.median_hours is None
    assert figures.city.satisfaction is None


def test_one_districts_figures_and_a_scoped_queryset(city, channel):
    only_b = march(district=city.district_b)
    assert set(only_b.districts) == {city.district_b.pk} and only_b.city.received == 3
    from public_reports.models import PublicReport

    theirs = march(reports=PublicReport.objects.visible_to(city.other_district_lead))
    assert set(theirs.districts) == {city.district_b.pk}


@pytest.mark.usefixtures("months")
def test_a_report_placed_in_no_district_has_its_own_row_and_counts_in_the_total(city, channel):
    services.public_report_submit(public_category=public_category(city), description="没有位置的举报", consent=True,
                                  submitted_at=at(dt.date(2025, 3, 20), 9))
    assert march().districts[None].received == 1 and march().city.received == 10
    public = compute_march()["public_channel"]
    assert public["rows"][-1]["district_id"] is None and public["rows"][-1]["received"] == 1
    page = render(comparison_report(compute_march()), city.hq, monthly_comparison.TEMPLATE)
    assert "(no district)" in public_table(page)


def test_the_figures_cost_two_queries_however_many_reports(city, channel, django_assert_num_queries):
    with django_assert_num_queries(2):
        march()


# --- The monthly comparison ------------------------------------------------------------------------


def compute_march(district=None):
    with translation.override("en"):
        return monthly_comparison.compute(period=MARCH, district=district, progress=lambda percent: None)


RANKING_KEYS = ("districts", "units", "grids", "roads", "formula", "period", "previous_period", "scope")


@pytest.mark.usefixtures("months")
def test_the_ranking_is_the_same_whatever_the_public_figures(city, channel):
    """The public figures sit beside the ranking: giving one district a thousand reports, all
    satisfied and accepted in an hour, changes no score and no rank."""
    with_public = compute_march()
    assert with_public["public_channel"]["city"]["received"] == 9
    inflated = ChannelByDistrict(
        districts={city.district_b.pk: ChannelFigures(received=1000, accepted=1000, median_hours=1.0, rated=1000,
                                                      satisfied=1000)},
        city=ChannelFigures(received=1000, accepted=1000, median_hours=1.0, rated=1000, satisfied=1000))
    with mock.patch("reports.kinds.public_channel.public_channel_by_district", return_value=inflated):
        other = compute_march()
    assert other["public_channel"]["city"]["received"] == 1000
    for key in RANKING_KEYS:
        assert other[key] == with_public[key], key


@pytest.mark.usefixtures("months")
def test_reports_that_add_nothing_to_the_ledger_leave_the_ranking_exactly_as_it_was(city):
    """Received, rejected, merged into a problem already in the ledger, rated: the ranking of March
    is identical with and without them (an accepted report records a ledger problem, which counts
    as every problem does; its public figures do not)."""
    known = city.points_a[0]
    problem = ledger.problem_record(by=city.hq, category=known.category, sample_point=known,
                                    description="已记录的问题", source="unannounced_visit",
                                    found_at=at(dt.date(2025, 1, 6)))
    before = compute_march()
    assert before["public_channel"]["city"]["received"] == 0
    for district in (city.district_a, city.district_b):
        for hour in (9, 10, 11):
            sent(city, at(dt.date(2025, 3, 12), hour), district=district)
        rejected_one = sent(city, at(dt.date(2025, 3, 13), 9), district=district)
        with clock(at(dt.date(2025, 3, 13), 15)):
            rejected_one = services.public_report_reject(report=rejected_one, by=city.hq, reason="not_found")
            services.public_report_merge(report=sent(city, at(dt.date(2025, 3, 13), 10), district=district),
                                         by=city.hq, into_problem=problem)
        with clock(at(dt.date(2025, 3, 14), 9)):
            services.public_report_rate(report=rejected_one, secret=rejected_one.follow_secret, satisfied=False)

    after = compute_march()
    assert after["public_channel"]["city"]["received"] == 10
    assert (after["public_channel"]["city"]["rejected"], after["public_channel"]["city"]["merged"]) == (2, 2)
    for key in RANKING_KEYS:
        assert after[key] == before[key], key


@pytest.mark.usefixtures("months")
def test_the_comparison_lists_every_district_with_the_city_total(city, channel):
    public = compute_march()["public_channel"]
    rows = {row["district_id"]: row for row in public["rows"]}
    assert list(rows) == [city.district_a.pk, city.district_b.pk]
    assert rows[city.district_a.pk]["median_hours"] == pytest.approx(15.0)
    assert rows[city.district_a.pk]["satisfaction"] == {"numerator": 1, "denominator": 2, "value": 0.5}
    assert public["city"]["satisfaction"]["numerator"] == 2
    # A district's report has that district alone.
    scoped = compute_march(district=city.district_b)["public_channel"]
    assert [row["district_id"] for row in scoped["rows"]] == [city.district_b.pk]
    assert scoped["city"]["received"] == 3


def comparison_report(data, district=None):
    return Report.objects.create(kind=ReportKind.MONTHLY_COMPARISON, period_start=MARCH.start, period_end=MARCH.end,
                                 status=ReportStatus.DONE, data=data, finished_at=timezone.now(), district=district,
                                 scope_key=Report.scope_key_for(district))


def render(report, user, template):
    with translation.override("en"):
        return render_to_string(template, {"report": report, "data": report.data, "viewer_scope": viewer_scope(user)})


def public_table(page):
    return page.split('data-test="public-channel"')[1].split("</section>")[0]


@pytest.mark.usefixtures("months")
def test_the_comparison_page_shows_the_figures_beside_the_ranking(city, channel):
    page = render(comparison_report(compute_march()), city.hq, monthly_comparison.TEMPLATE)
    # After the districts' ranking, before the units'.
    assert page.index('id="mc-districts"') < page.index('data-test="public-channel"') < page.index('id="mc-units"')
    table = public_table(page)
    assert "Public reports by district" in table and "District A" in table and "District B" in table
    assert '<td class="num text-end" data-figure="received">6</td>' in table
    assert '<td class="num text-end" data-figure="median_hours">15.0</td>' in table
    assert "50.0 %" in table and "66.7 %" in table
    assert "not part of any ranking&#x27;s formula" in table or "not part of any ranking's formula" in table


@pytest.mark.usefixtures("months")
def test_a_district_lead_reads_every_districts_figures_with_their_own_marked(city, channel):
    table = public_table(render(comparison_report(compute_march()), city.other_district_lead,
                                monthly_comparison.TEMPLATE))
    assert f'data-district="{city.district_b.pk}" class="table-primary"' in table
    assert f'data-district="{city.district_a.pk}">' in table  # the other district, not marked


@pytest.mark.usefixtures("months")
def test_a_report_made_before_the_section_existed_still_shows(city):
    data = compute_march()
    del data["public_channel"]
    report = comparison_report(data)
    assert 'data-test="public-channel"' not in render(report, city.hq, monthly_comparison.TEMPLATE)
    workbook = load_workbook(io.BytesIO(build_workbook(report, language="en")))
    assert "Public reports" not in workbook.sheetnames


@pytest.mark.usefixtures("months")
def test_the_comparison_workbook_has_a_public_reports_sheet(city, channel):
    workbook = load_workbook(io.BytesIO(build_workbook(comparison_report(compute_march()), language="en")))
    sheet = workbook["Public reports"]
    assert [cell.value for cell in sheet[3]] == [
        "District", "Received", "Accepted", "Merged", "Rejected", "Median hours to acceptance", "Rated",
        "Satisfied", "Satisfaction"]
    assert [cell.value for cell in sheet[4]] == ["甲区", 6, 5, 1, 1, 15.0, 2, 1, 0.5]
    assert [cell.value for cell in sheet[5]] == ["乙区", 3, 1, 0, 1, 3.0, 1, 1, 1.0]
    assert [cell.value for cell in sheet[6]] == ["Total", 9, 6, 1, 2, 6.0, 3, 2, pytest.approx(2 / 3)]
    assert sheet["I4"].number_format == "0.0%" and sheet["F4"].number_format == "0.0"
    assert sheet.freeze_panes == "A4"


@pytest.mark.usefixtures("months")
def test_the_sheet_is_in_chinese_by_default(city, channel):
    workbook = load_workbook(io.BytesIO(build_workbook(comparison_report(compute_march()), language="zh-hans")))
    assert "公众举报" in workbook.sheetnames
    assert workbook["公众举报"]["B3"].value == "收到"


# --- The weekly assignment -------------------------------------------------------------------------


def weekly_report(city, district=None):
    with translation.override("en"):
        data = weekly_assignment.compute(period=FIRST_WEEK, district=district)
    return Report.objects.create(kind=ReportKind.WEEKLY_ASSIGNMENT, period_start=FIRST_WEEK.start,
                                 period_end=FIRST_WEEK.end, status=ReportStatus.DONE, data=data,
                                 finished_at=timezone.now(), district=district,
                                 scope_key=Report.scope_key_for(district))


def test_the_weekly_assignment_has_the_weeks_figures_on_its_page_and_in_its_workbook(city, channel):
    report = weekly_report(city)
    rows = {row["district_id"]: row for row in report.data["public_channel"]["rows"]}
    a = rows[city.district_a.pk]
    # Sent 3-8 March: r1-r5; accepted r1-r3 (r0 on Saturday 1 March); r5 rejected on Sunday the 9th.
    assert (a["received"], a["accepted"], a["merged"], a["rejected"]) == (5, 3, 1, 1)
    assert a["median_hours"] == pytest.approx(6.0)
    assert rows[city.district_b.pk]["received"] == 0

    page = render(report, city.hq, weekly_assignment.TEMPLATE)
    assert page.index('id="wa-progress"') < page.index('data-test="public-channel"') < page.index('id="wa-sheets"')
    assert '<td class="num text-end" data-figure="median_hours">6.0</td>' in public_table(page)

    sheet = load_workbook(io.BytesIO(build_workbook(report, language="en")))["Public reports"]
    assert sheet["A1"].value == f"{FIRST_WEEK.label} Public reports"
    assert [cell.value for cell in sheet[4]] == ["甲区", 5, 3, 1, 1, 6.0, 0, 0, None]


def test_a_unit_handler_downloading_the_week_gets_the_same_figures(city, channel, client):
    """The figures are counts, city-wide for every reader like the progress tables: the workbook a
    unit handler downloads (written afresh from their narrowed lists) carries them whole."""
    report = weekly_report(city)
    report.workbook.save("week.xlsx", io.BytesIO(build_workbook(report)), save=True)
    client.force_login(city.unit_handler)
    response = client.get(f"/reports/{report.pk}/download/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["公众举报"]
    assert [sheet.cell(row=row, column=2).value for row in (4, 5, 6)] == [5, 0, 5]


# --- The dashboard ---------------------------------------------------------------------------------

URL = "/reports/dashboard/"


@pytest.fixture
def this_month(city):
    """Today's reports: two in district A (one accepted two hours after it was sent, one
    rejected, its reporter unsatisfied), one in district B, waiting."""
    now = timezone.now()
    sent_at = max(now - dt.timedelta(hours=2), month_of(timezone.localdate(now)).starts_at)
    services.public_report_accept(report=sent(city, sent_at), by=city.hq)
    refused = services.public_report_reject(report=sent(city, now), by=city.hq, reason="not_found")
    services.public_report_rate(report=refused, secret=refused.follow_secret, satisfied=False)
    sent(city, now, district=city.district_b)
    return (now - sent_at).total_seconds() / 3600


def test_the_dashboard_card_has_the_months_figures_by_district_and_the_weekly_trend(city, this_month):
    public = dashboard.dashboard_public_channel(user=city.leader, periods=dashboard.trend_periods())
    rows = {row["id"]: row for row in public.districts}
    assert [row["id"] for row in public.districts] == [city.district_a.pk, city.district_b.pk]
    a = rows[city.district_a.pk]["figures"]
    assert (a.received, a.accepted, a.rejected) == (2, 1, 1)
    assert a.median_hours == pytest.approx(this_month, abs=0.01)
    assert public.city.received == 3
    assert len(public.weeks) == 12


def test_the_dashboard_shows_the_card_and_its_chart(city, this_month, login, settings):
    settings.REPORT_DASHBOARD_CACHE_SECONDS = 0
    response = login(city.hq).get(URL)
    page = response.content.decode()
    assert 'id="public-channel"' in page and 'id="chart-public"' in page
    card = page.split('id="public-table"')[1].split("</table>")[0]
    row = card.split(f'<tr data-id="{city.district_a.pk}">')[1].split("</tr>")[0]
    assert 'data-figure="received">2<' in row and 'data-figure="accepted">1<' in row
    assert f'data-figure="median_hours">{this_month:.1f}<' in row
    assert "0.0 %" in row and "(0/1)" in row
    assert "public" in response.context["chart_data"]


def test_a_district_lead_sees_their_districts_reports_only(city, this_month):
    public = dashboard.dashboard_public_channel(user=city.other_district_lead, periods=dashboard.trend_periods())
    assert [row["id"] for row in public.districts] == [city.district_b.pk]
    assert public.city.received == 1


def test_the_card_is_left_out_for_whom_no_public_report_is_visible(city, this_month, login, settings):
    settings.REPORT_DASHBOARD_CACHE_SECONDS = 0
    for user in (city.team_lead, city.unit_handler):
        response = login(user).get(URL)
        assert response.status_code == 200
        assert response.context["public"] is None
        assert 'id="public-channel"' not in response.content.decode()


def test_the_dashboard_costs_the_same_queries_however_many_public_reports(
        city, this_month, login, settings, django_assert_max_num_queries):
    settings.REPORT_DASHBOARD_CACHE_SECONDS = 0
    client = login(city.hq)
    client.get(URL)
    # Session, user, campaign; the trends, district and category names; the key counts; the public
    # channel's counts, times, district names and weeks; the latest exposure and comparison.
    with django_assert_max_num_queries(13 + len(dashboard_kinds())) as few:  # + each kind's card
        client.get(URL)
    for _ in range(5):
        services.public_report_accept(report=sent(city, timezone.now(), district=city.district_b), by=city.hq)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200
