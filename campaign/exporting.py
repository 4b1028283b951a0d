"""Every list of the site in Excel (or CSV): one mechanism, used by every list page.

A list that can be exported registers a ``ListExport`` here (each app in its ``exports.py``,
loaded by its AppConfig, so this ground-floor module imports no higher app): its columns
with human headers, and how to load its rows for a user and the page's query string. Each
export loads through ``visible_to(user)`` and the list's own FilterSet (or form), so the file
holds exactly what the page shows that user.

How a file is made is the ledger export's, generalised: the rows stream from the database in
chunks (``iterator``; on PostgreSQL a server-side cursor, closed as soon as the rows are written
or the writing fails) through the safe writer (``spreadsheets.XlsxStream`` or ``csv_writer``),
so memory stays flat. A list of up to EXPORT_BACKGROUND_ROWS rows downloads at once; a larger
one becomes a job (``ExportJob``, claimed as every job, campaign/jobs.py) that the worker writes
while its page shows the progress; only the requester (or HQ staff) downloads it. The ledger's
own job (``LedgerExport``) runs through the same ``export_job_run``.
"""

import datetime as dt
import io
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, InterfaceError, OperationalError, models
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from . import jobs, spreadsheets
from .choices import ImportStatus

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
PROGRESS_EVERY = 2000
HEADER_FILL = "DDEBF7"
FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "csv": "text/csv; charset=utf-8"}


class AsUser:
    """What a FilterSet needs of a request (its user) when there is no request (the worker)."""

    def __init__(self, user):
        self.user = user


@dataclass(frozen=True)
class Column:
    """One column: its header (a lazy translation) and the cell of a row (a model instance or
    whatever the list's rows are)."""

    header: Any
    value: Callable[[Any], Any]
    width: int = 14


def _everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class ListExport:
    """An exportable list. ``rows(user, data)`` returns the rows ``user`` may see that the
    query string ``data`` selects, in the page's order, and raises ValueError for a malformed
    filter; ``filter_names`` are the query parameters that are filters (kept on a job);
    ``list_url`` the page's URL name. ``allowed`` is who may export it (others get a 404, as on
    the page)."""

    kind: str
    title: Any
    columns: Sequence[Column]
    rows: Callable[[Any, QueryDict], Any]
    filter_names: Iterable[str]
    list_url: str
    allowed: Callable[[Any], bool] = field(default=_everyone)


EXPORTS: dict[str, ListExport] = {}


def register(export: ListExport) -> ListExport:
    if EXPORTS.get(export.kind, export) is not export:
        raise ValueError(f"two exports are named {export.kind!r}")
    EXPORTS[export.kind] = export
    return export


def filtered_rows(filterset_class, queryset: Callable[[Any], QuerySet], *,
                  order: Sequence[str] = ()) -> Callable[[Any, QueryDict], QuerySet]:
    """``rows`` for a list filtered by ``filterset_class`` over ``queryset(user)`` (which loads
    through ``visible_to(user)``)."""

    def rows(user, data: QueryDict) -> QuerySet:
        filterset = filterset_class(data, queryset=queryset(user), request=AsUser(user))
        if not filterset.is_valid():
            raise ValueError(filterset.errors.as_json())
        return filterset.qs.order_by(*order) if order else filterset.qs

    return rows


def filters_to_dict(query: QueryDict, names: Iterable[str]) -> dict[str, list[str]]:
    """The list's filters as kept on an export (only those named, no paging or format)."""
    names = set(names)
    return {key: query.getlist(key) for key in query if key in names and any(query.getlist(key))}


