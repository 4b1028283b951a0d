"""Writes of the reports app: request, run, regenerate and publish reports; HQ's weekly tasks.

A report is requested in a transaction and handed to the broker when it commits, through an
outbox: ``sent_at`` stays empty until the broker took the job, so a request made while the
broker is down still succeeds and ``report_relay`` sends it later. A worker claims a report
by a conditional UPDATE (queued, or running with an expired lease) and finishes it with a
conditional UPDATE on its claim, so a job delivered twice, or a worker that died and came
back, never writes a report twice.
"""

import datetime as dt
import logging
import uuid
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Min, Q
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.jobs import BROKER_ERRORS, PUBLISH_RETRY_POLICY, task_by_name
from campaign.models import District, Unit

from .choices import ReportStatus
from .kinds import is_kind, kind_keys, kind_module, kinds_of_period, publishes
from .models import OverdueSnapshot, Report, WeeklyTask
from .notifications import report_published
from .periods import last_finished, period_for, week_of

logger = logging.getLogger(__name__)

# The relay leaves alone what was requested this recently: its own on_commit is sending it.
RELAY_GRACE = dt.timedelta(seconds=2)


class ReportError(Exception):
    """A refused report request or action; the message is for the user."""


class ReportForbidden(ReportError):
    pass


class ReportInvalid(ReportError):
    pass


class TransientReportError(Exception):
    """The database could not be reached: the report went back to the queue; retry later.
    ``claim`` is set when even putting it back failed: the worker still holds that claim, and
    its retry resumes it instead of waiting for the lease to run out."""

    def __init__(self, message: str, *, claim: uuid.UUID | None = None):
        super().__init__(message)
        self.claim = claim


def may_manage_reports(user) -> bool:
    """HQ staff request, regenerate and publish reports and enter the weekly tasks."""
    return bool(user and user.is_authenticated and user.can_manage_structure)


def _lease_until(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS)


# --- Request ---------------------------------------------------------------------------------


def report_request(*, kind: str, period_start: dt.date, district: District | None = None, requested_by=None,
                   scheduled: bool = False) -> Report:
    """Queue the next version of the report of ``kind`` for the period that holds
    ``period_start`` and the scope (the city, or one district). The period must have ended.

    A scheduled request is idempotent: if any version exists for the kind, period and scope,
    that one is returned and nothing is queued. The job is handed to the broker when the
    transaction commits; if the broker is down the report stays in the outbox (sent_at empty)."""
    if not is_kind(kind):
        raise ReportInvalid(_("Unknown kind of report."))
    kind = str(kind)
    if requested_by is not None and not scheduled and not may_manage_reports(requested_by):
        raise ReportForbidden(_("Only HQ staff may request reports."))
    period = period_for(kind, period_start)
    if period.end >= timezone.localdate():
        raise ReportInvalid(_("The period has not ended yet: a report covers a finished week or month."))
    scope_key = Report.scope_key_for(district)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                versions = Report.objects.select_for_update().filter(
                    kind=kind, period_start=period.start, scope_key=scope_key
                )
                if scheduled:
                    existing = versions.order_by("-version").first()
                    if existing is not None:
                        return existing
                latest = versions.aggregate(latest=Max("version"))["latest"] or 0
                report = Report.objects.create(
                    kind=kind, period_start=period.start, period_end=period.end, district=district,
                    scope_key=scope_key, version=latest + 1, requested_by=requested_by, scheduled=scheduled,
                )
                transaction.on_commit(partial(report_send, report_id=report.pk), robust=True)
                return report
        except IntegrityError:
            # Another request took this version number at the same moment: count again.
            continue
    raise ReportError(_("Too many simultaneous requests for this report; try again."))


def report_regenerate(*, report: Report, requested_by) -> Report:
    """A new version of the same kind, period and scope; the old versions are kept."""
    return report_request(kind=report.kind, period_start=report.period_start, district=report.district,
                          requested_by=requested_by)


