"""The report engine's services: versions, the outbox, claiming with a lease, zombies, failure."""

import datetime as dt
import io

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from ledger import services as ledger
from reports import services, tasks
from reports.choices import ReportKind, ReportStatus
from reports.kinds import kind_keys
from reports.models import OverdueSnapshot, Report, WeeklyTask
from reports.periods import week_of
from reports.tests import found_kind

from .engine_support import (  # noqa: F401 - fixtures
    broker_fixture,
    english_fixture,
    fake_kinds_fixture,
    found_last_week,
    last_week,
    media_fixture,
)

pytestmark = pytest.mark.usefixtures("fake_kinds")

WA = ReportKind.WEEKLY_ASSIGNMENT


def request(city, **extra):
    return services.report_request(kind=extra.pop("kind", WA), period_start=extra.pop("period_start", last_week().start),
                                   requested_by=extra.pop("requested_by", city.hq), **extra)


# --- Request and versions --------------------------------------------------------------------


def test_each_request_makes_the_next_version_and_keeps_the_old(city, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = request(city)
        second = services.report_regenerate(report=first, requested_by=city.hq)
    assert (first.version, second.version) == (1, 2)
    assert Report.objects.filter(kind=WA, period_start=last_week().start).count() == 2
    assert broker.sent == [first.pk, second.pk]


def test_any_day_of_the_period_names_the_period(city, broker):
    week = last_week()
    report = request(city, period_start=week.start + dt.timedelta(days=3))
    assert (report.period_start, report.period_end) == (week.start, week.end)


def test_versions_are_counted_per_scope(city, broker):
    city_wide = request(city)
    district = request(city, district=city.district_a)
    assert (city_wide.version, district.version) == (1, 1)
    assert district.scope_key == f"district-{city.district_a.pk}"


def test_a_scheduled_request_is_idempotent(city, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_request_last_finished(kind=WA)
        again = services.report_request_last_finished(kind=WA)
    assert first.pk == again.pk
    assert first.scheduled and first.requested_by is None
    assert broker.sent == [first.pk]


def test_a_scheduled_request_finds_an_on_demand_report_of_the_period(city, broker):
    on_demand = request(city)
    assert services.report_request_last_finished(kind=WA).pk == on_demand.pk


def test_a_period_that_has_not_ended_is_refused(city, broker):
    with pytest.raises(services.ReportInvalid):
        request(city, period_start=timezone.localdate())
    assert not Report.objects.exists()


@pytest.mark.parametrize("role", ["leader", "team_lead", "district_lead", "unit_handler", "inspector"])
def test_only_hq_requests_reports(city, broker, role):
    with pytest.raises(services.ReportForbidden):
        request(city, requested_by=getattr(city, role))


def test_nothing_is_sent_when_the_request_rolls_back(city, broker, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            request(city)
            raise RuntimeError("the surrounding work failed")
    assert broker.sent == []
    assert not Report.objects.exists()


# --- Outbox ----------------------------------------------------------------------------------


def test_with_the_broker_down_the_request_succeeds_and_the_relay_sends_it_later(
    city, broker, django_capture_on_commit_callbacks
):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        report = request(city)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.sent_at is None

    later = timezone.now() + dt.timedelta(minutes=1)
    assert services.report_relay(now=later) == 0  # still down: nothing sent, nothing raised
    broker.down = False
    assert services.report_relay(now=later) == 1
    report.refresh_from_db()
    assert broker.sent == [report.pk] and report.sent_at is not None
    assert services.report_relay(now=later) == 0  # sent once


def test_the_relay_leaves_a_report_its_request_is_still_sending(city, broker):
    request(city)  # on_commit not run: unsent, but only just requested
    assert services.report_relay() == 0


def test_the_relay_resends_a_running_report_whose_worker_died(city, broker):
    report = request(city)
    Report.objects.filter(pk=report.pk).update(sent_at=timezone.now() - dt.timedelta(seconds=2))
    services.report_claim(report_id=report.pk)
    assert services.report_relay() == 0  # the worker's lease still runs
    Report.objects.filter(pk=report.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert services.report_relay() == 1
    assert broker.sent == [report.pk]


def test_the_relay_sends_a_dead_workers_report_once_not_every_minute(city, broker, settings):
    report = request(city)
    services.report_claim(report_id=report.pk)
    expired = timezone.now() - dt.timedelta(seconds=1)
    Report.objects.filter(pk=report.pk).update(sent_at=expired - dt.timedelta(minutes=1), lease_until=expired)
    assert services.report_relay() == 1
    # No worker free to take it over yet: the next firings of the beat queue no copies.
    assert services.report_relay(now=timezone.now() + dt.timedelta(minutes=1)) == 0
    assert services.report_relay(now=timezone.now() + dt.timedelta(minutes=2)) == 0
    assert broker.sent == [report.pk]
    # As long after as a lost message, it is sent again.
    later = timezone.now() + dt.timedelta(seconds=settings.REPORT_RESEND_AFTER_SECONDS + 1)
    assert services.report_relay(now=later) == 1
    assert broker.sent == [report.pk, report.pk]


def test_the_relay_resends_a_message_that_was_lost(city, broker, settings):
    report = request(city)
    Report.objects.filter(pk=report.pk).update(
        sent_at=timezone.now() - dt.timedelta(seconds=settings.REPORT_RESEND_AFTER_SECONDS + 1)
    )
    assert services.report_relay() == 1


# --- Run: claim, lease, zombie ---------------------------------------------------------------


def test_running_a_report_stores_its_figures_and_workbook(city, broker):
    found_last_week(city)
    found_last_week(city, point=city.points_b[0])
    report = request(city)

    done = services.report_run(report_id=report.pk)

    assert done.status == ReportStatus.DONE and done.progress == 100 and done.attempts == 1
    assert done.data["found"] == 2
    assert done.claim is not None and done.lease_until is None and done.finished_at
    workbook = load_workbook(io.BytesIO(done.workbook.read()))
    assert workbook.sheetnames[0] in {"Cover", "封面"}
    cover = [[cell for cell in row if cell is not None] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert [last_week().label in str(row) for row in cover].count(True) >= 1
    assert workbook["Found"].cell(row=6, column=2).value == 2  # title, blank, header, two districts, total


def test_a_second_delivery_of_the_same_job_does_nothing(city, broker):
    report = request(city)
    services.report_run(report_id=report.pk)
    first_file = Report.objects.get(pk=report.pk).workbook.name
    again = services.report_run(report_id=report.pk)
    assert again.attempts == 1 and again.workbook.name == first_file


def test_a_running_report_is_taken_over_only_after_its_lease_expired(city, broker):
    report = request(city)
    first = services.report_claim(report_id=report.pk)
    assert first is not None
    assert services.report_claim(report_id=report.pk) is None  # the lease still runs
    Report.objects.filter(pk=report.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    second = services.report_claim(report_id=report.pk)
    assert second not in (None, first)
    report.refresh_from_db()
    assert report.claim == second and report.attempts == 2


def test_a_zombie_worker_whose_claim_was_taken_over_writes_nothing(city, broker, monkeypatch, settings):
    """Worker A stalls past its lease; worker B takes the report over and finishes it; then A
    wakes up: its progress does not touch the report and its result is dropped with its file."""
    found_last_week(city)
    report = request(city)
    real_compute = found_kind.compute
    seen = {}

    def stalling_compute(*, period, district, progress):
        if "b" in seen:
            return real_compute(period=period, district=district, progress=progress)
        seen["b"] = True
        Report.objects.filter(pk=report.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
        finished_by_b = services.report_run(report_id=report.pk)  # worker B, meanwhile
        seen["b_file"] = finished_by_b.workbook.name
        progress(50)  # A still believes it holds the report
        data = real_compute(period=period, district=district, progress=progress)
        return {**data, "found": 999}

    monkeypatch.setattr(found_kind, "compute", stalling_compute)
    services.report_run(report_id=report.pk)  # worker A

    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 2
    assert report.data["found"] == 1 and report.progress == 100
    assert report.workbook.name == seen["b_file"]
    stored = sorted(p.name for p in (settings.MEDIA_ROOT / "reports").rglob("*.xlsx"))
    assert stored == [report.workbook.name.rsplit("/", 1)[-1]]


def test_progress_extends_the_lease(city, broker, monkeypatch):
    report = request(city)
    leases = []

    def watching_compute(*, period, district, progress):
        for percent in (10, 60):
            progress(percent)
            leases.append(Report.objects.values_list("lease_until", "progress").get(pk=report.pk))
        return {"found": 0, "by_district": []}

    monkeypatch.setattr(found_kind, "compute", watching_compute)
    services.report_run(report_id=report.pk)
    (lease1, progress1), (lease2, progress2) = leases
    assert lease2 >= lease1 and progress1 < progress2 < 100


def test_an_error_in_the_kind_fails_the_report_with_the_reason(city, broker, monkeypatch, settings):
    report = request(city)

    def broken(**kwargs):
        raise ValueError("division by zero in the ranking")

    monkeypatch.setattr(found_kind, "compute", broken)
    failed = services.report_run(report_id=report.pk)
    assert failed.status == ReportStatus.FAILED
    assert "division by zero in the ranking" in failed.failure
    assert not (settings.MEDIA_ROOT / "reports").exists()


def test_a_database_outage_puts_the_report_back_and_the_task_retries_then_fails(city, broker, monkeypatch):
    report = request(city)
    calls = []

    def outage(**kwargs):
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(found_kind, "compute", outage)
    with pytest.raises(services.TransientReportError):
        services.report_run(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.claim is None

    result = tasks.report_run.apply(args=(report.pk,))  # eager: the retries run at once
    assert result.get() == "failed"
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "database" in report.failure
    assert len(calls) == 1 + 1 + tasks.report_run.max_retries


def test_a_retry_resumes_its_own_claim_when_the_outage_kept_it_from_requeueing(city, broker, monkeypatch):
    """The database went away mid-report and was still away when the worker tried to put the
    report back: the retry must produce it at once, not wait for the lease to run out."""
    from django.db.models import QuerySet

    report = request(city)
    real_compute, real_update = found_kind.compute, QuerySet.update
    state = {"computes": 0, "requeue_refused": 0}

    def compute(**kwargs):
        state["computes"] += 1
        if state["computes"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_compute(**kwargs)

    def update(qs, **kwargs):
        if qs.model is Report and kwargs.get("status") == ReportStatus.QUEUED and not state["requeue_refused"]:
            state["requeue_refused"] += 1
            raise OperationalError("the database system is starting up")
        return real_update(qs, **kwargs)

    monkeypatch.setattr(found_kind, "compute", compute)
    monkeypatch.setattr(QuerySet, "update", update)
    result = tasks.report_run.apply(args=(report.pk,))  # eager: the retry runs at once
    assert state["requeue_refused"] == 1
    report.refresh_from_db()
    assert (result.get(), report.status, state["computes"]) == (ReportStatus.DONE, ReportStatus.DONE, 2)
    assert report.attempts == 1


def test_a_task_giving_up_does_not_fail_the_run_another_worker_holds(city, broker):
    report = request(city)
    claim = services.report_claim(report_id=report.pk)
    services.report_fail(report_id=report.pk, reason="gave up", spare_live_claim=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING and report.claim == claim

    Report.objects.filter(pk=report.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    services.report_fail(report_id=report.pk, reason="gave up", spare_live_claim=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and report.failure == "gave up"


def test_a_report_whose_workers_keep_dying_is_failed(city, broker, settings):
    report = request(city)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, attempts=settings.REPORT_MAX_ATTEMPTS,
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    assert services.report_run(report_id=report.pk).status == ReportStatus.FAILED


# --- Publish ---------------------------------------------------------------------------------


def test_hq_publishes_a_finished_exposure_once(city, broker):
    exposure = request(city, kind=ReportKind.WEEKLY_EXPOSURE)
    with pytest.raises(services.ReportInvalid):
        services.report_publish(report=exposure, by=city.hq)  # not done yet
    exposure = services.report_run(report_id=exposure.pk)
    with pytest.raises(services.ReportForbidden):
        services.report_publish(report=exposure, by=city.leader)
    published = services.report_publish(report=exposure, by=city.hq)
    assert published.published_at and published.published_by == city.hq
    with pytest.raises(services.ReportInvalid):
        services.report_publish(report=published, by=city.hq)


def test_publishing_tells_the_units_and_districts_the_exposure_names(city, broker):
    from notifications.models import Notification

    exposure = services.report_run(report_id=request(city, kind=ReportKind.WEEKLY_EXPOSURE).pk)
    Report.objects.filter(pk=exposure.pk).update(data={
        **exposure.data, "red_list": {"units": [{"id": city.office_a.pk}], "districts": []},
        "black_list": {"units": [], "districts": [{"id": city.district_b.pk}]}})
    exposure.refresh_from_db()
    services.report_publish(report=exposure, by=city.hq)
    told = Notification.objects.filter(event="report.published", about_id=exposure.pk)
    assert {n.recipient for n in told} == {city.unit_handler, city.other_district_lead}


def test_a_weekly_assignment_is_never_published(city, broker):
    report = services.report_run(report_id=request(city).pk)
    with pytest.raises(services.ReportInvalid):
        services.report_publish(report=report, by=city.hq)



MC = ReportKind.MONTHLY_COMPARISON


def last_month_start() -> dt.date:
    from reports.periods import last_finished

    return last_finished(MC).start


def test_hq_publishes_a_finished_monthly_comparison_once_and_who_and_when_are_kept(city, broker):
    comparison = request(city, kind=MC, period_start=last_month_start())
    with pytest.raises(services.ReportInvalid):
        services.report_publish(report=comparison, by=city.hq)  # not done yet
    comparison = services.report_run(report_id=comparison.pk)
    for not_hq in (city.leader, city.district_lead, city.unit_handler):
        with pytest.raises(services.ReportForbidden):
            services.report_publish(report=comparison, by=not_hq)
    before = timezone.now()
    published = services.report_publish(report=comparison, by=city.hq)
    assert published.published_by == city.hq and before <= published.published_at <= timezone.now()
    with pytest.raises(services.ReportInvalid):
        services.report_publish(report=published, by=city.hq)
    assert Report.objects.get(pk=comparison.pk).published_at == published.published_at


def test_a_monthly_comparison_is_seen_by_staff_once_published(city, broker):
    comparison = services.report_run(report_id=request(city, kind=MC, period_start=last_month_start()).pk)
    assert comparison.is_draft
    for user in (city.hq, city.leader):
        assert Report.objects.visible_to(user).filter(pk=comparison.pk).exists()
    for user in (city.district_lead, city.team_lead, city.unit_handler):
        assert not Report.objects.visible_to(user).filter(pk=comparison.pk).exists()
    services.report_publish(report=comparison, by=city.hq)
    for user in (city.district_lead, city.team_lead, city.unit_handler):
        assert Report.objects.visible_to(user).filter(pk=comparison.pk).exists()
    assert not Report.objects.visible_to(city.inspector).filter(pk=comparison.pk).exists()


def test_publishing_a_comparison_tells_the_ranked_units_and_districts(city, broker):
    from notifications.models import Notification

    comparison = services.report_run(report_id=request(city, kind=MC, period_start=last_month_start()).pk)
    Report.objects.filter(pk=comparison.pk).update(data={
        **comparison.data, "units": {"ranked": [{"id": city.office_a.pk}], "unranked": []},
        "districts": {"ranked": [{"id": city.district_b.pk}], "unranked": []}})
    comparison.refresh_from_db()
    services.report_publish(report=comparison, by=city.hq)
    told = Notification.objects.filter(event="report.published", about_id=comparison.pk)
    assert {n.recipient for n in told} == {city.unit_handler, city.other_district_lead}

# --- Weekly tasks ----------------------------------------------------------------------------


def test_hq_enters_edits_and_removes_the_weeks_tasks(city):
    monday = week_of(timezone.localdate()).start
    task = services.weekly_task_create(by=city.hq, week_start=monday, text="  迎检前完成农贸市场整治  ",
                                       unit=city.office_a, due_on=monday + dt.timedelta(days=3))
    assert task.text == "迎检前完成农贸市场整治"
    services.weekly_task_update(task=task, by=city.hq, text="完成甲区农贸市场整治", unit=None, due_on=None)
    task.refresh_from_db()
    assert (task.text, task.unit, task.due_on) == ("完成甲区农贸市场整治", None, None)
    services.weekly_task_delete(task=task, by=city.hq)
    assert not WeeklyTask.objects.exists()


def test_weekly_tasks_are_for_hq_and_start_on_a_monday(city):
    monday = week_of(timezone.localdate()).start
    with pytest.raises(services.ReportForbidden):
        services.weekly_task_create(by=city.district_lead, week_start=monday, text="x")
    with pytest.raises(services.ReportInvalid):
        services.weekly_task_create(by=city.hq, week_start=monday + dt.timedelta(days=1), text="x")
    with pytest.raises(services.ReportInvalid):
        services.weekly_task_create(by=city.hq, week_start=monday, text="   ")


# --- Daily overdue sweep ---------------------------------------------------------------------


def test_the_overdue_sweep_counts_open_problems_past_their_deadline_per_district_and_unit(city):
    today = timezone.localdate()
    overdue = []
    for days_late in (3, 1):
        problem = found_last_week(city)
        overdue.append(ledger.problem_assign(problem=problem, unit=city.office_a, by=city.hq,
                                             at=problem.found_at, deadline=today - dt.timedelta(days=days_late)))
    problem = found_last_week(city)
    ledger.problem_assign(problem=problem, unit=city.office_a, by=city.hq, at=problem.found_at,
                          deadline=today + dt.timedelta(days=2))  # not yet due
    ledger.problem_invalidate(problem=found_last_week(city, point=city.points_b[0]), reason="重复", by=city.hq)

    with CaptureQueriesContext(connection) as queries:
        assert services.overdue_snapshot_take(day=today) == 1
    assert len(queries) <= 6
    snapshot = OverdueSnapshot.objects.get(day=today)
    assert (snapshot.district, snapshot.unit, snapshot.overdue) == (city.district_a, city.office_a, 2)
    assert snapshot.oldest_deadline == today - dt.timedelta(days=3)

    services.overdue_snapshot_take(day=today)  # again: replaced, not doubled
    assert OverdueSnapshot.objects.filter(day=today).count() == 1


def test_the_daily_sweep_catches_up_missing_reports(city, broker, settings):
    settings.REPORTS_CATCH_UP = True
    tasks.reports_overdue_sweep.apply()
    kinds = set(Report.objects.filter(scheduled=True).values_list("kind", flat=True))
    assert kinds == set(kind_keys())
    tasks.reports_overdue_sweep.apply()
    assert Report.objects.count() == len(kind_keys())