def as_query(filters: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in filters.items():
        data.setlist(key, values)
    return data


def export_format(value: str | None) -> str:
    """The format a request asks for (``?format=csv``); the workbook by default.

    Raises ValueError for a format there is none of, an empty one included."""
    value = "xlsx" if value is None else value.lower()
    if value not in FORMATS:
        raise ValueError(value)
    return value


def count_upto(rows, limit: int) -> int:
    """How many rows, counting no further than ``limit`` (never a full COUNT of a large list)."""
    if isinstance(rows, QuerySet):
        return rows.order_by()[:limit].count()
    return min(len(rows), limit)


def may_fetch(user, job) -> bool:
    """Only the person who asked for an export (or HQ staff) may see and download it."""
    return bool(user and user.is_authenticated and (job.requested_by_id == user.pk or user.can_manage_structure))


# --- Writing ---------------------------------------------------------------------------------


def cell(value: Any) -> Any:
    """A value as the safe writer takes it: local naive times, text for lazy strings, model
    instances and yes/no; numbers and dates as they are."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Promise | models.Model):
        return str(value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _each(rows):
    """The rows one by one; a queryset in chunks through a cursor closed however this ends."""
    if isinstance(rows, QuerySet):
        with closing(rows.iterator(chunk_size=CHUNK_SIZE)) as iterator:
            yield from iterator
    else:
        yield from rows


def _cells(export: ListExport, rows, progress: Callable[[int], None] | None):
    written = 0
    with closing(_each(rows)) as each:
        for written, row in enumerate(each, start=1):
            yield [cell(column.value(row)) for column in export.columns]
            if progress and written % PROGRESS_EVERY == 0:
                progress(written)
    if progress:
        progress(written)


def display_width(text: str) -> int:
    """A text's width in Excel's units (a Chinese character takes two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


@contextmanager
def text_out(out: BinaryIO):
    """The binary file ``out`` as text for a CSV writer (UTF-8, ``newline=""``), left open."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        yield text
    finally:
        text.flush()
        text.detach()


def write_list(export: ListExport, rows, out: BinaryIO, *, language: str, file_format: str = "xlsx",
               progress: Callable[[int], None] | None = None) -> int:
    """Write ``rows`` (already scoped and filtered) to ``out`` with headers and values in
    ``language``; returns the number of rows written."""
    written = 0
    with translation.override(language):
        headers = [str(column.header) for column in export.columns]
        if file_format == "csv":
            with text_out(out) as text:
                writer = spreadsheets.csv_writer(text)
                writer.writerow(headers)
                with closing(_cells(export, rows, progress)) as lines:
                    for written, cells in enumerate(lines, start=1):  # noqa: B007 (the count is returned)
                        writer.writerow(cells)
            return written
        if file_format != "xlsx":
            raise ValueError(f"unknown export format {file_format!r}")
        sheet = spreadsheets.XlsxStream(str(export.title))
        for index, column in enumerate(export.columns):
            sheet.set_width(index, max(column.width, display_width(headers[index]) + 2))
        sheet.freeze_rows(1)
        sheet.header(headers, bold=True, fill=HEADER_FILL)
        with closing(_cells(export, rows, progress)) as lines:
            for written, cells in enumerate(lines, start=1):  # noqa: B007 (the count is returned)
                sheet.append(cells)
    sheet.save(out)
    return written


# --- The worker's side -----------------------------------------------------------------------


def export_job_run(model: type[models.Model], job_id: int, *, rows: Callable[[Any], Any],
                   write: Callable[..., int], stem: str):
    """Write a queued export job of ``model`` (an ``ExportJobFields``) to its file, once
    (claimed, campaign/jobs.py), with progress. ``rows(job)`` selects the rows again through
    the requester's scope at the time of writing; ``write(rows, out, language=…,
    file_format=…, progress=…)`` writes them and returns how many.

    A database that went away puts the job back in the queue (``TransientJobError``, the task
    retries); any other error fails it with a message."""
    claim = jobs.job_claim(model, job_id)
    record = model.objects.select_related("requested_by").get(pk=job_id)
    if claim is None:
        return record
    try:
        selected = rows(record)
        total = selected.count() if isinstance(selected, QuerySet) else len(selected)
        jobs.job_progress(model, job_id, claim, total_rows=total)

        def progress(done: int) -> None:
            jobs.job_progress(model, job_id, claim, processed_rows=done)

        with tempfile.TemporaryFile() as scratch:
            with translation.override(record.language):
                written = write(selected, scratch, language=record.language, file_format=record.file_format,
                                progress=progress)
            scratch.seek(0)
            when = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            record.file.save(f"{stem}-{when}-{uuid.uuid4().hex[:8]}.{record.file_format}", File(scratch),
                             save=False)
        try:
            jobs.job_finish(model, job_id, claim, file=record.file.name, total_rows=written,
                            processed_rows=written, failure="")
        except jobs.JobTakenOver:
            logger.warning("%s %s was taken over by another worker; its file is dropped", model.__name__, job_id)
            record.file.delete(save=False)
    except (OperationalError, InterfaceError) as exc:
        logger.warning("%s %s: database unavailable, back to the queue", model.__name__, job_id)
        try:
            jobs.job_requeue(model, job_id, claim)
        except DatabaseError:
            logger.exception("Could not put %s %s back in the queue", model.__name__, job_id)
        raise jobs.TransientJobError(str(exc)) from exc
    except Exception:
        logger.exception("%s %s failed", model.__name__, job_id)
        return export_job_fail(model, job_id, reason=_("An unexpected error stopped the export."), claim=claim)
    record.refresh_from_db()
    return record


def export_job_fail(model: type[models.Model], job_id: int, *, reason: str, claim=None):
    """Give up on an export. With ``claim`` (the worker's own failure): only while this worker
    still holds the job (a worker given up on must not fail the job another one took over).
    Without (the task's retries ran out): only a queued job or a running one whose worker
    stopped refreshing its claim. A done job, or one another worker holds, is left alone."""
    now = timezone.now()
    if claim is not None:
        rows = jobs.job_mine(model, job_id, claim)
    else:
        stale = now - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
        rows = model.objects.filter(Q(status=ImportStatus.QUEUED) | Q(status=ImportStatus.RUNNING,
                                                                       claimed_at__lt=stale), pk=job_id)
    rows.update(status=ImportStatus.FAILED, failure=str(reason), finished_at=now, claim=None)
    return model.objects.get(pk=job_id)


def export_threshold() -> int:
    return settings.EXPORT_BACKGROUND_ROWS
