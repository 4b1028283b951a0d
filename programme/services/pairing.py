"""Every change to pairs, their tasks and visits. Pages, the API and the demo call these only.

Rules:
- ``pair_create`` / ``pair_end``: HQ staff only. A unit has at most one active pair with a
  community; an ended pair stays, inactive, with its tasks and visits.
- Tasks move by ``TASK_TRANSITIONS``: planned → done (the unit's handler or HQ, with an
  evidence note, optionally photos), planned → cancelled (HQ, with a reason), done → planned
  (HQ reopens, with a reason: the evidence did not hold). Anything else is refused.
- ``pair_visit_record``: the unit's handler or HQ, on an active pair, never dated in the future.
- The status a caller last saw (``expected_status``) guards against a stale page.
Each change writes one ``PairingEvent`` (who, when, from, to, why) in the same transaction.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.choices import Role
from campaign.photos import StoredPhoto

from ..choices import PairingAction, PairTaskKind, PairTaskStatus
from ..models import Pair, PairingEvent, PairPhoto, PairTask, PairVisit
from ..models.pairing import manages_pairs

MAX_PHOTOS = 9


class PairingError(Exception):
    pass


class PairingForbidden(PairingError):
    pass


class PairingInvalid(PairingError):
    """Refused input; ``errors`` maps each field to why."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


class PairingStale(PairingError):
    pass


TASK_TRANSITIONS = {
    (PairTaskStatus.PLANNED, PairTaskStatus.DONE): PairingAction.TASK_DONE,
    (PairTaskStatus.PLANNED, PairTaskStatus.CANCELLED): PairingAction.TASK_CANCELLED,
    (PairTaskStatus.DONE, PairTaskStatus.PLANNED): PairingAction.TASK_REOPENED,
}


def works_for_pair(user, pair: Pair) -> bool:
    """May record tasks done and visits: HQ staff, or a handler of the pair's own unit."""
    if manages_pairs(user):
        return True
    return bool(user.is_authenticated and user.is_active and user.role == Role.UNIT_HANDLER
                and user.unit_id == pair.unit_id)


def _require_manager(actor) -> None:
    if not manages_pairs(actor):
        raise PairingForbidden(_("Only HQ staff set pairs and their tasks up."))


def _event(*, actor, pair, action, task=None, visit=None, from_status="", to_status="", reason="", at=None):
    return PairingEvent.objects.create(pair=pair, task=task, visit=visit, action=action, from_status=from_status,
                                       to_status=to_status, reason=reason, actor=actor, at=at or timezone.now())


def _photos(photos, *, actor, task=None, visit=None) -> None:
    PairPhoto.objects.bulk_create(
        PairPhoto(task=task, visit=visit, image=photo.image_name, thumbnail=photo.thumbnail_name,
                  width=photo.width, height=photo.height, sha256=photo.sha256, uploaded_by=actor)
        for photo in photos)


def _check_photos(photos) -> None:
    if len(photos) > MAX_PHOTOS:
        raise PairingInvalid({"photos": _("At most %(max)s photos.") % {"max": MAX_PHOTOS}})


def pair_create(*, actor, unit, community, starts_on: date, ends_on: date | None = None, note: str = "") -> Pair:
    """HQ pairs a unit with a community from ``starts_on`` (to ``ends_on`` if given)."""
    _require_manager(actor)
    if ends_on is not None and ends_on < starts_on:
        raise PairingInvalid({"ends_on": _("The end is before the start.")})
    try:
        with transaction.atomic():
            pair = Pair.objects.create(unit=unit, community=community, starts_on=starts_on, ends_on=ends_on,
                                       note=note, created_by=actor)
            _event(actor=actor, pair=pair, action=PairingAction.PAIR_CREATED, to_status="active", reason=note)
    except IntegrityError:
        raise PairingInvalid({"community": _("This unit is already paired with this community.")}) from None
    return pair


def pair_end(*, actor, pair: Pair, ends_on: date, reason: str) -> Pair:
    """HQ ends an active pair (a reason is required); its record stays."""
    _require_manager(actor)
    if not reason.strip():
        raise PairingInvalid({"reason": _("Say why the pair ends.")})
    if ends_on < pair.starts_on:
        raise PairingInvalid({"ends_on": _("The end is before the start.")})
    with transaction.atomic():
        locked = Pair.objects.select_for_update().get(pk=pair.pk)
        if not locked.active:
            raise PairingStale(_("This pair has already ended."))
        locked.active, locked.ends_on = False, ends_on
        locked.save(update_fields=["active", "ends_on"])
        _event(actor=actor, pair=locked, action=PairingAction.PAIR_ENDED, from_status="active",
               to_status="ended", reason=reason)
    return locked


