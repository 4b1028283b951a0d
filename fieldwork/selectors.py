"""Reads of the field app: the offline copy a phone keeps (GET /api/field/offline/), and HQ's
list of phones. Everything loads through the scoping querysets (``visible_to``).

The offline copy costs a fixed number of queries whatever the number of points or tasks:
round points (with round, point, district, category, inspection), their results, the
checklists' versions and their items; the unit's problems and their photos."""

from datetime import timedelta

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from campaign.choices import Role
from inspections.choices import InspectionStatus, RoundStatus
from inspections.models import ChecklistItem, ChecklistVersion, ItemResult, Round, RoundPoint
from ledger.choices import Action, Status
from ledger.models import EvidencePhoto, Problem
from ledger.rules import refusal

from .models import FieldDevice

OFFLINE_DAYS_DEFAULT = 3
OFFLINE_DAYS_MAX = 14
# The unit handler's open tasks: newly assigned, in rectification (including rejected closings).
OPEN_TASK_STATUSES = (Status.ASSIGNED, Status.RECTIFYING)


def _role(user) -> str:
    return Role.HQ_STAFF if user.is_superuser else user.role


def inspector_round_points(*, user, days: int = OFFLINE_DAYS_DEFAULT):
    """The round points given to ``user`` in drawn rounds running now or starting within ``days``
    days, not yet submitted, soonest first; each with its draft inspection (if started) and
    its results."""
    today = timezone.localdate()
    return (
        RoundPoint.objects.filter(
            round__in=Round.objects.visible_to(user), inspector=user, round__status=RoundStatus.DRAWN,
            round__starts_on__lte=today + timedelta(days=days), round__ends_on__gte=today,
        )
        .filter(Q(inspection__isnull=True) | Q(inspection__status=InspectionStatus.DRAFT))
        .select_related("round", "sample_point__district", "sample_point__category", "inspection")
        .prefetch_related(Prefetch("inspection__results", queryset=ItemResult.objects.order_by("item__order", "id")))
        .order_by("round__starts_on", "round__ends_on", "round_id", "category__order", "draw_order")
    )


def checklist_versions(*, category_ids, version_ids=()) -> dict[int, ChecklistVersion]:
    """The current checklist version of each category (and the versions ``version_ids``, which
    started inspections use), with their items, by id: two queries."""
    latest = ChecklistVersion.objects.filter(checklist=OuterRef("checklist")).order_by("-number").values("pk")[:1]
    versions = (
        ChecklistVersion.objects.filter(
            Q(checklist__category_id__in=list(category_ids), pk=Subquery(latest)) | Q(pk__in=list(version_ids))
        )
        .select_related("checklist__category")
        .prefetch_related(Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "code")))
    )
    return {version.pk: version for version in versions}


def current_checklist_version(*, category_id: int) -> ChecklistVersion | None:
    """The category's current checklist version with its items (None: no checklist yet)."""
    found = [v for v in checklist_versions(category_ids=[category_id]).values()]
    return found[0] if found else None


def unit_open_tasks(*, user):
    """The problems assigned to ``user``'s unit that wait for it: to acknowledge, to rectify (a
    rejected closing is back in rectification), soonest deadline first, with their photos."""
    if _role(user) != Role.UNIT_HANDLER or not user.unit_id:
        return Problem.objects.none()
    return (
        Problem.objects.visible_to(user)
        .filter(responsible_unit_id=user.unit_id, status__in=OPEN_TASK_STATUSES)
        .select_related("category", "district", "sample_point")
        .prefetch_related(Prefetch("photos", queryset=EvidencePhoto.objects.order_by("uploaded_at", "id")))
        .order_by("deadline", "id")
    )


def offline_bundle(*, user, days: int = OFFLINE_DAYS_DEFAULT) -> dict:
    """What the signed-in person's phone keeps to work offline: an inspector their assigned round
    points with checklists, a unit handler their unit's open tasks; other roles neither."""
    role = _role(user)
    bundle = {"user": user, "generated_at": timezone.now(), "days": days, "inspector": None, "unit": None}
    if role == Role.INSPECTOR:
        points = list(inspector_round_points(user=user, days=days))
        inspections = [getattr(point, "inspection", None) for point in points]
        versions = checklist_versions(
            category_ids={point.sample_point.category_id for point in points},
            version_ids={inspection.checklist_version_id for inspection in inspections if inspection is not None},
        )
        for point, inspection in zip(points, inspections, strict=True):
            point.offline_inspection = inspection
            point.offline_checklist = (versions.get(inspection.checklist_version_id) if inspection is not None
                                       else _current_of(versions, point.sample_point.category_id))
        bundle["inspector"] = {"points": points}
    elif role == Role.UNIT_HANDLER:
        tasks = list(unit_open_tasks(user=user))
        for problem in tasks:
            problem.offline_can = {
                "acknowledge": refusal(Action.ACKNOWLEDGE, problem, user) is None,
                "apply_close": refusal(Action.APPLY_CLOSE, problem, user) is None,
            }
        bundle["unit"] = {"tasks": tasks}
    return bundle


def _current_of(versions: dict[int, ChecklistVersion], category_id: int) -> ChecklistVersion | None:
    """The newest of the loaded versions of the category's checklist."""
    mine = [v for v in versions.values() if v.checklist.category_id == category_id]
    return max(mine, key=lambda v: v.number) if mine else None


def devices_for_hq(*, user, search: str = "", state: str = ""):
    """HQ's list of phones: by person (username or name), label or id; ``state`` "active" or
    "revoked"; the most recently seen first."""
    devices = FieldDevice.objects.visible_to(user).select_related("user", "revoked_by")
    search = (search or "").strip()
    if search:
        devices = devices.filter(
            Q(user__username__icontains=search) | Q(user__full_name__icontains=search) | Q(label__icontains=search)
            | Q(device__icontains=search)
        )
    if state == "active":
        devices = devices.filter(revoked_at__isnull=True)
    elif state == "revoked":
        devices = devices.filter(revoked_at__isnull=False)
    return devices.order_by("-last_seen_at", "-id")
