"""Every change to a problem class's rectification ("rectify one problem, solve a class").

The transitions (ledger/class_rules.py CLASS_TRANSITIONS):

    open ──class_measure_set──> measure_set ──class_apply_close──> closing_applied
                                   ^  (set again)                       │
                                   └──────────── class_reject ──────────┤
                                                                        └──class_verify──> closed

Each runs in one transaction: it locks the class row, checks the table and the actor, refuses a
stale or illegal move (``LedgerConflict``, 409) or a wrong person (``LedgerForbidden``, 403),
saves with ``UPDATE … WHERE version = v`` and appends a ``ProblemClassEvent`` (who, when, from,
to, why). Closing a class never touches its problems.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.write_scope import OutOfScope, may_write, out_of_scope_message

from . import notifications
from .choices import ClassAction
from .class_rules import CLASS_TRANSITIONS, class_refusal
from .models import ProblemClass, ProblemClassEvent, ProblemClassPhoto
from .photos import StoredPhoto
from .services import LedgerConflict, LedgerForbidden, LedgerInvalid


def class_event_open(item: ProblemClass, *, by, note: str = "") -> ProblemClassEvent:
    """The first event of a class just opened (problem_class_create calls it)."""
    return ProblemClassEvent.objects.create(problem_class=item, action=ClassAction.OPEN, from_status="",
                                            to_status=item.status, actor=by, at=item.created_at, note=note,
                                            data={"code": item.code, "name": item.name})


def _class_transition(item: ProblemClass, *, action: str, by, expected_version: int | None, note: str = "",
                      data: dict | None = None, changes: dict | None = None, at: datetime | None = None,
                      photos: list[StoredPhoto] = (), then=None) -> ProblemClass:
    with transaction.atomic():
        current = ProblemClass.objects.select_for_update().get(pk=item.pk)
        if expected_version is not None and current.version != expected_version:
            raise LedgerConflict(_("Someone else changed problem class %(code)s since you opened it; reload and "
                                   "try again.") % {"code": current.code})
        reason = class_refusal(action, current, by)
        if reason is not None:
            allowed_from, _to = CLASS_TRANSITIONS[action]
            raise (LedgerConflict if current.status not in allowed_from else LedgerForbidden)(reason)
        from_status = current.status
        if callable(changes):  # computed from the locked row (e.g. a counter)
            changes = changes(current)
        changes = {"status": CLASS_TRANSITIONS[action][1], **(changes or {}), "version": current.version + 1}
        updated = ProblemClass.objects.filter(pk=current.pk, version=current.version).update(**changes)
        if updated != 1:
            raise LedgerConflict(_("Problem class %(code)s changed meanwhile; reload and try again.")
                                 % {"code": current.code})
        for field, value in changes.items():
            setattr(current, field, value)
        event = ProblemClassEvent.objects.create(
            problem_class=current, action=action, from_status=from_status, to_status=current.status, actor=by,
            at=at or timezone.now(), note=note, data=data or {},
        )
        if photos:
            ProblemClassPhoto.objects.bulk_create(
                ProblemClassPhoto(problem_class=current, event=event, image=photo.image_name,
                                  thumbnail=photo.thumbnail_name, width=photo.width, height=photo.height,
                                  sha256=photo.sha256, uploaded_by=by, uploaded_at=event.at)
                for photo in photos
            )
        if then is not None:
            then(current)
    item.__dict__.update({key: value for key, value in current.__dict__.items() if not key.startswith("_")})
    return current


def class_measure_set(*, problem_class: ProblemClass, cause: str, measure: str, unit, deadline: date, by,
                      expected_version: int | None = None, note: str = "",
                      at: datetime | None = None) -> ProblemClass:
    """Name the cause, the measure that removes it, the unit that carries it out and the
    deadline (again while the measure is under way, e.g. after a rejected closing)."""
    if not cause.strip():
        raise LedgerInvalid(_("Say what causes the problems of this class."))
    if not measure.strip():
        raise LedgerInvalid(_("Say what will be done to remove the cause."))
    if unit is None:
        raise LedgerInvalid(_("Name the unit responsible for the measure."))
    if deadline is None:
        raise LedgerInvalid(_("Give the measure a deadline."))
    reason = class_refusal(ClassAction.MEASURE_SET, problem_class, by)
    if reason is not None and problem_class.status in CLASS_TRANSITIONS[ClassAction.MEASURE_SET][0]:
        raise LedgerForbidden(reason)  # who may set it comes before which unit
    if not may_write(unit, by):
        raise OutOfScope({"unit": [out_of_scope_message(unit)]})
    if deadline < timezone.localdate(at or timezone.now()):
        raise LedgerInvalid(_("The deadline %(date)s has already passed.") % {"date": deadline})
    data = {"cause": cause.strip(), "measure": measure.strip(), "unit": unit.pk, "unit_name": unit.name,
            "deadline": deadline.isoformat()}
    if problem_class.responsible_unit_id and problem_class.responsible_unit_id != unit.pk:
        data["previous_unit"] = problem_class.responsible_unit.name
    return _class_transition(problem_class, action=ClassAction.MEASURE_SET, by=by, expected_version=expected_version,
                             note=note.strip(), data=data, at=at,
                             changes={"cause": cause.strip(), "measure": measure.strip(), "responsible_unit": unit,
                                      "deadline": deadline})


def class_apply_close(*, problem_class: ProblemClass, note: str, photos: list[StoredPhoto], by,
                      expected_version: int | None = None, at: datetime | None = None) -> ProblemClass:
    """The responsible unit applies to close the class: what was done and at least one photo."""
    if not note.strip():
        raise LedgerInvalid(_("Say what was done to remove the cause."))
    if not photos:
        raise LedgerInvalid(_("Add at least one photo of the measure carried out."))
    at = at or timezone.now()
    return _class_transition(problem_class, action=ClassAction.APPLY_CLOSE, by=by, expected_version=expected_version,
                             note=note.strip(), at=at, photos=photos, data={"photos": len(photos)},
                             changes={"closing_note": note.strip(), "closing_applied_at": at,
                                      "closing_applied_by": by})


def class_verify(*, problem_class: ProblemClass, by, note: str = "", expected_version: int | None = None,
                 at: datetime | None = None) -> ProblemClass:
    """Someone other than the unit checks the measure on the ground: the class is closed. Its
    problems stay as they are; the class page now counts the problems found after this date."""
    at = at or timezone.now()
    return _class_transition(problem_class, action=ClassAction.VERIFY, by=by, expected_version=expected_version,
                             note=note.strip(), at=at, changes={"verified_at": at, "verified_by": by})


def class_reject(*, problem_class: ProblemClass, reason: str, by, expected_version: int | None = None,
                 at: datetime | None = None) -> ProblemClass:
    """The measure is not done: back to the unit with the reason (the unit is told)."""
    if not reason.strip():
        raise LedgerInvalid(_("Give the reason for rejecting the closing."))
    return _class_transition(
        problem_class, action=ClassAction.REJECT, by=by, expected_version=expected_version, note=reason.strip(),
        at=at, changes=lambda current: {"last_rejection_reason": reason.strip(),
                                        "rejection_count": current.rejection_count + 1},
        then=notifications.class_closing_rejected,
    )