def pair_task_add(*, actor, pair: Pair, title: str, due_on: date, kind: str = PairTaskKind.ACTIVITY,
                  description: str = "") -> PairTask:
    """HQ gives an active pair a task due on ``due_on`` (within the pair's period)."""
    _require_manager(actor)
    errors = {}
    if not title.strip():
        errors["title"] = _("A task needs a title.")
    if due_on < pair.starts_on or (pair.ends_on and due_on > pair.ends_on):
        errors["due_on"] = _("The due date is outside the pair's period.")
    if kind not in PairTaskKind.values:
        errors["kind"] = _("Unknown kind of task.")
    if errors:
        raise PairingInvalid(errors)
    with transaction.atomic():
        locked = Pair.objects.select_for_update().get(pk=pair.pk)
        if not locked.active:
            raise PairingStale(_("This pair has ended."))
        task = PairTask.objects.create(pair=locked, title=title.strip(), due_on=due_on, kind=kind,
                                       description=description)
        _event(actor=actor, pair=locked, task=task, action=PairingAction.TASK_ADDED,
               to_status=PairTaskStatus.PLANNED)
    return task


def _move(*, actor, task: PairTask, to: str, reason: str, expected_status: str | None, **changes) -> PairTask:
    with transaction.atomic():
        locked = PairTask.objects.select_for_update().select_related("pair").get(pk=task.pk)
        if expected_status is not None and locked.status != expected_status:
            raise PairingStale(_("The task changed meanwhile (it is now %(status)s); reload the page.")
                               % {"status": locked.get_status_display()})
        action = TASK_TRANSITIONS.get((locked.status, to))
        if action is None:
            raise PairingStale(_("A task that is %(status)s cannot become %(to)s.") % {
                "status": locked.get_status_display(), "to": PairTaskStatus(to).label})
        from_status = locked.status
        locked.status = to
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=["status", *changes])
        _event(actor=actor, pair=locked.pair, task=locked, action=action, from_status=from_status,
               to_status=to, reason=reason)
    return locked


def pair_task_complete(*, actor, task: PairTask, done_on: date, note: str,
                       photos: list[StoredPhoto] = (), expected_status: str | None = None) -> PairTask:
    """The unit's handler (or HQ) records a planned task done, with an evidence note and photos."""
    if not works_for_pair(actor, task.pair):
        raise PairingForbidden(_("Only the pair's unit or HQ staff record its tasks."))
    errors = {}
    if not note.strip():
        errors["note"] = _("Say what was done (the evidence).")
    if done_on > timezone.localdate():
        errors["done_on"] = _("The date is in the future.")
    if errors:
        raise PairingInvalid(errors)
    _check_photos(photos)
    with transaction.atomic():
        moved = _move(actor=actor, task=task, to=PairTaskStatus.DONE, reason=note.strip(),
                      expected_status=expected_status, done_on=done_on, evidence_note=note.strip(), done_by=actor)
        _photos(photos, actor=actor, task=moved)
    return moved


def pair_task_cancel(*, actor, task: PairTask, reason: str, expected_status: str | None = None) -> PairTask:
    """HQ cancels a planned task (with a reason); it no longer counts in the progress."""
    _require_manager(actor)
    if not reason.strip():
        raise PairingInvalid({"reason": _("Say why.")})
    return _move(actor=actor, task=task, to=PairTaskStatus.CANCELLED, reason=reason.strip(),
                 expected_status=expected_status)


def pair_task_reopen(*, actor, task: PairTask, reason: str, expected_status: str | None = None) -> PairTask:
    """HQ sends a done task back to planned (the evidence did not hold); the evidence stays in
    the events, the task's done date is cleared."""
    _require_manager(actor)
    if not reason.strip():
        raise PairingInvalid({"reason": _("Say why.")})
    return _move(actor=actor, task=task, to=PairTaskStatus.PLANNED, reason=reason.strip(),
                 expected_status=expected_status, done_on=None, done_by=None)


def pair_visit_record(*, actor, pair: Pair, visited_on: date, visitors: str, work_done: str,
                      photos: list[StoredPhoto] = ()) -> PairVisit:
    """The unit's handler (or HQ) records a visit to an active pair's community."""
    if not works_for_pair(actor, pair):
        raise PairingForbidden(_("Only the pair's unit or HQ staff record its visits."))
    errors = {}
    if not visitors.strip():
        errors["visitors"] = _("Say who visited.")
    if not work_done.strip():
        errors["work_done"] = _("Say what was done.")
    if visited_on > timezone.localdate():
        errors["visited_on"] = _("The date is in the future.")
    elif visited_on < pair.starts_on:
        errors["visited_on"] = _("The date is before the pair started.")
    if errors:
        raise PairingInvalid(errors)
    _check_photos(photos)
    with transaction.atomic():
        locked = Pair.objects.select_for_update().get(pk=pair.pk)
        if not locked.active:
            raise PairingStale(_("This pair has ended."))
        visit = PairVisit.objects.create(pair=locked, visited_on=visited_on, visitors=visitors.strip(),
                                         work_done=work_done.strip(), recorded_by=actor)
        _photos(photos, actor=actor, visit=visit)
        _event(actor=actor, pair=locked, visit=visit, action=PairingAction.VISIT_RECORDED,
               reason=work_done.strip())
    return visit
