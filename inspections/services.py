"""Every change to checklists, inspections and rounds. Pages, the API, importers and tasks
call these. Failed items reach the ledger only through ledger.services."""

import random
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.choices import Role
from campaign.models import SamplePoint, User
from campaign.write_scope import OutOfScope, check_write_scope
from ledger import services as ledger
from ledger.choices import Source
from ledger.photos import StoredPhoto

from .choices import InspectionKind, InspectionStatus, Outcome, RoundStatus
from .models import (
    Checklist,
    ChecklistItem,
    ChecklistVersion,
    Inspection,
    ItemResult,
    ResultPhoto,
    Round,
    RoundPoint,
    RoundQuota,
    score_of,
)

INSPECTING_ROLES = frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD, Role.INSPECTOR})
PLANNING_ROLES = frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD})

# Where a finding of each kind of inspection comes from, in the ledger's words.
LEDGER_SOURCE = {
    InspectionKind.SELF_CHECK: Source.SELF_FOUND,
    InspectionKind.ROUTINE: Source.ROUTINE_SUPERVISION,
    InspectionKind.UNANNOUNCED: Source.UNANNOUNCED_VISIT,
    InspectionKind.MOCK: Source.MOCK_ASSESSMENT,
    InspectionKind.PROVINCIAL: Source.ASSESSMENT,
    InspectionKind.NATIONAL: Source.ASSESSMENT,
    InspectionKind.WOODPECKER: Source.WOODPECKER,
}


class InspectionError(Exception):
    """A refused inspection action; str(error) is the message for the user."""


class InspectionConflict(InspectionError):
    """The inspection or round is not in a state that allows this (e.g. already submitted)."""


class InspectionForbidden(InspectionError):
    """The user may see it but not do this."""


class RoundPointReassigned(InspectionForbidden):
    """The round point is (now) assigned to another inspector: a phone that queued its start
    while it was theirs is told so (the API's 409 ``round_point_reassigned``)."""


class ChecklistReplaced(InspectionConflict):
    """The start named a checklist version that is no longer the category's current one (a
    phone's offline copy is out of date): ``version`` is the current one (the API's 409
    ``checklist_replaced``, with the new checklist)."""

    def __init__(self, message, *, version):
        super().__init__(message)
        self.version = version


def _role(user) -> str:
    return Role.HQ_STAFF if user.is_superuser else user.role


def _require(user, roles, message) -> None:
    if not user.is_active or _role(user) not in roles:
        raise InspectionForbidden(message)


# --- Checklists ------------------------------------------------------------------------------------


def checklist_revise(*, category, items: list[dict], by, note: str = "", name: str | None = None) -> ChecklistVersion:
    """Set a category's checklist items. A version no inspection has used is edited in place;
    a used one is kept as it is and a new version is made, so old inspections keep theirs.
    Each item: code, text_zh, text_en, points, severity, veto."""
    _require(by, {Role.HQ_STAFF}, _("Only HQ staff change checklists."))
    codes = [item["code"] for item in items]
    if len(set(codes)) != len(codes):
        raise InspectionError(_("Item codes must be unique within a checklist."))
    with transaction.atomic():
        checklist, _created = Checklist.objects.get_or_create(
            category=category, defaults={"name": name or category.name_zh}
        )
        if name and checklist.name != name:
            Checklist.objects.filter(pk=checklist.pk).update(name=name)
        current = checklist.versions.select_for_update().order_by("-number").first()
        if current is not None and not current.is_used:
            current.items.all().delete()
            version = current
            if note:
                ChecklistVersion.objects.filter(pk=version.pk).update(note=note)
        else:
            version = ChecklistVersion.objects.create(
                checklist=checklist, number=(current.number + 1) if current else 1, created_by=by, note=note
            )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                version=version, code=item["code"], text_zh=item["text_zh"], text_en=item.get("text_en", ""),
                points=Decimal(str(item["points"])), severity=item.get("severity", "general"),
                veto=bool(item.get("veto", False)), order=index,
            )
            for index, item in enumerate(items, start=1)
        )
    return version


# --- Inspections -----------------------------------------------------------------------------------


