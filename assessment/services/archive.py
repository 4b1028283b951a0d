"""Changes to the materials archive: a unit uploads a version, HQ accepts or returns it, HQ asks
for the whole archive as a ZIP (written by the worker, ``archive_export_run``).

Every move goes through ``TRANSITIONS`` (action × status now → status after), under a lock of
the material's row, and is recorded as an append-only ``MaterialEvent`` (who, when, from, to,
comment). A review names the version it reviews: if a newer one came meanwhile the review is
refused (``MaterialConflict``), so HQ never accepts a file it did not see."""

import datetime as dt
import logging
import shutil
import zipfile

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign import exporting, jobs
from campaign.choices import Role
from campaign.models import User
from notifications.services import notify

from ..archive.files import CHUNK, MaterialFileError, material_file_check, material_file_store
from ..archive.index import write_index
from ..choices import MaterialAction, MaterialStatus
from ..models import ArchiveExport, MaterialEvent, MaterialFile, MaterialRequirement, MaterialState
from ..selectors import archive as selectors

logger = logging.getLogger(__name__)

RETURNED_EVENT = "assessment.material_returned"

# (action, status now) -> status after. Anything else is refused. An accepted material is
# final: a later edition of it is a new required material.
TRANSITIONS: dict[tuple[str, str], str] = {
    (MaterialAction.SUBMIT, MaterialStatus.MISSING): MaterialStatus.SUBMITTED,
    (MaterialAction.SUBMIT, MaterialStatus.SUBMITTED): MaterialStatus.SUBMITTED,
    (MaterialAction.SUBMIT, MaterialStatus.RETURNED): MaterialStatus.SUBMITTED,
    (MaterialAction.ACCEPT, MaterialStatus.SUBMITTED): MaterialStatus.ACCEPTED,
    (MaterialAction.RETURN, MaterialStatus.SUBMITTED): MaterialStatus.RETURNED,
}


class MaterialError(Exception):
    """A refused move; the message is for the user."""


class MaterialForbidden(MaterialError):
    pass


class MaterialConflict(MaterialError):
    """Not allowed in the material's status now, or about a version that is no longer the latest."""


class MaterialInvalid(MaterialError):
    pass


__all__ = ["MaterialConflict", "MaterialError", "MaterialFileError", "MaterialForbidden", "MaterialInvalid",
           "TRANSITIONS", "archive_export_request", "archive_export_run", "material_file_submit", "material_review"]


def _next_status(action: str, status: str) -> str:
    try:
        return TRANSITIONS[(action, status)]
    except KeyError:
        raise MaterialConflict(
            _("This material is %(status)s: it cannot be %(action)s now.")
            % {"status": MaterialStatus(status).label, "action": MaterialAction(action).label.lower()}
        ) from None


def _locked_state(requirement: MaterialRequirement, at: dt.datetime) -> MaterialState:
    MaterialRequirement.objects.select_for_update().filter(pk=requirement.pk).first()
    state, _created = MaterialState.objects.select_for_update().get_or_create(
        requirement=requirement, defaults={"status": MaterialStatus.MISSING, "changed_at": at})
    return state


def material_file_submit(*, requirement: MaterialRequirement, upload, by: User, note: str = "",
                         at: dt.datetime | None = None) -> MaterialFile:
    """Upload ``upload`` as the material's next version (missing/returned/submitted →
    submitted). The file is checked by content and stored before the transaction; a refusal
    (MaterialFileError, or a move the material's status does not allow) stores nothing."""
    if not selectors.may_upload(by, requirement):
        raise MaterialForbidden(_("Only the responsible unit (or HQ staff) uploads this material."))
    if not requirement.active:
        raise MaterialConflict(_("This material is no longer required."))
    current = selectors.state_of(requirement)
    _next_status(MaterialAction.SUBMIT, current.status if current else MaterialStatus.MISSING)
    checked = material_file_check(upload)  # MaterialFileError: nothing stored
    stored, digest, size = material_file_store(upload, checked, requirement_id=requirement.pk)
    at = at or timezone.now()
    try:
        with transaction.atomic():
            state = _locked_state(requirement, at)
            to_status = _next_status(MaterialAction.SUBMIT, state.status)
            version = (MaterialFile.objects.filter(requirement=requirement).aggregate(v=Max("version"))["v"] or 0) + 1
            record = MaterialFile.objects.create(
                requirement=requirement, version=version, file=stored, original_name=checked.original_name,
                kind=checked.kind, content_type=checked.content_type, size=size, sha256=digest,
                note=note.strip(), uploaded_by=by, uploaded_at=at)
            MaterialEvent.objects.create(requirement=requirement, file=record, action=MaterialAction.SUBMIT,
                                         from_status=state.status, to_status=to_status, actor=by, at=at,
                                         comment=note.strip())
            state.status, state.latest_file, state.changed_at = to_status, record, at
            state.save(update_fields=["status", "latest_file", "changed_at"])
    except BaseException:
        default_storage.delete(stored)  # the row was not written: the file goes too
        raise
    return record


