"""Special actions: the only place their state changes (README "Special actions").

Every function is keyword-only, atomic, checks who may do it and refuses a stale or illegal
move with a domain error; every step of an object writes its ``TargetEvent`` (who, when, from,
to, why) in the same transaction. Photos are stored through campaign/photos.py by the caller
*before* the transaction (no file I/O inside it) and linked here. Nothing is deleted.

Who does what:
- HQ staff create actions, load and pick their objects, and may take every step.
- The object's unit (its unit handlers) starts it (with before-photos) and then marks it done
  (with after-photos): every done object has both, as a ledger finding does.
- Someone other than the unit verifies or sends back (with a reason): HQ staff or the lead
  team's lead, and never the person who marked it done; the team's lead never on objects of
  their own unit nor of the team's lead unit (HQ staff check those).
"""

from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.choices import ImportStatus, Role
from campaign.models import SamplePoint, Team, Unit
from campaign.photos import StoredPhoto
from ledger.choices import PhotoKind

from ..choices import TargetStatus, TargetStep
from ..models import ActionImport, ActionTarget, SpecialAction, TargetEvent, TargetPhoto
from .actions_plan import Plan, build_plan

MAX_TEXT = 2000


class ActionError(Exception):
    """A refused move; the message says why, for the user."""


class ActionConflict(ActionError):
    """Illegal in the object's state, or the object changed since the version the user saw."""


class ActionForbidden(ActionError):
    """This person may not take this step on this object."""


class ActionInvalid(ActionError):
    """Incomplete or wrong input."""


# step → (the states it starts from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    TargetStep.START: (frozenset({TargetStatus.NOT_STARTED}), TargetStatus.IN_PROGRESS),
    TargetStep.FINISH: (frozenset({TargetStatus.IN_PROGRESS}), TargetStatus.DONE),
    TargetStep.VERIFY: (frozenset({TargetStatus.DONE}), TargetStatus.VERIFIED),
    TargetStep.SEND_BACK: (frozenset({TargetStatus.DONE}), TargetStatus.IN_PROGRESS),
}
UNIT_STEPS = (TargetStep.START, TargetStep.FINISH)
CHECK_STEPS = (TargetStep.VERIFY, TargetStep.SEND_BACK)


def is_hq(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.HQ_STAFF))


def may_manage_actions(user) -> bool:
    """Who creates actions and loads their objects: HQ staff."""
    return is_hq(user)


def may_take(step: str, target: ActionTarget, user) -> bool:
    """Whether ``user``'s role lets them take ``step`` on ``target`` (its state aside)."""
    if is_hq(user):
        return True
    if step in UNIT_STEPS:
        return user.role == Role.UNIT_HANDLER and user.unit_id is not None and user.unit_id == target.unit_id
    if step in CHECK_STEPS:
        if user.role != Role.TEAM_LEAD or user.team_id is None or user.team_id != target.action.team_id:
            return False
        # Never the unit checking its own work: not a lead whose unit is the object's, nor the
        # team's lead on its lead unit's objects (HQ staff verify those).
        return target.unit_id != user.unit_id and target.unit_id != target.action.team.lead_unit_id
    return False


def steps_open(target: ActionTarget, user) -> list[str]:
    """The steps ``user`` may take on ``target`` now (for the page's buttons)."""
    return [step for step, (starts, _to) in TRANSITIONS.items()
            if target.status in starts and may_take(step, target, user)]


# --- Actions ------------------------------------------------------------------------------------


def _check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ActionInvalid(_("The action ends before it starts."))


@transaction.atomic
def action_create(*, by, name: str, team: Team, starts_on: date, ends_on: date, name_en: str = "",
                  units=(), description: str = "") -> SpecialAction:
    """Create an action (HQ staff); its name is unique, its period ordered."""
    if not may_manage_actions(by):
        raise ActionForbidden(_("Only HQ staff create special actions."))
    name = (name or "").strip()
    if not name:
        raise ActionInvalid(_("The action needs a name."))
    _check_period(starts_on, ends_on)
    if SpecialAction.objects.filter(name=name).exists():
        raise ActionInvalid(_("An action of this name exists already."))
    action = SpecialAction.objects.create(name=name, name_en=(name_en or "").strip(), team=team,
                                          starts_on=starts_on, ends_on=ends_on,
                                          description=(description or "").strip(), created_by=by)
    action.units.set(units)
    return action