def report_request_last_finished(*, kind: str, now: dt.datetime | None = None) -> Report:
    """The scheduled, city-wide report of the period of ``kind`` just ended at ``now``
    (in Asia/Shanghai): last ISO week for weekly kinds, last month otherwise."""
    period = last_finished(kind, now)
    return report_request(kind=kind, period_start=period.start, scheduled=True)


def reports_request_scheduled(*, period: str, now: dt.datetime | None = None) -> list[Report]:
    """The scheduled run (beat: every Monday for ``"week"``, on the 1st for ``"month"``): the
    city-wide report of the period just ended for every kind of that period in the registry
    (reports/kinds), in its order. Idempotent, like each request."""
    return [report_request_last_finished(kind=kind, now=now) for kind in kinds_of_period(period)]


def reports_catch_up(*, now: dt.datetime | None = None) -> list[Report]:
    """Request every kind's last finished period that has no report yet (idempotent)."""
    return [report_request_last_finished(kind=kind, now=now) for kind in kind_keys()]


# --- Outbox ----------------------------------------------------------------------------------


def _publish(task, *args) -> None:
    task.apply_async(args=args, queue=settings.REPORTS_QUEUE, retry=True, retry_policy=PUBLISH_RETRY_POLICY)


def report_send(*, report_id: int) -> bool:
    """Hand the report's job to the broker and mark it sent. False if the broker is
    unreachable: the report stays in the outbox for ``report_relay``."""
    try:
        _publish(task_by_name("reports.run"), report_id)
    except BROKER_ERRORS as exc:
        logger.warning("Report %s: broker unreachable (%s); left in the outbox", report_id, exc)
        return False
    Report.objects.filter(pk=report_id).update(sent_at=timezone.now())
    return True


def report_relay(*, now: dt.datetime | None = None) -> int:
    """Send what is waiting: reports never sent (past a short grace, their own on_commit may
    be sending them), reports sent long ago but still queued (a lost message), and running
    reports whose worker's lease expired (the worker died). Stops at the first broker failure.
    Returns how many were sent."""
    now = now or timezone.now()
    resend_before = now - dt.timedelta(seconds=settings.REPORT_RESEND_AFTER_SECONDS)
    # A dead worker's report is sent once when its lease has run out, then again only as a
    # lost message would be: the beat must not queue a copy every minute while no worker is free.
    not_sent_since_lease = Q(sent_at__isnull=True) | Q(sent_at__lt=F("lease_until")) | Q(sent_at__lt=resend_before)
    waiting = Report.objects.filter(
        Q(status=ReportStatus.QUEUED, sent_at__isnull=True, requested_at__lt=now - RELAY_GRACE)
        | Q(status=ReportStatus.QUEUED, sent_at__lt=resend_before)
        | (Q(status=ReportStatus.RUNNING, lease_until__lt=now) & not_sent_since_lease)
    ).order_by("requested_at").values_list("pk", flat=True)
    sent = 0
    for report_id in list(waiting[:500]):
        if not report_send(report_id=report_id):
            break
        sent += 1
    return sent


# --- Run -------------------------------------------------------------------------------------


def report_claim(*, report_id: int, resume: uuid.UUID | None = None) -> uuid.UUID | None:
    """Take the report for this worker: queued, or running with an expired lease (its worker
    died). One conditional UPDATE, so of two workers only one wins. A report taken over from
    dead workers REPORT_MAX_ATTEMPTS times is failed instead (it may be what kills them).
    ``resume``: the claim this task still holds from a try the database cut short; it is
    renewed under a new claim while nobody else has taken the report over.
    None: someone else has it, or it is finished."""
    now = timezone.now()
    claim = uuid.uuid4()
    if resume is not None and Report.objects.filter(
        pk=report_id, status=ReportStatus.RUNNING, claim=resume,
    ).update(claim=claim, lease_until=_lease_until(now), progress=0, failure=""):
        return claim
    abandoned = Q(status=ReportStatus.RUNNING, lease_until__lt=now)
    too_often = Q(attempts__gte=settings.REPORT_MAX_ATTEMPTS)
    taken = Report.objects.filter(Q(status=ReportStatus.QUEUED) | (abandoned & ~too_often), pk=report_id).update(
        status=ReportStatus.RUNNING, claim=claim, lease_until=_lease_until(now), attempts=F("attempts") + 1,
        started_at=now, progress=0, failure="",
    )
    if taken:
        return claim
    Report.objects.filter(abandoned & too_often, pk=report_id).update(
        status=ReportStatus.FAILED, claim=None, lease_until=None, finished_at=now,
        failure=_("The worker stopped %(count)d times while producing this report.")
        % {"count": settings.REPORT_MAX_ATTEMPTS},
    )
    return None