def inspection_start(*, sample_point: SamplePoint, kind: str, by, inspectors=(), round_point: RoundPoint | None = None,
                     latitude=None, longitude=None, location_accuracy_m=None,
                     started_at: datetime | None = None, expected_checklist_version: int | None = None) -> Inspection:
    """Open a draft inspection of a sample point on its category's current checklist. A drawn
    round point is inspected once: starting it again resumes the existing draft. The point
    must be in the inspector's write scope (campaign/write_scope.py): their area, or a point
    given to them by a round (campaign/grants.py), so a round point of another district is
    theirs only once it is assigned to them. ``expected_checklist_version`` (the version id a
    phone filled its answers against) must be the current one for a new inspection, else
    ``ChecklistReplaced``; resuming a draft keeps the draft's version."""
    _require(by, INSPECTING_ROLES, _("Your role does not inspect."))
    # Checked before resuming, so another inspector's draft is never handed out.
    if (round_point is not None and round_point.inspector_id and round_point.inspector_id != by.pk
            and _role(by) != Role.HQ_STAFF):
        raise RoundPointReassigned(_("This point of the round is assigned to another inspector."))
    check_write_scope(by, sample_point=sample_point)
    if round_point is not None:
        existing = Inspection.objects.filter(round_point=round_point).first()
        if existing is not None:
            return existing
    checklist = Checklist.objects.filter(category=sample_point.category_id).first()
    version = checklist.current_version if checklist else None
    if version is None:
        raise InspectionError(_("The category %(category)s has no checklist yet.") % {"category": sample_point.category})
    if expected_checklist_version is not None and expected_checklist_version != version.pk:
        raise ChecklistReplaced(
            _("The checklist of %(category)s was replaced by a new version (%(number)s) since your copy was made: "
              "answer the new items.") % {"category": sample_point.category, "number": version.number},
            version=version,
        )
    with transaction.atomic():
        inspection = Inspection.objects.create(
            kind=kind, sample_point=sample_point, checklist_version=version, round_point=round_point,
            created_by=by, started_at=started_at or timezone.now(), latitude=latitude, longitude=longitude,
            location_accuracy_m=location_accuracy_m,
        )
        inspection.inspectors.set({by, *inspectors})
    return inspection


def _editable(inspection_id: int, by) -> Inspection:
    inspection = Inspection.objects.select_for_update().get(pk=inspection_id)
    if inspection.status != InspectionStatus.DRAFT:
        raise InspectionConflict(_("This inspection was submitted and is locked."))
    if _role(by) != Role.HQ_STAFF and not inspection.inspectors.filter(pk=by.pk).exists():
        raise InspectionForbidden(_("Only the inspection's inspectors may change it."))
    return inspection


def inspection_record_result(*, inspection: Inspection, item: ChecklistItem, outcome: str | None, by,
                             note: str | None = "", photos: list[StoredPhoto] = ()) -> ItemResult:
    """Save one answer as it is given (the field form saves each tap), adding any photos.
    outcome None (and note None) keep the item's saved answer, e.g. to add photos to it; an
    item without an answer needs an outcome."""
    if outcome is not None and outcome not in Outcome.values:
        raise InspectionError(_("Unknown result %(value)s.") % {"value": outcome})
    with transaction.atomic():
        inspection = _editable(inspection.pk, by)
        if item.version_id != inspection.checklist_version_id:
            raise InspectionError(_("That item is not on this inspection's checklist."))
        saved = ItemResult.objects.filter(inspection=inspection, item=item).first()
        if outcome is None and saved is None:
            raise InspectionError(_("Answer the item before adding photos to it."))
        result, _created = ItemResult.objects.update_or_create(
            inspection=inspection, item=item,
            defaults={"outcome": saved.outcome if outcome is None else outcome,
                      "note": (saved.note if saved else "") if note is None else note.strip(),
                      "answered_at": timezone.now()},
        )
        ResultPhoto.objects.bulk_create(
            ResultPhoto(result=result, image=p.image_name, thumbnail=p.thumbnail_name, width=p.width,
                        height=p.height, sha256=p.sha256, uploaded_by=by)
            for p in photos
        )
    return result