# --- Objects: loading from Excel, picking sample points ----------------------------------------


def action_import_preview(*, by, action: SpecialAction, file_name: str, data: bytes) -> tuple[ActionImport, Plan]:
    """Check a target list and keep it as an import in status 'previewed'; writes no object.
    Every bad row is in ``errors`` by row and column. An accepted file is stored before the row
    is inserted (no file I/O inside a transaction)."""
    if not may_manage_actions(by):
        raise ActionForbidden(_("Only HQ staff load an action's objects."))
    plan = build_plan(data, action=action)
    record = ActionImport(action=action, created_by=by, file_name=(file_name or "upload")[:200],
                          total_rows=plan.total_rows, errors=plan.errors, warnings=plan.warnings)
    if plan.ok:
        record.file.name = default_storage.save(f"programme/imports/{action.pk}/{timezone.now():%Y%m%d%H%M%S}.bin",
                                                ContentFile(data))
    record.save()
    return record, plan


def action_import_confirm(*, by, record: ActionImport) -> ActionImport:
    """Write a previewed import without errors, all or nothing. The file is checked again
    (someone may have added objects since the preview): any error now and nothing is written,
    the import keeps the errors."""
    if not may_manage_actions(by):
        raise ActionForbidden(_("Only HQ staff load an action's objects."))
    if record.status != ImportStatus.PREVIEWED or record.errors:
        raise ActionConflict(_("This import was already written or has errors: upload the file again."))
    with record.file.open("rb") as stored:
        data = stored.read()
    plan = build_plan(data, action=record.action)
    with transaction.atomic():
        locked = ActionImport.objects.select_for_update().get(pk=record.pk)
        if locked.status != ImportStatus.PREVIEWED:
            raise ActionConflict(_("This import was already written or has errors: upload the file again."))
        if not plan.ok:
            locked.errors, locked.status = plan.errors, ImportStatus.FAILED
            locked.save(update_fields=["errors", "status"])
            return locked
        now = timezone.now()
        try:
            with transaction.atomic():
                _create_targets(action=locked.action, planned=plan.targets, by=by, at=now,
                                note=lambda p: _("Loaded from %(file)s, row %(row)s") % {
                                    "file": locked.file_name, "row": p.row})
        except IntegrityError:
            raise ActionConflict(_("Some of these objects were added meanwhile: upload the file again.")) from None
        locked.status, locked.created_count, locked.confirmed_at = ImportStatus.DONE, len(plan.targets), now
        locked.save(update_fields=["status", "created_count", "confirmed_at"])
    return locked


def _create_targets(*, action, planned, by, at, note) -> list[ActionTarget]:
    """The objects and their first event ("added"); ``note(planned)`` says where each came from."""
    targets = ActionTarget.objects.bulk_create([
        ActionTarget(action=action, name=p.name, district=p.district, address=p.address, sample_point=p.sample_point,
                     target_state=p.target_state, unit=p.unit, deadline=p.deadline, created_at=at, changed_at=at)
        for p in planned
    ])
    TargetEvent.objects.bulk_create([
        TargetEvent(target=target, seq=1, step=TargetStep.ADD, from_status="", to_status=TargetStatus.NOT_STARTED,
                    actor=by, at=at, note=note(p))
        for target, p in zip(targets, planned, strict=True)
    ])
    return targets


