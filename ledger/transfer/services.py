"""Writing imported ledgers, and the import and export jobs.

The HQ pages, the API, the management commands and the Celery tasks all go through these
functions. Reading and checking a file lives in ``planning``; this module writes.

How imported history works: a problem brought from an old Excel ledger is recorded with the
state it had there, by ``problems_import`` (a batch of ``imported_recording``). Its history starts with one ``record`` event, at
the date it was found, by the person who imported the file, that leads straight to that state
(for example found → closed) and says so: the note reads "Imported from <file>, row <n>" and
the event's data keep what the old ledger said (status, unit, deadline, closing date, the
file and row). The old ledger is the evidence for what happened before the import (its
after-photos, if any, are in the old files), so no assign, apply-close or verify events are
invented: the hash chain is whole and ``verify_ledger`` passes, and every later step (assign,
verify, rebound…) is an ordinary service call with its own event.
"""

import logging
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, time

from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import exporting as list_exports
from campaign import jobs
from campaign.choices import ImportStatus

from .. import services
from ..choices import Action, Status
from ..filters import ProblemFilterSet
from ..models import LedgerExport, LedgerImport, Problem, ProblemCodeBlock
from ..services import (
    LedgerError,
    LedgerForbidden,
    problem_numbers_reserve,
    problem_numbers_void,
)
from . import columns
from . import export as exporting
from .planning import Plan, PlannedProblem, PlannedUpdate, build_plan

logger = logging.getLogger(__name__)

GENERATED_CODE = re.compile(r"(\d{4})-(\d{6})")
FINISHED = (ImportStatus.DONE, ImportStatus.FAILED)


class ImportStateError(Exception):
    """The import cannot make this move (it has errors, or it was already started)."""


TransientJobError = jobs.TransientJobError  # the database was unreachable; the job is retried


def may_import(user) -> bool:
    """Importing a ledger is HQ's: it writes problems of every district at once."""
    return bool(user and user.is_authenticated and user.can_manage_structure)