def report_run(*, report_id: int, resume: uuid.UUID | None = None) -> Report:
    """Produce a report once: claim it, compute its figures with its kind, write its workbook,
    and finish with a conditional UPDATE on the claim. A worker whose claim was taken over
    (its lease expired) writes nothing and removes its file."""
    from .workbook import build_workbook

    claim = report_claim(report_id=report_id, resume=resume)
    if claim is None:
        return Report.objects.get(pk=report_id)
    report = Report.objects.select_related("district").get(pk=report_id)
    ours = Report.objects.filter(pk=report_id, claim=claim, status=ReportStatus.RUNNING)

    def progress(percent: float) -> None:
        # Compute is the bulk of the work: 0-90 %; the workbook takes the rest.
        shown = max(0, min(90, int(percent * 0.9)))
        ours.update(progress=shown, lease_until=_lease_until())

    file_name = ""
    try:
        data = kind_module(report.kind).compute(period=report.period, district=report.district, progress=progress)
        report.data = data
        ours.update(progress=92, lease_until=_lease_until())
        content = build_workbook(report)
        file_name = default_storage.save(_workbook_name(report), ContentFile(content))
        finished = ours.update(
            status=ReportStatus.DONE, data=data, workbook=file_name, progress=100, failure="",
            finished_at=timezone.now(), lease_until=None,
        )
        if not finished:
            logger.warning("Report %s: claim %s was taken over; this worker's result is dropped", report_id, claim)
            default_storage.delete(file_name)
    except (OperationalError, InterfaceError) as exc:
        logger.warning("Report %s: database unavailable (%s); back to the queue", report_id, exc)
        _discard(file_name)
        held = None
        try:
            ours.update(status=ReportStatus.QUEUED, claim=None, lease_until=None, progress=0)
        except (OperationalError, InterfaceError):
            logger.exception("Report %s: could not put it back in the queue", report_id)
            held = claim
        raise TransientReportError(str(exc), claim=held) from exc
    except SoftTimeLimitExceeded:
        _discard(file_name)
        report_fail(report_id=report_id, claim=claim, reason=_("The report took longer than the time limit."))
    except Exception as exc:
        logger.exception("Report %s failed", report_id)
        _discard(file_name)
        report_fail(report_id=report_id, claim=claim,
                    reason=_("An unexpected error stopped the report: %(error)s") % {"error": exc})
    return Report.objects.get(pk=report_id)


def _discard(file_name: str) -> None:
    if file_name:
        default_storage.delete(file_name)


def _workbook_name(report: Report) -> str:
    stamp = timezone.localtime().strftime("%Y")
    return f"reports/{stamp}/{report.kind}-{report.period.label}-{report.scope_key}-v{report.version}.xlsx"


def report_fail(*, report_id: int, reason: str, claim: uuid.UUID | None = None,
                spare_live_claim: bool = False) -> Report:
    """Give up on a report that is not done: with ``claim``, only while that worker holds it;
    with ``spare_live_claim``, not while any worker holds a live lease on it (a task giving up
    after its retries must not fail the run another worker has just started)."""
    unfinished = Report.objects.filter(pk=report_id).exclude(status=ReportStatus.DONE)
    if claim is not None:
        unfinished = unfinished.filter(claim=claim)
    if spare_live_claim:
        unfinished = unfinished.exclude(status=ReportStatus.RUNNING, lease_until__gte=timezone.now())
    unfinished.update(status=ReportStatus.FAILED, failure=str(reason)[:2000], finished_at=timezone.now(),
                      lease_until=None)
    return Report.objects.get(pk=report_id)