def material_review(*, requirement: MaterialRequirement, file: MaterialFile, accept: bool, comment: str = "",
                    by: User, at: dt.datetime | None = None) -> MaterialEvent:
    """HQ accepts the version ``file`` or returns it with ``comment`` (required), which the unit
    sees and answers with a new version; the unit is notified of a return. Refused when ``file``
    is not the latest version (a stale review) or the material is not awaiting review."""
    if not selectors.may_review(by):
        raise MaterialForbidden(_("Only HQ staff review materials."))
    comment = (comment or "").strip()
    action = MaterialAction.ACCEPT if accept else MaterialAction.RETURN
    if not accept and not comment:
        raise MaterialInvalid(_("Say what is wrong: a returned material needs a comment for the unit."))
    if file.requirement_id != requirement.pk:
        raise MaterialInvalid(_("This file belongs to another material."))
    at = at or timezone.now()
    with transaction.atomic():
        state = _locked_state(requirement, at)
        if state.latest_file_id != file.pk:
            raise MaterialConflict(_("Version %(version)s is no longer the latest: a newer one was uploaded. "
                                     "Review the latest version.") % {"version": file.version})
        to_status = _next_status(action, state.status)
        event = MaterialEvent.objects.create(requirement=requirement, file=file, action=action,
                                             from_status=state.status, to_status=to_status, actor=by, at=at,
                                             comment=comment)
        state.status, state.changed_at, state.last_comment = to_status, at, comment
        if accept:
            state.accepted_file = file
        state.save(update_fields=["status", "changed_at", "last_comment", "accepted_file"])
        if not accept and requirement.responsible_unit_id:
            handlers = User.objects.filter(role=Role.UNIT_HANDLER, unit_id=requirement.responsible_unit_id,
                                           is_active=True)
            notify(RETURNED_EVENT, about=requirement, users=handlers, units=[requirement.responsible_unit],
                   context={"code": requirement.code, "title": requirement.title, "version": file.version,
                            "comment": comment, "by": str(by)},
                   dedupe_key=f"{RETURNED_EVENT}:{event.pk}")
    return event


# --- The whole archive as one ZIP, written by the worker ----------------------------------------


def archive_export_request(*, by: User, edition, language: str | None = None) -> ArchiveExport:
    """Queue the ZIP of ``edition``'s archive for ``by`` (HQ staff or a leader); the worker
    writes it (always through the job: its page shows the progress)."""
    if not selectors.may_download_archive(by):
        raise MaterialForbidden(_("Only HQ staff and leaders download the whole archive."))
    if edition is None:
        raise MaterialInvalid(_("No edition of the standard is in use: there is no archive to download."))
    record = ArchiveExport.objects.create(requested_by=by, edition=edition, file_format="zip",
                                          language=language or translation.get_language() or "zh-hans")
    task = jobs.task_by_name("assessment.tasks.archive_export_run")
    transaction.on_commit(lambda: task.delay(record.pk))
    return record


def _write_zip(edition_id: int, entries, out, progress) -> int:
    """The ZIP to ``out`` (a temporary file): the index workbook first, then each file copied
    in chunks, so memory stays flat whatever the archive's size."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        with archive.open(selectors.safe_component(_("00 Archive index") + ".xlsx"), "w") as target:
            write_index(selectors.index_rows(MaterialRequirement.objects.filter(
                article__part__edition_id=edition_id, active=True, article__active=True)), target)
        for done, entry in enumerate(entries, start=1):
            info = zipfile.ZipInfo(entry.path, date_time=timezone.localtime().timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with default_storage.open(entry.stored_name, "rb") as source, archive.open(info, "w",
                                                                                      force_zip64=True) as target:
                shutil.copyfileobj(source, target, CHUNK)
            progress(done)
    return len(entries)


def archive_export_run(*, job_id: int) -> ArchiveExport:
    """Write a queued archive ZIP once, through the shared export job (campaign/exporting.py
    export_job_run: claimed, a job whose worker died is taken over, written to a temporary file
    and marked done only when complete, failed only while this worker still holds the claim)."""
    edition_id = ArchiveExport.objects.filter(pk=job_id).values_list("edition_id", flat=True).get()

    def rows(record: ArchiveExport):
        with translation.override(record.language):
            return selectors.zip_entries(record.edition)

    def write(entries, out, *, progress, **_options) -> int:
        return _write_zip(edition_id, entries, out, progress)

    return exporting.export_job_run(ArchiveExport, job_id, rows=rows, write=write, stem="archive")


def archive_export_fail(*, job_id: int, reason: str) -> ArchiveExport:
    """Give up on an archive ZIP (the task's retries ran out): only a queued one or one whose
    worker stopped; a job another worker holds, or a done one, is left alone."""
    return exporting.export_job_fail(ArchiveExport, job_id, reason=reason)


def material_url(requirement) -> str:
    return reverse("assessment:archive_material", args=[requirement.pk])