def _aware(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def import_numbers_reserve(*, plan: Plan, import_id: int | None = None, claim=None) -> dict[int, Iterator[str]]:
    """Reserve, before the import's long transaction, the problem numbers its rows without a
    code will get, per year of their found date; the counter also moves past every kept code
    that looks like a generated one (2026-000123), so later recordings never collide with it.

    One short transaction, committed at once (see ``problem_numbers_reserve``): recording never
    waits for the import. With ``claim``, it reserves only while this worker holds the job, so
    a worker that was taken over never leaves a block behind that nobody voids."""
    generated = Counter(planned.found_on.year for planned in plan.problems if not planned.code)
    floors: dict[int, int] = {}
    for planned in plan.problems:
        found = GENERATED_CODE.fullmatch(planned.code) if planned.code else None
        if found:
            year, number = int(found.group(1)), int(found.group(2))
            floors[year] = max(floors.get(year, 0), number)
    codes: dict[int, Iterator[str]] = {}
    with transaction.atomic():
        if claim is not None and not list(
            jobs.job_mine(LedgerImport, import_id, claim).select_for_update().values_list("pk", flat=True)
        ):
            raise jobs.JobTakenOver(f"LedgerImport {import_id}")
        for year in sorted(set(generated) | set(floors)):  # always in the same order: no deadlock
            count = generated.get(year, 0)
            block = problem_numbers_reserve(year=year, count=count, above=floors.get(year, 0),
                                            ledger_import_id=import_id)
            if count:
                codes[year] = iter([f"{year}-{n:06d}" for n in range(block.last - count + 1, block.last + 1)])
    return codes


def import_numbers_void(*, import_id: int, reason: str) -> int:
    """Void the blocks of an import that wrote nothing (failed, or taken over before writing)."""
    return problem_numbers_void(blocks=ProblemCodeBlock.objects.filter(ledger_import_id=import_id), reason=reason)


def imported_recording(*, planned: PlannedProblem, origin: str, code: str = "", now: datetime) -> services.Recording:
    """One problem of an imported ledger as the ledger records it (``services.Recording``): in
    the state the old ledger gives it, with one ``record`` event at the found date leading to
    that state, the note "Imported from <origin>, row <n>" and what the old ledger said in its
    data (see the module docstring). The code of the old ledger is kept; a row without one
    gets ``code``, a number reserved beforehand by ``import_numbers_reserve`` (never the
    counter itself: its lock would be held for the whole import)."""
    found_at = _aware(planned.found_on)
    closed_at = _aware(planned.closed_on) if planned.closed_on else None
    past_found = planned.status in (Status.ASSIGNED, Status.RECTIFYING, Status.CLOSING_APPLIED, Status.CLOSED)
    code = planned.code or code
    if not code:
        raise ValueError(f"Row {planned.row}: no problem number was reserved for it.")
    fields = {
        "category": planned.category, "district": planned.district, "description": planned.description,
        "source": planned.source, "found_at": found_at, "severity": planned.severity,
        "sample_point": planned.sample_point, "address": planned.address, "latitude": None, "longitude": None,
        "source_ref": "", "responsible_unit": planned.responsible_unit, "team": None, "problem_class": None,
        "grid": planned.grid, "road": planned.road,
    }
    state = {
        "status": planned.status, "deadline": planned.deadline,
        "assigned_at": found_at if past_found and planned.responsible_unit else None,
        "closing_applied_at": (closed_at or now) if planned.status in (Status.CLOSING_APPLIED, Status.CLOSED) else None,
        "closed_at": closed_at,
        "rectification_note": planned.rectification if planned.status != Status.INVALID else "",
        "invalid_reason": (planned.rectification or _("Invalid in the imported ledger."))
        if planned.status == Status.INVALID else "",
    }
    data = {"imported": {
        "file": origin, "row": planned.row, "status": planned.status,
        "unit": planned.responsible_unit.name if planned.responsible_unit else "",
        "deadline": planned.deadline.isoformat() if planned.deadline else "",
        "closed_on": planned.closed_on.isoformat() if planned.closed_on else "",
        "imported_at": now.isoformat(timespec="seconds"),
    }}
    note = _("Imported from %(file)s, row %(row)s.") % {"file": origin, "row": planned.row}
    return services.Recording(fields=fields, code=code, state=state, note=note, data=data, row=planned.row)


def problems_import(*, plan: Plan, by, origin: str, codes: dict[int, Iterator[str]]) -> list[Problem]:
    """Record the plan's new problems in one batch (``services.problems_record_batch``): the
    recording rules of a single problem, applied to every row, all or nothing. Only HQ staff
    import. A kept code that the ledger took meanwhile is refused naming its row and column."""
    if not may_import(by):
        raise LedgerForbidden(_("Only HQ staff import a ledger."))
    now = timezone.now()
    recordings = [imported_recording(planned=planned, origin=origin, now=now,
                                     code=planned.code or next(codes[planned.found_on.year]))
                  for planned in plan.problems]
    kept = {planned.code: planned.row for planned in plan.problems if planned.code}
    for start in range(0, len(kept), 5000):
        batch = list(kept)[start:start + 5000]
        taken = sorted(Problem.objects.filter(code__in=batch).values_list("code", flat=True), key=kept.get)
        if taken:
            raise _code_taken(row=kept[taken[0]], code=taken[0])
    try:
        return services.problems_record_batch(by=by, recordings=recordings)
    except services.CodeTaken as error:  # taken between the check above and the write
        if error.row is None:
            raise
        raise _code_taken(row=error.row, code=error.code) from None


def _code_taken(*, row: int, code: str) -> services.LedgerConflict:
    return services.LedgerConflict(_("Row %(row)s, column %(column)s: problem %(code)s was recorded meanwhile.")
                                   % {"row": row, "column": columns.column_label("code"), "code": code})


def ledger_import_write(*, plan: Plan, by, origin: str, codes: dict[int, Iterator[str]] | None = None) -> int:
    """Write every problem of a checked plan in one transaction: all or nothing. ``codes``: the
    numbers reserved for the rows without a code (reserved here, beforehand, if not given).
    The new problems go in as one batch; the edited rows of problems already in the ledger
    through the services, one move each."""
    if plan.errors:
        raise ImportStateError(_("The file has errors: correct them and upload it again."))
    if codes is None:
        codes = import_numbers_reserve(plan=plan)
    with transaction.atomic():
        problems_import(plan=plan, by=by, origin=origin, codes=codes)
        for update in plan.updates:
            problem_import_update(update=update, by=by, origin=origin)
    return len(plan.problems)


def problem_import_update(*, update: PlannedUpdate, by, origin: str) -> Problem:
    """Apply an edited row to the problem of its code through the ledger's services: the
    corrections first (one ``edit`` event), then the status move, each its own event, each
    checked again by its service against the version the check saw. A refusal raises
    (LedgerError) and the whole import is written not at all."""
    note = _("Imported from %(file)s, row %(row)s.") % {"file": origin, "row": update.row}
    problem = update.problem
    version = problem.version
    if update.edits:
        problem = services.problem_edit(problem=problem, by=by, changes=update.edits, expected_version=version,
                                        note=note)
        version = problem.version
    if update.action in (Action.ASSIGN, Action.REASSIGN):
        problem = services.problem_assign(problem=problem, unit=update.unit, deadline=update.deadline, by=by,
                                          expected_version=version, note=note)
    elif update.action == Action.ACKNOWLEDGE:
        problem = services.problem_acknowledge(problem=problem, by=by, expected_version=version, note=note)
    elif update.action == Action.APPROVE:
        problem = services.problem_verify(problem=problem, approved=True, by=by, expected_version=version, note=note)
    elif update.action == Action.INVALIDATE:
        problem = services.problem_invalidate(problem=problem, reason=update.reason, by=by, expected_version=version)
    return problem


def ledger_import_preview(*, user, file_name: str, data: bytes, run_now: bool = False,
                          then_write: bool = False) -> tuple[LedgerImport, Plan | None]:
    """Check a ledger file and keep it as an import in status 'previewed'; writes no problem.

    A file of more than IMPORT_BACKGROUND_ROWS rows (unless ``run_now``) is checked by the
    worker, as a large import is written: the import is queued (the plan is None), its page
    shows the progress, and it ends 'previewed' with its summary, errors and warnings; with
    ``then_write`` (an upload through the API without dry_run) the worker goes on to write it."""
    if not may_import(user):
        raise LedgerForbidden(_("Only HQ staff import a ledger."))
    record = LedgerImport(created_by=user, original_name=(file_name or "upload")[:255])
    if jobs.import_queue_if_large(record, data, run_now=run_now, then_write=then_write,
                                   task=jobs.task_by_name("ledger.tasks.ledger_import_run")):
        return record, None
    plan = build_plan(data, user=user)
    record.status, record.total_rows = ImportStatus.PREVIEWED, plan.total_rows
    record.errors, record.warnings, record.summary = plan.errors, plan.warnings, plan.summary()
    # A refused file is not kept (the row keeps its errors until IMPORT_RETENTION_DAYS). An
    # accepted one is stored before the row is inserted: no file I/O inside a transaction.
    if not plan.errors:
        jobs.upload_store(record, data)
    record.save()
    return record, plan


def ledger_import_confirm(*, user, record: LedgerImport, run_now: bool = False) -> LedgerImport:
    """Start writing a previewed import without errors, once (a conditional update decides).

    Up to IMPORT_BACKGROUND_ROWS rows (or any number with ``run_now``) are written at once;
    a larger file is handed to the worker when this transaction commits."""
    if not may_import(user):
        raise LedgerForbidden(_("Only HQ staff import a ledger."))
    if record.errors:
        raise ImportStateError(_("The file has errors: correct them and upload it again."))
    started = LedgerImport.objects.filter(pk=record.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.QUEUED, attempts=0, taken_over_at=None  # the check's attempts are not the write's
    )
    if not started:
        raise ImportStateError(_("This import has already been started."))
    if not run_now and record.total_rows > settings.IMPORT_BACKGROUND_ROWS:
        transaction.on_commit(lambda: jobs.task_by_name("ledger.tasks.ledger_import_run").delay(record.pk))
        record.refresh_from_db()
        return record
    return ledger_import_run(import_id=record.pk)


def ledger_import_run(*, import_id: int) -> LedgerImport:
    """Write a queued import, all or nothing, and mark it done or failed with the reason.

    Claims the row (campaign/jobs.py), so it runs once however often it is delivered, and a
    worker that died is taken over after the lease. The file is checked again first (the city may have changed since the
    preview), with progress; then every problem is written in one transaction with 'done'.
    A preview-only import (a large file's check) ends there, 'previewed'."""
    claim = jobs.job_claim(LedgerImport, import_id)
    record = LedgerImport.objects.select_related("created_by").get(pk=import_id)
    if claim is None:
        return record
    try:
        with record.file.open("rb") as stored:
            data = stored.read()

        def progress(done: int) -> None:
            jobs.job_progress(LedgerImport, import_id, claim, processed_rows=done)

        plan = build_plan(data, user=record.created_by, progress=progress)
        if record.preview_only:
            jobs.job_finish(LedgerImport, import_id, claim, status=ImportStatus.PREVIEWED, preview_only=False,
                            total_rows=plan.total_rows, processed_rows=plan.total_rows, errors=plan.errors,
                            warnings=plan.warnings, summary=plan.summary(), failure="")
            if plan.errors:  # refused: the file is not kept, as for a preview in the request
                jobs.job_file_drop(LedgerImport, import_id)
            record.refresh_from_db()
            return record
        if plan.errors:
            return _fail_import(import_id, _("The file has errors: nothing was written."), plan)
        # Numbers an earlier attempt reserved were never written: that worker stopped.
        import_numbers_void(import_id=import_id, reason=_("The worker writing the import stopped; "
                                                          "another worker took the job over."))
        codes = import_numbers_reserve(plan=plan, import_id=import_id, claim=claim)
        with transaction.atomic():
            created = ledger_import_write(plan=plan, by=record.created_by, origin=record.original_name, codes=codes)
            jobs.job_finish(
                LedgerImport, import_id, claim, total_rows=plan.total_rows, processed_rows=plan.total_rows,
                created_count=created, errors=[], warnings=plan.warnings, failure="",
            )
    except jobs.JobTakenOver:
        logger.warning("Ledger import %s was taken over by another worker; this one wrote nothing", import_id)
    except LedgerError as exc:  # a problem changed since the check refused its edited row's move
        return _fail_import(import_id, _("A problem changed while importing: %(reason)s Nothing was written. "
                                         "Upload the file again.") % {"reason": exc})
    except IntegrityError:
        logger.warning("Ledger import %s conflicted with a concurrent change", import_id)
        return _fail_import(import_id, _(
            "Problems changed while importing (a code was taken meanwhile): nothing was written. Upload the file again."
        ))
    except (OperationalError, InterfaceError) as exc:
        logger.warning("Ledger import %s: database unavailable, back to the queue", import_id)
        try:
            jobs.job_requeue(LedgerImport, import_id, claim)
        except DatabaseError:
            logger.exception("Could not put ledger import %s back in the queue", import_id)
        raise TransientJobError(str(exc)) from exc
    except Exception:
        logger.exception("Ledger import %s failed", import_id)
        return _fail_import(import_id, _("An unexpected error stopped the import: nothing was written."))
    record.refresh_from_db()
    return record


def ledger_import_fail(*, import_id: int, reason: str) -> LedgerImport:
    """Give up on a queued or running import (e.g. retries exhausted); a done one stays done."""
    return _fail_import(import_id, reason)


def _fail_import(import_id: int, reason: str, plan: Plan | None = None) -> LedgerImport:
    changes = {"status": ImportStatus.FAILED, "failure": str(reason), "finished_at": timezone.now()}
    if plan is not None:
        changes.update(errors=plan.errors, warnings=plan.warnings, total_rows=plan.total_rows)
    if LedgerImport.objects.filter(pk=import_id).exclude(status=ImportStatus.DONE).update(**changes):
        import_numbers_void(import_id=import_id, reason=reason)
        jobs.job_file_drop(LedgerImport, import_id)  # nothing was written: a new upload is needed
    return LedgerImport.objects.get(pk=import_id)


def ledger_imports_void_failed_numbers() -> int:
    """Void the reserved numbers of imports the sweep failed (their workers died too often)."""
    return problem_numbers_void(
        blocks=ProblemCodeBlock.objects.filter(ledger_import__status=ImportStatus.FAILED),
        reason=_("The import failed: its workers stopped too often."),
    )


# --- Export ----------------------------------------------------------------------------------
# The shared export mechanism (campaign/exporting.py) with the ledger's own writer and job.


def filters_to_dict(query: QueryDict) -> dict[str, list[str]]:
    """The list's filters as kept on an export (only the FilterSet's own, no paging or format)."""
    return list_exports.filters_to_dict(query, ProblemFilterSet.base_filters)


def problems_for_export(*, user, filters: dict[str, list[str]]):
    """The problems ``user`` may see that the list's filters select, in the list's order.

    Raises ValueError with the filter errors when a filter is malformed."""
    rows = list_exports.filtered_rows(ProblemFilterSet, Problem.objects.visible_to, order=("-found_at", "-id"))
    return rows(user, list_exports.as_query(filters))


def export_threshold() -> int:
    return settings.LEDGER_EXPORT_BACKGROUND_ROWS


def may_fetch_export(user, export: LedgerExport) -> bool:
    """Only the person who asked for an export (or HQ staff) may see and download it."""
    return list_exports.may_fetch(user, export)


def export_format(value: str | None) -> str:
    """The export format a request asks for (``?format=csv``); the workbook by default.

    Raises ValueError for a format there is none of, an empty one included."""
    return list_exports.export_format(value)


def ledger_export_request(*, user, filters: dict[str, list[str]], language: str,
                          file_format: str = "xlsx") -> LedgerExport:
    """Queue an export of what the list shows ``user``; the worker writes it after commit."""
    problems_for_export(user=user, filters=filters)  # refuse malformed filters now, not in the worker
    record = LedgerExport.objects.create(requested_by=user, filters=filters, language=language,
                                         file_format=export_format(file_format), status=ImportStatus.QUEUED)
    transaction.on_commit(lambda: jobs.task_by_name("ledger.tasks.ledger_export_run").delay(record.pk))
    return record


def ledger_export_run(*, export_id: int) -> LedgerExport:
    """Write a queued export to a file, once (claimed, campaign/jobs.py), with progress.

    The rows are selected again through the requester's scope at the time of writing."""
    return list_exports.export_job_run(
        LedgerExport, export_id, stem="ledger",
        rows=lambda record: problems_for_export(user=record.requested_by, filters=record.filters),
        write=lambda rows, out, **options: exporting.write_export(rows, out, **options),
    )


def ledger_export_fail(*, export_id: int, reason: str) -> LedgerExport:
    """Give up on a queued or running export; a done one stays done."""
    return list_exports.export_job_fail(LedgerExport, export_id, reason=reason)
