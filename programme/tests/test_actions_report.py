"""The weekly assignment report's section on the special actions: figures as of the week's end
(done, verified, overdue, done and verified in the week), per action and district, on the page
and in the workbook, and a district's report with its own objects only."""

import datetime as dt
import io

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import load_workbook

from campaign.photos import photo_store
from programme.choices import TargetStep
from programme.models import ActionTarget
from programme.services import actions as services
from reports.choices import ReportKind, ReportStatus
from reports.kinds import special_actions, weekly_assignment
from reports.models import Report
from reports.periods import week_of
from reports.selectors import viewer_scope
from reports.workbook import build_workbook

from .actions_factories import add_target, make_action, photo_upload, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def week():
    return week_of(timezone.localdate() - dt.timedelta(days=14))


@pytest.fixture
def action(city, week):
    action = make_action(city)
    done = add_target(city, action, name="甲区公厕")
    late = add_target(city, action, name="乙区公厕", district=city.district_b, unit=city.office_b,
                      deadline=week.start + dt.timedelta(days=1))
    ActionTarget.objects.filter(pk__in=[done.pk, late.pk]).update(created_at=week.starts_at - dt.timedelta(days=3))
    done.events.update(at=week.starts_at - dt.timedelta(days=3))
    late.events.update(at=week.starts_at - dt.timedelta(days=3))
    done = start(done, city.unit_handler, at=week.starts_at + dt.timedelta(days=1))
    photo = photo_store(photo_upload(), folder="programme/actions/t")
    done = services.target_step(target=done, step=TargetStep.FINISH, by=city.unit_handler, photos=[photo],
                                at=week.starts_at + dt.timedelta(days=2))
    services.target_step(target=done, step=TargetStep.VERIFY, by=city.hq)  # now: after the week
    add_target(city, action, name="以后加入的公厕")  # added after the week: not counted
    return action


def test_the_section_counts_as_of_the_weeks_end(city, action, week, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        block = special_actions.section(period=week)
    (row,) = block["actions"]
    assert row["action_id"] == action.pk
    figures = {name: row[name] for name in special_actions.FIGURES}
    assert figures == {"total": 2, "done": 1, "verified": 0, "overdue": 1, "done_in_week": 1, "verified_in_week": 0}
    by_district = {row["district_id"]: (row["done"], row["overdue"]) for row in block["districts"]}
    assert by_district == {city.district_a.pk: (1, 0), city.district_b.pk: (0, 1)}
    # The next week sees the verification made since.
    following = week_of(timezone.localdate())
    assert special_actions.section(period=following)["total"]["verified"] == 1


def test_a_districts_report_counts_its_own_objects(city, action, week):
    block = special_actions.section(period=week, district=city.district_b)
    assert block["total"]["total"] == 1 and block["total"]["overdue"] == 1


def test_the_weekly_report_shows_the_section_on_its_page_and_in_its_workbook(city, action, week):
    data = weekly_assignment.compute(period=week)
    report = Report.objects.create(kind=ReportKind.WEEKLY_ASSIGNMENT, period_start=week.start, period_end=week.end,
                                   status=ReportStatus.DONE, data=data, finished_at=timezone.now())
    with translation.override("en"):
        page = render_to_string(weekly_assignment.TEMPLATE, {"report": report, "data": data,
                                                             "viewer_scope": viewer_scope(city.hq)})
    assert 'data-test="special-actions"' in page and f'data-action="{action.pk}"' in page
    workbook = load_workbook(io.BytesIO(build_workbook(report, language="en")))
    sheet = workbook["Special actions"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0] == action.name]
    assert rows == [(action.name, 2, 1, 0, 1, 1, 0)]


def test_a_report_made_before_the_section_existed_still_shows(city, week):
    data = weekly_assignment.compute(period=week)
    data.pop(special_actions.KEY)
    report = Report(kind=ReportKind.WEEKLY_ASSIGNMENT, period_start=week.start, period_end=week.end, data=data)
    with translation.override("en"):
        page = render_to_string(weekly_assignment.TEMPLATE, {"report": report, "data": data, "viewer_scope": None})
    assert 'data-test="special-actions"' not in page
    assert "Special actions" not in load_workbook(io.BytesIO(build_workbook(report, language="en"))).sheetnames


def test_an_object_unchanged_since_the_week_reads_its_status_and_a_changed_one_its_history(city, week):
    """The section takes the current status of objects whose last step is before the week's end
    (changed_at), and the history of the others: both give the status at the end."""
    action = make_action(city)
    quiet = add_target(city, action, name="早已完成")
    busy = add_target(city, action, name="后来退回")
    before = week.starts_at - dt.timedelta(days=3)
    for target in (quiet, busy):
        ActionTarget.objects.filter(pk=target.pk).update(created_at=before, changed_at=before)
        target.events.update(at=before)
        target.refresh_from_db()
        target = start(target, city.unit_handler, at=week.starts_at + dt.timedelta(hours=1))
        photo = photo_store(photo_upload(), folder="programme/actions/t")
        services.target_step(target=target, step=TargetStep.FINISH, by=city.unit_handler, photos=[photo],
                             at=week.starts_at + dt.timedelta(days=1))
    busy.refresh_from_db()
    services.target_step(target=busy, step=TargetStep.SEND_BACK, by=city.hq, note="返工")  # now, after the week
    quiet.refresh_from_db()
    assert quiet.changed_at < week.ends_at <= ActionTarget.objects.get(pk=busy.pk).changed_at
    block = special_actions.section(period=week)
    assert (block["total"]["total"], block["total"]["done"], block["total"]["done_in_week"]) == (2, 2, 2)