def inspection_remove_photo(*, photo: ResultPhoto, by) -> None:
    """Remove a photo of an item before submission (a wrong shot). A submitted inspection keeps
    its photos: they are the before-photos of the problems it raised. The files are deleted
    once the removal is committed."""
    with transaction.atomic():
        inspection = _editable(photo.result.inspection_id, by)
        deleted, _rows = ResultPhoto.objects.filter(pk=photo.pk, result__inspection=inspection).delete()
        if deleted:
            names = [photo.image.name, photo.thumbnail.name]
            transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def inspection_submit(*, inspection: Inspection, by, ended_at: datetime | None = None, note: str = "",
                      latitude=None, longitude=None, at: datetime | None = None) -> tuple[Inspection, list]:
    """Submit (then locked): every item must be answered. Scores it (100 minus points lost; a
    failed veto item gives 0) and sends each failed item to the ledger as a finding of this
    point and item: no duplicate of an open problem, a rebound of a recently closed one.
    ``at`` dates the submission (default now; the demo replays past weeks with it).
    Returns the inspection and the (problem, outcome) pairs, all in one transaction."""
    with transaction.atomic():
        inspection = _editable(inspection.pk, by)
        items = list(inspection.checklist_version.items.all())
        results = {r.item_id: r for r in inspection.results.select_related("item").prefetch_related("photos")}
        missing = [item.code for item in items if item.pk not in results]
        if missing:
            raise InspectionError(_("Answer every item before submitting; still open: %(codes)s.")
                                  % {"codes": ", ".join(missing)})
        score = score_of(results.values())
        changes = {"status": InspectionStatus.SUBMITTED, "score": score, "submitted_at": at or timezone.now(),
                   "ended_at": ended_at or at or timezone.now()}
        if note:
            changes["note"] = note
        if latitude is not None and inspection.latitude is None:
            changes.update(latitude=latitude, longitude=longitude)
        Inspection.objects.filter(pk=inspection.pk, status=InspectionStatus.DRAFT).update(**changes)
        for field, value in changes.items():
            setattr(inspection, field, value)
        point = inspection.sample_point
        category_code = point.category.code
        findings = []
        for item in items:
            result = results[item.pk]
            if result.outcome != Outcome.FAIL:
                continue
            description = item.text_zh + (f"：{result.note}" if result.note else "")
            photos = [StoredPhoto(image_name=p.image.name, thumbnail_name=p.thumbnail.name, sha256=p.sha256,
                                  width=p.width, height=p.height) for p in result.photos.all()]
            findings.append(ledger.problem_record_finding(
                by=by, sample_point=point, category=point.category, finding_key=f"{category_code}:{item.code}",
                description=description, source=LEDGER_SOURCE[inspection.kind], severity=item.severity,
                source_ref=f"inspection:{inspection.pk}", photos=photos, found_at=inspection.ended_at,
            ))
    return inspection, findings


# --- Rounds ----------------------------------------------------------------------------------------


def round_create(*, name: str, kind: str, starts_on, ends_on, quotas: dict, by, district=None,
                 exclude_inspected_days: int | None = None, cross_inspection: bool = False) -> Round:
    """Plan a round with a quota of points per category (category -> count). A cross-inspection
    round (互查) is the city's, planned by HQ: its points go to inspectors of other districts."""
    _require(by, PLANNING_ROLES, _("Only HQ staff and district leads plan rounds."))
    if _role(by) == Role.DISTRICT_LEAD and district is None:
        raise OutOfScope({"district": [_("A district lead plans rounds for their own district.")]})
    if cross_inspection and (district is not None or _role(by) != Role.HQ_STAFF):
        raise InspectionError(_("A cross-inspection round covers the whole city and is planned by HQ staff."))
    check_write_scope(by, district=district)
    if ends_on < starts_on:
        raise InspectionError(_("The round ends before it starts."))
    if not quotas or any(count < 1 for count in quotas.values()):
        raise InspectionError(_("Give at least one category with a quota of one or more."))
    with transaction.atomic():
        inspection_round = Round.objects.create(
            name=name, kind=kind, starts_on=starts_on, ends_on=ends_on, district=district,
            exclude_inspected_days=exclude_inspected_days, created_by=by, cross_inspection=cross_inspection,
        )
        RoundQuota.objects.bulk_create(
            RoundQuota(round=inspection_round, category=category, quota=count) for category, count in quotas.items()
        )
    return inspection_round


def _require_round_planner(inspection_round: Round, by, message) -> None:
    """HQ staff plan every round; a district lead only their own district's (not the city's)."""
    _require(by, PLANNING_ROLES, message)
    if _role(by) == Role.DISTRICT_LEAD and inspection_round.district_id != by.district_id:
        raise InspectionForbidden(_("A district lead draws and assigns only their own district's rounds."))


