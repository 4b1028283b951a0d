"""Importing sample points from Excel or CSV: preview, confirm, then write all or nothing.

The HQ page, the API, the management command and the Celery task all go through these
functions. Reading and checking the file lives in ``campaign.importing``; this module writes.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import jobs
from campaign.choices import CategoryKind, ImportStatus
from campaign.importing.planning import Plan, build_plan
from campaign.models import Category, SamplePoint, SamplePointImport, User

logger = logging.getLogger(__name__)

NEW_CATEGORY_PREFIX = "KP"
CODE_MAX_LENGTH = 40


class ImportStateError(Exception):
    """The import cannot make this move (it has errors, or it was already started)."""


class TransientImportError(Exception):
    """The database was unreachable; the import was put back in the queue to be retried."""


def sample_point_import_preview(
    *, user: User, file_name: str, data: bytes, defaults: dict | None = None, run_now: bool = False,
    then_write: bool = False,
) -> tuple[SamplePointImport, Plan | None]:
    """Check a file and keep it as an import in status 'previewed'; writes no sample point.

    ``defaults`` holds values for the whole file (district, category, responsible_unit, team,
    by code or name) and the option create_categories. Every bad row is reported in
    ``errors``; repeats and points already present are ``warnings``.

    A file of more than IMPORT_BACKGROUND_ROWS rows (unless ``run_now``) is checked by the
    worker, as a large import is written: the import is queued (the plan is None), its page
    shows the progress, and it ends 'previewed' with its summary, errors and warnings; with
    ``then_write`` (an upload through the API without dry_run) the worker goes on to write it.
    """
    if not user.can_manage_structure:
        raise PermissionError("Only HQ staff import sample points.")
    defaults = {key: value for key, value in (defaults or {}).items() if value not in (None, "", False)}
    record = SamplePointImport(created_by=user, original_name=(file_name or "upload")[:255], defaults=defaults)
    if jobs.import_queue_if_large(record, data, run_now=run_now, then_write=then_write,
                                   task=jobs.task_by_name("campaign.tasks.sample_point_import_run")):
        return record, None
    plan = build_plan(data, user=user, defaults=defaults)
    record.status, record.total_rows = ImportStatus.PREVIEWED, plan.total_rows
    record.errors, record.warnings, record.summary = plan.errors, plan.warnings, plan.summary()
    # A refused file is not kept (the row keeps its errors until IMPORT_RETENTION_DAYS). An
    # accepted one is stored before the row is inserted: no file I/O inside a transaction.
    if not plan.errors:
        jobs.upload_store(record, data)
    record.save()
    return record, plan


def sample_point_import_confirm(
    *, user: User, record: SamplePointImport, run_now: bool = False
) -> SamplePointImport:
    """Start writing a previewed import that has no errors.

    Up to IMPORT_BACKGROUND_ROWS points (or any number with ``run_now``, as the management
    command does) are written at once, in this process; a larger file is queued and handed to
    the Celery worker once this transaction commits. Only a
    'previewed' import may be confirmed, and only once (a conditional update decides).
    """
    if not user.can_manage_structure:
        raise PermissionError("Only HQ staff import sample points.")
    if record.errors:
        raise ImportStateError(_("The file has errors: correct them and upload it again."))
    started = SamplePointImport.objects.filter(pk=record.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.QUEUED, attempts=0, taken_over_at=None  # the check's attempts are not the write's
    )
    if not started:
        raise ImportStateError(_("This import has already been started."))
    if not run_now and record.total_rows > settings.IMPORT_BACKGROUND_ROWS:
        transaction.on_commit(lambda: jobs.task_by_name("campaign.tasks.sample_point_import_run").delay(record.pk))
        record.refresh_from_db()
        return record
    return sample_point_import_run(import_id=record.pk)


def sample_point_import_run(*, import_id: int) -> SamplePointImport:
    """Write a queued import, all or nothing, and mark it done or failed with the reason.

    The row is claimed (campaign/jobs.py), so two workers never both run it, a done or failed
    import is never run again, and one whose worker died is taken over after the lease. The file is checked
    again first (the city may have changed since the preview), updating processed_rows as it
    goes; then every category and point is written in one transaction together with the
    status 'done'. A database outage puts the import back in the queue (TransientImportError).
    """
    claim = jobs.job_claim(SamplePointImport, import_id)
    record = SamplePointImport.objects.select_related("created_by").get(pk=import_id)
    if claim is None:
        return record
    try:
        with record.file.open("rb") as stored:
            data = stored.read()

        def progress(done: int) -> None:
            jobs.job_progress(SamplePointImport, import_id, claim, processed_rows=done)

        plan = build_plan(data, user=record.created_by, defaults=record.defaults, progress=progress)
        if record.preview_only:  # a large file's check: it ends 'previewed', nothing is written
            jobs.job_finish(SamplePointImport, import_id, claim, status=ImportStatus.PREVIEWED, preview_only=False,
                            total_rows=plan.total_rows, processed_rows=plan.total_rows, errors=plan.errors,
                            warnings=plan.warnings, summary=plan.summary(), failure="")
            if plan.errors:  # refused: the file is not kept, as for a preview in the request
                jobs.job_file_drop(SamplePointImport, import_id)
            record.refresh_from_db()
            return record
        if plan.errors:
            return _fail(import_id, _("The file has errors: nothing was written."), plan)
        with transaction.atomic():
            created = _write(plan)
            jobs.job_finish(
                SamplePointImport, import_id, claim,
                total_rows=plan.total_rows,
                processed_rows=plan.total_rows,
                created_count=created,
                errors=[],
                warnings=plan.warnings,
                failure="",
            )
    except jobs.JobTakenOver:
        logger.warning("Sample point import %s was taken over by another worker; this one wrote nothing", import_id)
    except IntegrityError:
        logger.warning("Sample point import %s conflicted with a concurrent change", import_id)
        return _fail(import_id, _(
            "Sample points or categories changed while importing: nothing was written. Upload the file again."
        ))
    except (OperationalError, InterfaceError) as exc:
        logger.warning("Sample point import %s: database unavailable, back to the queue", import_id)
        try:
            jobs.job_requeue(SamplePointImport, import_id, claim)
        except DatabaseError:
            logger.exception("Could not put sample point import %s back in the queue", import_id)
        raise TransientImportError(str(exc)) from exc
    except Exception:
        logger.exception("Sample point import %s failed", import_id)
        return _fail(import_id, _("An unexpected error stopped the import: nothing was written."))
    record.refresh_from_db()
    return record


def sample_point_import_fail(*, import_id: int, reason: str) -> SamplePointImport:
    """Give up on a queued or running import (e.g. retries exhausted); a done one stays done."""
    return _fail(import_id, reason)


def _fail(import_id: int, reason: str, plan: Plan | None = None) -> SamplePointImport:
    changes = {"status": ImportStatus.FAILED, "failure": str(reason), "finished_at": timezone.now()}
    if plan is not None:
        changes.update(errors=plan.errors, warnings=plan.warnings, total_rows=plan.total_rows)
    if SamplePointImport.objects.filter(pk=import_id).exclude(status=ImportStatus.DONE).update(**changes):
        jobs.job_file_drop(SamplePointImport, import_id)  # nothing was written: a new upload is needed
    return SamplePointImport.objects.get(pk=import_id)


def _write(plan: Plan) -> int:
    """Create the new categories and points of a checked plan; returns the points created."""
    created_categories: dict[str, Category] = {}
    if plan.new_categories:
        used = set(Category.objects.values_list("code", flat=True))
        order = (Category.objects.filter(kind=CategoryKind.KEY_PLACE).aggregate(m=Max("order"))["m"] or 0)
        number = 0
        for key, new in plan.new_categories.items():
            number += 1
            while f"{NEW_CATEGORY_PREFIX}{number:02d}" in used:
                number += 1
            code = f"{NEW_CATEGORY_PREFIX}{number:02d}"
            used.add(code)
            order += 1
            # No English name is known; the Chinese one keeps English pages from showing a blank.
            created_categories[key] = Category.objects.create(
                code=code, kind=CategoryKind.KEY_PLACE, name_zh=new.name_zh, name_en=new.name_zh,
                order=min(order, 32767),
            )
    used_codes = set(SamplePoint.objects.values_list("code", flat=True))
    used_codes.update(point.code for point in plan.points if point.code)
    counters: dict[str, int] = {}
    points = []
    for planned in plan.points:
        category = planned.category or created_categories[planned.new_category]
        code = planned.code or _next_code(planned.district.code, category.code, used_codes, counters)
        points.append(SamplePoint(
            code=code, name=planned.name, category=category, district=planned.district,
            grid=planned.grid, road=planned.road, address=planned.address,
            latitude=planned.latitude, longitude=planned.longitude,
            responsible_unit=planned.responsible_unit, team=planned.team,
        ))
    SamplePoint.objects.bulk_create(points, batch_size=500)
    return len(points)


def _next_code(district_code: str, category_code: str, used: set[str], counters: dict[str, int]) -> str:
    """A readable unique code: district-category-number, e.g. FX-KP03-0007."""
    prefix = f"{district_code}-{category_code}".replace(" ", "")[: CODE_MAX_LENGTH - 5]
    number = counters.get(prefix, 0)
    while True:
        number += 1
        code = f"{prefix}-{number:04d}"
        if code not in used:
            break
    counters[prefix] = number
    used.add(code)
    return code