@transaction.atomic
def action_target_pick(*, by, action: SpecialAction, sample_point: SamplePoint, target_state: str,
                       deadline: date | None = None, unit: Unit | None = None) -> ActionTarget:
    """Add a sample point to the action's objects (HQ staff): its name, district and address;
    the unit given or the point's. Refused: a point already listed, a deadline outside the
    action's period, a unit that is not the action's."""
    from .actions_plan import PlannedTarget

    if not may_manage_actions(by):
        raise ActionForbidden(_("Only HQ staff load an action's objects."))
    target_state = (target_state or "").strip()
    if not target_state:
        raise ActionInvalid(_("Say what the object must look like when done (its target state)."))
    deadline = deadline or action.ends_on
    if not (action.starts_on <= deadline <= action.ends_on):
        raise ActionInvalid(_("Outside the action's period (%(start)s – %(end)s).") % {
            "start": action.starts_on.isoformat(), "end": action.ends_on.isoformat()})
    unit = unit or sample_point.responsible_unit
    if unit is None:
        raise ActionInvalid(_("The sample point has no responsible unit: choose one."))
    allowed = set(action.units.values_list("pk", flat=True))
    if allowed and action.team.lead_unit_id:
        allowed.add(action.team.lead_unit_id)
    if allowed and unit.pk not in allowed:
        raise ActionInvalid(_("This unit is not one of the action's units."))
    if action.targets.filter(district=sample_point.district, name=sample_point.name).exists():
        raise ActionInvalid(_("This object is already in the action."))
    planned = PlannedTarget(row=0, name=sample_point.name, district=sample_point.district, target_state=target_state,
                            unit=unit, deadline=deadline, address=sample_point.address, sample_point=sample_point)
    (target,) = _create_targets(action=action, planned=[planned], by=by, at=timezone.now(),
                                note=lambda _p: _("Picked from the sample points"))
    return target


# --- Steps ----------------------------------------------------------------------------------------


def target_step(*, target: ActionTarget, step: str, by, note: str = "", photos: list[StoredPhoto] = (),
                expected_version: int | None = None, at=None) -> ActionTarget:
    """Take one step on an object by the transition table. Starting needs at least one
    before-photo and marking done (from in progress only) at least one after-photo; sending back needs a reason; verifying and sending back are never by the
    object's unit nor by the person who marked it done. A stale version or a state the step does
    not start from is refused (ActionConflict), nothing changed."""
    if step not in TRANSITIONS:
        raise ActionInvalid(_("No such step."))
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ActionInvalid(_("Longer than %(limit)s characters.") % {"limit": MAX_TEXT})
    photos = list(photos)
    if step == TargetStep.START and not photos:
        raise ActionInvalid(_("Add at least one photo of the object before the work."))
    if step == TargetStep.FINISH and not photos:
        raise ActionInvalid(_("Add at least one photo of the object after the work."))
    if step == TargetStep.SEND_BACK and not note:
        raise ActionInvalid(_("Say why the object is sent back."))
    if step in CHECK_STEPS and photos:
        raise ActionInvalid(_("Photos go with starting or finishing the work."))
    at = at or timezone.now()
    with transaction.atomic():
        current = ActionTarget.objects.select_for_update().select_related("action__team").get(pk=target.pk)
        if expected_version is not None and current.version != expected_version:
            raise ActionConflict(_("Someone else changed %(name)s since you opened it; reload and try again.")
                                 % {"name": current.name})
        starts, to = TRANSITIONS[step]
        if current.status not in starts:
            raise ActionConflict(_("%(name)s is %(status)s: this step is not possible now.") % {
                "name": current.name, "status": current.get_status_display()})
        if not may_take(step, current, by):
            raise ActionForbidden(_("You may not take this step on this object."))
        if step in CHECK_STEPS:
            finisher = (current.events.filter(step=TargetStep.FINISH).order_by("-seq")
                        .values_list("actor_id", flat=True).first())
            if finisher == by.pk:
                raise ActionForbidden(_("Someone other than who marked it done verifies it."))
        seq = (current.events.aggregate(last=Max("seq"))["last"] or 0) + 1
        event = TargetEvent.objects.create(target=current, seq=seq, step=step, from_status=current.status,
                                           to_status=to, actor=by, at=at, note=note)
        kind = PhotoKind.AFTER if step == TargetStep.FINISH else PhotoKind.BEFORE
        TargetPhoto.objects.bulk_create(
            TargetPhoto(target=current, event=event, kind=kind, image=photo.image_name,
                        thumbnail=photo.thumbnail_name, width=photo.width, height=photo.height,
                        sha256=photo.sha256, uploaded_by=by, uploaded_at=at)
            for photo in photos
        )
        current.status, current.version, current.changed_at = to, current.version + 1, max(at, current.changed_at)
        if to == TargetStatus.DONE:
            current.done_at = at
        elif to == TargetStatus.VERIFIED:
            current.verified_at = at
        elif step == TargetStep.SEND_BACK:
            current.done_at = None
        current.save(update_fields=["status", "version", "changed_at", "done_at", "verified_at"])
    return current