def round_draw(*, inspection_round: Round, by, seed: int | None = None) -> dict:
    """Draw the round's points at random per category, the way the assessors draw: active
    points of the category (in the round's district), leaving out those inspected in the last
    N days if asked. The seed is kept, so the same seed on the same points draws the same.
    Returns the shortfall per category where fewer points were eligible than the quota."""
    _require_round_planner(inspection_round, by, _("Only HQ staff and district leads draw rounds."))
    seed = seed if seed is not None else secrets.randbits(31)
    shortfalls = {}
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=inspection_round.pk)
        if locked.status != RoundStatus.PLANNED:
            raise InspectionConflict(_("This round was drawn already."))
        recently = set()
        if locked.exclude_inspected_days:
            since = timezone.now() - timedelta(days=locked.exclude_inspected_days)
            recently = set(Inspection.objects.filter(status=InspectionStatus.SUBMITTED, submitted_at__gte=since)
                           .values_list("sample_point_id", flat=True))
        rng = random.Random(seed)
        rows = []
        for quota in locked.quotas.select_related("category").order_by("category__code"):
            eligible = SamplePoint.objects.filter(category=quota.category, active=True)
            if locked.district_id:
                eligible = eligible.filter(district_id=locked.district_id)
            candidates = sorted(pk for pk in eligible.values_list("pk", flat=True) if pk not in recently)
            chosen = rng.sample(candidates, min(quota.quota, len(candidates)))
            if len(chosen) < quota.quota:
                shortfalls[quota.category] = quota.quota - len(chosen)
            rows += [RoundPoint(round=locked, sample_point_id=pk, category=quota.category, draw_order=n)
                     for n, pk in enumerate(chosen, start=1)]
        RoundPoint.objects.bulk_create(rows)
        Round.objects.filter(pk=locked.pk).update(seed=seed, status=RoundStatus.DRAWN, drawn_at=timezone.now())
    inspection_round.refresh_from_db()
    return shortfalls


def round_assignable(inspection_round: Round, by):
    """Who a planner may give the round's points to. HQ staff: any active inspector, of any
    district or of the city (a district round's points may go to an inspector from elsewhere:
    the assignment gives them the point, see selectors.round_point_grant), HQ staff, and the
    round's district's leads. A district lead (of the round's district): the inspectors of
    their district and the city's, and their district's leads."""
    people = User.objects.filter(is_active=True)
    leads = Q(role=Role.DISTRICT_LEAD, district=inspection_round.district_id or -1)
    if _role(by) == Role.HQ_STAFF:
        return people.filter(Q(role=Role.INSPECTOR) | Q(role=Role.HQ_STAFF) | Q(is_superuser=True) | leads)
    district = by.district_id or -1
    return people.filter(Q(role=Role.INSPECTOR, district__isnull=True) | Q(role=Role.INSPECTOR, district=district)
                         | leads)


def _check_assignable(inspection_round: Round, people: list, by, field: str) -> None:
    """Refuse, naming the field and saying why, anyone the planner may not give points to."""
    allowed = set(round_assignable(inspection_round, by).filter(pk__in=[p.pk for p in people])
                  .values_list("pk", flat=True))
    reasons = []
    for person in people:
        if person.pk in allowed:
            continue
        if not person.is_active or _role(person) not in INSPECTING_ROLES:
            reasons.append(_("%(person)s is not an active inspector.") % {"person": person})
        elif _role(person) == Role.DISTRICT_LEAD:
            reasons.append(_("%(person)s leads another district.") % {"person": person})
        else:
            reasons.append(_("%(person)s is not an inspector of your district or of the city: a district lead "
                             "gives points only to them.") % {"person": person})
    if reasons:
        raise OutOfScope({field: reasons})


class CrossInspectionUnstaffed(InspectionError):
    """A cross-inspection round's points of some district have nobody from another district;
    ``districts`` are the districts whose points nobody can take."""

    def __init__(self, message: str, districts: list):
        super().__init__(message)
        self.districts = districts