# --- Publish ---------------------------------------------------------------------------------


def report_publish(*, report: Report, by) -> Report:
    """HQ publishes a finished report of a kind that publishes (reports/kinds: the weekly
    exposure, the monthly comparison): from then on all staff see it, the public board shows it
    (a kind with PUBLIC_BOARD), and the units and districts it names are told. Who and when are kept; publishing twice is
    refused."""
    if not may_manage_reports(by):
        raise ReportForbidden(_("Only HQ staff may publish a report."))
    if not publishes(report.kind):
        raise ReportInvalid(_("This kind of report is not published: staff see it as soon as it is done."))
    if report.status != ReportStatus.DONE:
        raise ReportInvalid(_("The report is not finished yet."))
    now = timezone.now()
    with transaction.atomic():
        published = Report.objects.filter(pk=report.pk, status=ReportStatus.DONE, published_at__isnull=True).update(
            published_at=now, published_by=by
        )
        if not published:
            raise ReportInvalid(_("This report is already published."))
        report.refresh_from_db()
        report_published(report)
    return report


# --- Weekly tasks ----------------------------------------------------------------------------


def _check_task(*, by, week_start: dt.date, text: str) -> str:
    if not may_manage_reports(by):
        raise ReportForbidden(_("Only HQ staff enter the weekly tasks."))
    if week_of(week_start).start != week_start:
        raise ReportInvalid(_("A week starts on a Monday."))
    text = (text or "").strip()
    if not text:
        raise ReportInvalid(_("Write the task."))
    return text


def weekly_task_create(*, by, week_start: dt.date, text: str, unit: Unit | None = None,
                       due_on: dt.date | None = None) -> WeeklyTask:
    """A free-text task for the week starting ``week_start`` (a Monday), HQ staff only."""
    text = _check_task(by=by, week_start=week_start, text=text)
    return WeeklyTask.objects.create(week_start=week_start, text=text, unit=unit, due_on=due_on, created_by=by)


def weekly_task_update(*, task: WeeklyTask, by, text: str, unit: Unit | None = None,
                       due_on: dt.date | None = None) -> WeeklyTask:
    task.text = _check_task(by=by, week_start=task.week_start, text=text)
    task.unit = unit
    task.due_on = due_on
    task.save(update_fields=["text", "unit", "due_on"])
    return task


def weekly_task_delete(*, task: WeeklyTask, by) -> None:
    if not may_manage_reports(by):
        raise ReportForbidden(_("Only HQ staff enter the weekly tasks."))
    task.delete()


# --- Daily overdue sweep ---------------------------------------------------------------------


def overdue_snapshot_take(*, day: dt.date | None = None) -> int:
    """Count, per district and responsible unit, the problems still open when the sweep runs
    (just after midnight) whose deadline is before ``day``; replace that day's snapshot, so
    running it twice changes nothing. One GROUP BY."""
    from ledger.choices import OPEN_STATUSES
    from ledger.models import Problem

    day = day or timezone.localdate()
    rows = (
        Problem.objects.filter(status__in=OPEN_STATUSES, deadline__lt=day)
        .values("district_id", "responsible_unit_id")
        .annotate(overdue=Count("id"), oldest=Min("deadline"))
        .order_by()
    )
    snapshots = [
        OverdueSnapshot(day=day, district_id=row["district_id"], unit_id=row["responsible_unit_id"],
                        overdue=row["overdue"], oldest_deadline=row["oldest"])
        for row in rows
    ]
    with transaction.atomic():
        OverdueSnapshot.objects.filter(day=day).delete()
        OverdueSnapshot.objects.bulk_create(snapshots)
    return len(snapshots)