def cross_inspection_refusals(pairs) -> list[str]:
    """Why each (round point, person) pair breaks cross-inspection (互查): the person must belong
    to a district, and another one than the point's. Empty when every pair is allowed."""
    reasons = []
    for point, person in pairs:
        if person.district_id is None:
            reasons.append(_("%(person)s belongs to no district: a cross-inspection point goes to an inspector of "
                             "another district.") % {"person": person})
        elif person.district_id == point.sample_point.district_id:
            reasons.append(_("%(person)s would inspect %(point)s in their own district %(district)s.")
                           % {"person": person, "point": point.sample_point.name,
                              "district": point.sample_point.district})
    return reasons


def round_assign(*, inspection_round: Round, inspectors: list, by) -> None:
    """Share the drawn points among inspectors, category by category in turn, so each gets a
    mix; points already inspected keep their inspector. Each must be assignable
    (round_assignable; else ``OutOfScope`` naming ``inspectors``). In a cross-inspection round
    a point goes only to the chosen inspectors of other districts than its own; a district
    whose points none of them may take is named (``CrossInspectionUnstaffed``), nothing assigned."""
    _require_round_planner(inspection_round, by, _("Only HQ staff and district leads assign rounds."))
    if not inspectors:
        raise InspectionError(_("Choose at least one inspector."))
    _check_assignable(inspection_round, inspectors, by, "inspectors")
    with transaction.atomic():
        points = list(inspection_round.points.select_for_update(of=("self",)).filter(inspection__isnull=True)
                      .select_related("sample_point__district").order_by("category__code", "draw_order"))
        if not inspection_round.cross_inspection:
            for index, point in enumerate(points):
                point.inspector = inspectors[index % len(inspectors)]
        else:
            turn: dict[int, int] = {}
            lacking = {}
            for point in points:
                district_id = point.sample_point.district_id
                others = [p for p in inspectors if p.district_id is not None and p.district_id != district_id]
                if not others:
                    lacking[district_id] = point.sample_point.district
                    continue
                point.inspector = others[turn.get(district_id, 0) % len(others)]
                turn[district_id] = turn.get(district_id, 0) + 1
            if lacking:
                names = "、".join(str(d) for d in lacking.values())
                raise CrossInspectionUnstaffed(
                    _("Nobody chosen may inspect the points of %(districts)s: a cross-inspection point needs an "
                      "inspector of another district.") % {"districts": names}, list(lacking.values()))
        RoundPoint.objects.bulk_update(points, ["inspector"])


def round_assign_points(*, inspection_round: Round, assignment: dict, by) -> None:
    """Give each listed round point (round point id -> person) to that person, all or nothing:
    each must be assignable (``OutOfScope`` naming ``inspector``), and in a cross-inspection
    round of another district than the point's. Points inspected already are refused."""
    _require_round_planner(inspection_round, by, _("Only HQ staff and district leads assign rounds."))
    people = list({person.pk: person for person in assignment.values()}.values())
    _check_assignable(inspection_round, people, by, "inspector")
    with transaction.atomic():
        points = {point.pk: point for point in inspection_round.points.select_for_update(of=("self",))
                  .filter(pk__in=list(assignment)).select_related("sample_point__district")}
        if len(points) != len(assignment):
            raise InspectionError(_("A point to assign is not in this round."))
        if Inspection.objects.filter(round_point__in=list(points)).exists():
            raise InspectionConflict(_("A point to assign was inspected already."))
        if inspection_round.cross_inspection:
            reasons = cross_inspection_refusals((points[pk], person) for pk, person in assignment.items())
            if reasons:
                raise OutOfScope({"inspector": reasons})
        for pk, person in assignment.items():
            points[pk].inspector = person
        RoundPoint.objects.bulk_update(list(points.values()), ["inspector"])


def round_point_reassign(*, round_point: RoundPoint, inspector, by) -> RoundPoint:
    """Give one point not yet inspected to another assignable person (``OutOfScope`` naming
    ``inspector`` otherwise)."""
    _require_round_planner(round_point.round, by, _("Only HQ staff and district leads assign rounds."))
    _check_assignable(round_point.round, [inspector], by, "inspector")
    if round_point.round.cross_inspection:
        reasons = cross_inspection_refusals([(round_point, inspector)])
        if reasons:
            raise OutOfScope({"inspector": reasons})
    with transaction.atomic():
        if Inspection.objects.filter(round_point=round_point).exists():
            raise InspectionConflict(_("This point was inspected already."))
        RoundPoint.objects.filter(pk=round_point.pk).update(inspector=inspector)
    round_point.inspector = inspector
    return round_point
