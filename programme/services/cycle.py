"""The supervision cycle: recurring round plans and cross-inspection (互查).

Rounds are made only through inspections' services (``round_create``, ``round_draw``,
``round_assign`` / ``round_assign_points``): the draw is theirs, never a second one. The sweep
(beat, hourly) makes the round of each active plan's current period once: it claims the
(plan, period start) pair by inserting a ``PlanRound`` row, which the unique constraint lets
only one transaction do, then creates, draws and assigns the round in that same transaction.
A second sweep (beat firing twice, two beats at once) waits on the first's insert and then
finds the period taken; if the first fails, everything it did is rolled back and the next
sweep tries again.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.choices import Role
from campaign.models import District, User
from inspections import services as inspections
from inspections.choices import InspectionKind
from inspections.models import Round
from notifications.services import notify

from ..choices import Recurrence, RoundPlanAction, RoundPlanKind
from ..models import PlanRound, RoundPlan, RoundPlanEvent, RoundPlanQuota

log = logging.getLogger(__name__)

ROUND_PLAN_FAILED = "round_plan.failed"

# The kind of inspection each plan's rounds are (and so the ledger source of their findings).
ROUND_KIND = {
    RoundPlanKind.ROUTINE: InspectionKind.ROUTINE,
    RoundPlanKind.APPRAISAL: InspectionKind.UNANNOUNCED,
    RoundPlanKind.CROSS: InspectionKind.ROUTINE,
}


class CycleError(Exception):
    """A refused action of the supervision cycle; str(error) is the message for the user."""


class CycleForbidden(CycleError):
    """The user may not do this (only HQ staff write round plans)."""


class CrossInspectionUnstaffed(CycleError):
    """A cross-inspection round that cannot be staffed; ``districts`` lack inspectors."""

    def __init__(self, message: str, districts: list[District]):
        super().__init__(message)
        self.districts = districts


def _require_hq(by) -> None:
    if not (by.is_active and (by.is_superuser or by.role == Role.HQ_STAFF)):
        raise CycleForbidden(_("Only HQ staff write round plans."))


# --- Plans -----------------------------------------------------------------------------------------


PLAN_FIELDS = ("name", "kind", "recurrence", "every_weeks", "anchor", "district", "exclude_inspected_days")


def _check_plan(values: dict, quotas: dict, inspectors: list) -> None:
    """The plan's own rules, each error naming its field."""
    errors = defaultdict(list)
    if not (values.get("name") or "").strip():
        errors["name"].append(_("Give the plan a name."))
    if values["recurrence"] == Recurrence.WEEKS and not (values.get("every_weeks") or 0) >= 1:
        errors["every_weeks"].append(_("A plan that repeats every N weeks needs N of at least 1."))
    if values["kind"] == RoundPlanKind.CROSS and values.get("district") is not None:
        errors["district"].append(_("A cross-inspection plan covers the whole city: leave the district empty."))
    if not quotas or any(count < 1 for count in quotas.values()):
        errors["quotas"].append(_("Give at least one category with a quota of one or more."))
    if values["kind"] != RoundPlanKind.CROSS:
        if not inspectors:
            errors["inspectors"].append(_("Choose the inspectors who share each round's points."))
        for person in inspectors:
            if not person.is_active or person.role != Role.INSPECTOR:
                errors["inspectors"].append(_("%(person)s is not an active inspector.") % {"person": person})
    if errors:
        raise ValidationError(dict(errors))


def round_plan_create(*, by, name: str, kind: str, anchor: dt.date, quotas: dict, inspectors=(),
                      recurrence: str = Recurrence.WEEKS, every_weeks: int | None = None,
                      district: District | None = None, exclude_inspected_days: int | None = None,
                      active: bool = True) -> RoundPlan:
    """Create a recurring plan (HQ staff). Quotas: category -> points to draw. A cross-inspection
    plan is the city's and staffs each round by rotation among the districts' inspectors; the
    others share each round among their chosen inspectors. Recorded as the plan's first event."""
    _require_hq(by)
    inspectors = list(inspectors)
    values = {"name": name.strip(), "kind": kind, "recurrence": recurrence,
              "every_weeks": every_weeks if recurrence == Recurrence.WEEKS else None, "anchor": anchor,
              "district": district, "exclude_inspected_days": exclude_inspected_days}
    _check_plan(values, quotas, inspectors)
    with transaction.atomic():
        plan = RoundPlan.objects.create(**values, active=active, owner=by)
        RoundPlanQuota.objects.bulk_create(
            RoundPlanQuota(plan=plan, category=category, quota=count) for category, count in quotas.items())
        if kind != RoundPlanKind.CROSS:
            plan.inspectors.set(inspectors)
        RoundPlanEvent.objects.create(plan=plan, action=RoundPlanAction.CREATED, by=by,
                                      changes=_snapshot(plan))
    return plan


def _snapshot(plan: RoundPlan) -> dict:
    """The plan's settings as plain values, for its history."""
    return {
        "name": plan.name, "kind": plan.kind, "recurrence": plan.recurrence, "every_weeks": plan.every_weeks,
        "anchor": plan.anchor.isoformat(), "district": str(plan.district) if plan.district_id else None,
        "exclude_inspected_days": plan.exclude_inspected_days,
        "quotas": {quota.category.code: quota.quota for quota in plan.quotas.select_related("category")},
        "inspectors": sorted(person.get_username() for person in plan.inspectors.all()),
        "active": plan.active,
    }


def round_plan_update(*, plan: RoundPlan, by, name: str, kind: str, anchor: dt.date, quotas: dict,
                      inspectors=(), recurrence: str = Recurrence.WEEKS, every_weeks: int | None = None,
                      district: District | None = None, exclude_inspected_days: int | None = None) -> RoundPlan:
    """Change a plan (HQ staff): later periods follow the new settings, rounds made already stay
    as they were drawn. The editor becomes the plan's owner; the event keeps what changed (from, to)."""
    _require_hq(by)
    inspectors = list(inspectors)
    values = {"name": name.strip(), "kind": kind, "recurrence": recurrence,
              "every_weeks": every_weeks if recurrence == Recurrence.WEEKS else None, "anchor": anchor,
              "district": district, "exclude_inspected_days": exclude_inspected_days}
    _check_plan(values, quotas, inspectors)
    with transaction.atomic():
        locked = RoundPlan.objects.select_for_update().get(pk=plan.pk)
        before = _snapshot(locked)
        RoundPlan.objects.filter(pk=locked.pk).update(**values, owner=by)
        locked.quotas.all().delete()
        RoundPlanQuota.objects.bulk_create(
            RoundPlanQuota(plan=locked, category=category, quota=count) for category, count in quotas.items())
        locked.inspectors.set(inspectors if kind != RoundPlanKind.CROSS else [])
        locked.refresh_from_db()
        after = _snapshot(locked)
        changes = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
        RoundPlanEvent.objects.create(plan=locked, action=RoundPlanAction.CHANGED, by=by, changes=changes)
    plan.refresh_from_db()
    return plan


def round_plan_set_active(*, plan: RoundPlan, by, active: bool, note: str = "") -> RoundPlan:
    """Pause or resume a plan (HQ staff). A paused plan makes no rounds; resuming makes the
    current period's round at the next sweep, in the resumer's name."""
    _require_hq(by)
    with transaction.atomic():
        locked = RoundPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.active == active:
            raise CycleError(_("The plan is active already.") if active else _("The plan is paused already."))
        changes = {"active": active}
        if active:
            changes.update(owner=by, last_error="", last_error_at=None)
        RoundPlan.objects.filter(pk=locked.pk).update(**changes)
        RoundPlanEvent.objects.create(plan=locked, action=RoundPlanAction.RESUMED if active else RoundPlanAction.PAUSED,
                                      by=by, changes={"active": {"from": not active, "to": active}},
                                      note=note.strip())
    plan.refresh_from_db()
    return plan


# --- Cross-inspection ------------------------------------------------------------------------------


def cross_rotation(districts: list[District], offset: int = 1) -> dict[int, District]:
    """{inspected district id: inspecting district}: the districts in code order, each inspected
    by the one ``offset`` places before it (A's inspectors → B's points, B's → C's, …, the last's
    → A's). Never a district itself: the offset is taken modulo n − 1, plus one."""
    ordered = sorted(districts, key=lambda d: (d.code, d.pk))
    count = len(ordered)
    step = 1 + (offset - 1) % (count - 1)
    return {district.pk: ordered[(index - step) % count] for index, district in enumerate(ordered)}


def cross_round_staff(*, inspection_round: Round, by, offset: int = 1) -> dict[int, District]:
    """Give a drawn cross-inspection round's points to inspectors of other districts, by rotation
    among the districts whose points were drawn: each district's points are shared among the
    active inspectors of the district before it (cross_rotation), in turn. A district with no
    active inspector inspects nobody: its turn passes to the staffed district before it in the
    rotation (never the inspected district itself). Only when some district's points have no
    eligible inspector is the round refused (``CrossInspectionUnstaffed``, naming that district)
    and nothing assigned; so is a round whose points lie in one district only. Returns the
    rotation (inspected district id → inspecting district)."""
    points = list(inspection_round.points.filter(inspection__isnull=True).select_related("sample_point__district")
                  .order_by("category__code", "draw_order"))
    districts = {point.sample_point.district_id: point.sample_point.district for point in points}
    if len(districts) < 2:
        names = "、".join(str(d) for d in districts.values()) or _("no district")
        raise CrossInspectionUnstaffed(
            _("A cross-inspection needs points in two districts or more; this round's points lie in %(districts)s.")
            % {"districts": names}, list(districts.values()))
    staff = defaultdict(list)
    for person in (User.objects.filter(is_active=True, role=Role.INSPECTOR, district__in=list(districts))
                   .order_by("username")):
        staff[person.district_id].append(person)
    ordered = sorted(districts.values(), key=lambda d: (d.code, d.pk))
    base = cross_rotation(ordered, offset)
    rotation: dict[int, District] = {}
    for pk in districts:
        start = ordered.index(base[pk])
        # The rotation's district if staffed, else the staffed one before it, never the inspected itself.
        for back in range(len(ordered)):
            candidate = ordered[(start - back) % len(ordered)]
            if candidate.pk != pk and staff[candidate.pk]:
                rotation[pk] = candidate
                break
    lacking = sorted((districts[pk] for pk in districts if pk not in rotation), key=lambda d: d.code)
    if lacking:
        raise CrossInspectionUnstaffed(
            _("The cross-inspection cannot be staffed: no active inspector of another district can inspect the "
              "points of %(lacking)s (districts with active inspectors: %(staffed)s).") % {
                "lacking": "、".join(str(d) for d in lacking),
                "staffed": "、".join(str(d) for d in ordered if staff[d.pk]) or _("none")},
            lacking)
    turn: dict[int, int] = defaultdict(int)
    assignment = {}
    for point in points:
        team = staff[rotation[point.sample_point.district_id].pk]
        assignment[point.pk] = team[turn[point.sample_point.district_id] % len(team)]
        turn[point.sample_point.district_id] += 1
    inspections.round_assign_points(inspection_round=inspection_round, assignment=assignment, by=by)
    return rotation


def cross_round_create(*, name: str, starts_on: dt.date, ends_on: dt.date, quotas: dict, by,
                       kind: str = InspectionKind.ROUTINE, exclude_inspected_days: int | None = None,
                       seed: int | None = None, offset: int = 1) -> Round:
    """Plan, draw and staff a cross-inspection round (互查) of the whole city, all or nothing: a
    round that cannot be staffed (``CrossInspectionUnstaffed``, naming the district that lacks
    inspectors) leaves nothing written."""
    _require_hq(by)
    with transaction.atomic():
        inspection_round = inspections.round_create(
            name=name, kind=kind, starts_on=starts_on, ends_on=ends_on, quotas=quotas, by=by,
            exclude_inspected_days=exclude_inspected_days, cross_inspection=True)
        inspections.round_draw(inspection_round=inspection_round, by=by, seed=seed)
        cross_round_staff(inspection_round=inspection_round, by=by, offset=offset)
    return inspection_round


# --- The sweep -------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    made: list[PlanRound] = field(default_factory=list)
    failed: list[tuple[RoundPlan, str]] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.made)} rounds made, {len(self.failed)} plans failed"


def _round_name(plan: RoundPlan, start: dt.date, end: dt.date) -> str:
    if plan.recurrence == Recurrence.QUARTERLY:
        return f"{plan.name} {start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{plan.name} {start:%Y-%m-%d}–{end:%m-%d}"


def plan_round_make(*, plan: RoundPlan, day: dt.date) -> PlanRound | None:
    """Make the round of ``plan`` for the period holding ``day``, drawn and assigned, unless that
    period has its round already (None then). Claimed by inserting the (plan, period) row first.

    Under the plan's row lock, a period never overlaps a round the plan made already: after a
    change of timing (anchor moved, N or the recurrence changed) the periods move, so the period
    holding ``day`` is cut to begin after the last round made before it (and to end before one
    made after it); a day a made round covers makes nothing."""
    with transaction.atomic():
        plan = RoundPlan.objects.select_for_update(of=("self",)).select_related("owner", "district").get(pk=plan.pk)
        period = _free_period(plan, day)
        if period is None:
            return None
        start, end = period
        owner = plan.owner
        try:
            with transaction.atomic():
                claim = PlanRound.objects.create(plan=plan, period_start=start, period_end=end)
        except IntegrityError:
            return None  # another sweep made (or is making) this period's round
        quotas = {quota.category: quota.quota for quota in plan.quotas.select_related("category")}
        name = _round_name(plan, start, end)
        if plan.kind == RoundPlanKind.CROSS:
            inspection_round = cross_round_create(
                name=name, kind=ROUND_KIND[plan.kind], starts_on=start, ends_on=end, quotas=quotas, by=owner,
                exclude_inspected_days=plan.exclude_inspected_days, offset=1 + plan.period_index(start))
        else:
            inspection_round = inspections.round_create(
                name=name, kind=ROUND_KIND[plan.kind], starts_on=start, ends_on=end, quotas=quotas, by=owner,
                district=plan.district, exclude_inspected_days=plan.exclude_inspected_days)
            inspections.round_draw(inspection_round=inspection_round, by=owner)
            people = list(plan.inspectors.filter(is_active=True).order_by("username"))
            if not people:
                raise CycleError(_("None of the plan's inspectors is active any more."))
            inspections.round_assign(inspection_round=inspection_round, inspectors=people, by=owner)
        PlanRound.objects.filter(pk=claim.pk).update(round=inspection_round)
        claim.round = inspection_round
        if plan.last_error:
            RoundPlan.objects.filter(pk=plan.pk).update(last_error="", last_error_at=None)
    return claim


def _free_period(plan: RoundPlan, day: dt.date) -> tuple[dt.date, dt.date] | None:
    """The period of ``plan`` holding ``day``, cut so as to overlap none of the plan's made rounds;
    None before the plan's first period or when a made round covers ``day``."""
    period = plan.period_of(day)
    if period is None:
        return None
    start, end = period
    for made_start, made_end in PlanRound.objects.filter(
            plan=plan, period_start__lte=end, period_end__gte=start).values_list("period_start", "period_end"):
        if made_start <= day <= made_end:
            return None
        if made_end < day:
            start = max(start, made_end + dt.timedelta(days=1))
        else:
            end = min(end, made_start - dt.timedelta(days=1))
    return start, end


def _failure_record(plan: RoundPlan, message: str, now: dt.datetime) -> None:
    """Keep why the plan made no round on the plan (its page shows it); a new reason is an event."""
    with transaction.atomic():
        locked = RoundPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.last_error != message:
            event = RoundPlanEvent.objects.create(plan=locked, action=RoundPlanAction.FAILED, note=message, at=now)
            # A new reason is told once (the same reason at the next sweeps is not repeated): to the
            # plan's owner, or to HQ staff when the owner can no longer act on it.
            owner = locked.owner
            people = [owner] if owner.is_active and owner.role in (Role.HQ_STAFF, Role.DISTRICT_LEAD) else list(
                User.objects.filter(role=Role.HQ_STAFF, is_active=True))
            notify(ROUND_PLAN_FAILED, about=locked, users=people,
                   context={"plan": locked.name, "reason": message, "day": timezone.localdate(now).isoformat()},
                   dedupe_key=f"{ROUND_PLAN_FAILED}:{locked.pk}:{event.pk}")
        RoundPlan.objects.filter(pk=locked.pk).update(last_error=message, last_error_at=now)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error)


def round_plans_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Make each active plan's round for the period holding ``now`` (default: now), once. Safe to
    run again or at once. A plan that cannot make its round (an owner no longer HQ, no checklist,
    a cross round nobody can staff) keeps the reason and is tried again at the next sweep."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult()
    # The reasons kept on a plan (and the rounds' names) are in the site's language, whoever runs it.
    with translation.override(settings.LANGUAGE_CODE):
        _sweep(today=today, now=now, result=result)
    return result


def _missed_record(plan: RoundPlan, period: tuple[dt.date, dt.date], now: dt.datetime) -> None:
    """Record, once, that the period before ``period`` ended without the plan's round (the sweep
    did not run, or failed the whole period), unless the plan did not exist or was paused or
    resumed then: the plan's history says so instead of skipping it silently."""
    previous = plan.period_of(period[0] - dt.timedelta(days=1))
    if previous is None:
        return
    start, end = previous
    created = timezone.localdate(plan.created_at)
    if created > start or PlanRound.objects.filter(plan=plan, period_start__lte=end, period_end__gte=start).exists():
        return
    events = RoundPlanEvent.objects.filter(plan=plan)
    if (events.filter(action__in=[RoundPlanAction.PAUSED, RoundPlanAction.RESUMED],
                      at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min))).exists()
            or events.filter(action=RoundPlanAction.FAILED, changes__missed=start.isoformat()).exists()):
        return
    RoundPlanEvent.objects.create(
        plan=plan, action=RoundPlanAction.FAILED, at=now, changes={"missed": start.isoformat()},
        note=_("The period %(start)s – %(end)s ended without its round.") % {
            "start": start.isoformat(), "end": end.isoformat()})


def _sweep(*, today: dt.date, now: dt.datetime, result: SweepResult) -> None:
    for plan in RoundPlan.objects.filter(active=True).select_related("owner", "district").order_by("pk"):
        period = plan.period_of(today)
        if period is not None:
            _missed_record(plan, period, now)
        if period is None or PlanRound.objects.filter(plan=plan, period_start=period[0]).exists():
            continue
        try:
            made = plan_round_make(plan=plan, day=today)
        except (CycleError, inspections.InspectionError, ValidationError) as error:
            message = _message(error)
            log.warning("Round plan %s made no round for %s: %s", plan.pk, period[0], message)
            _failure_record(plan, message, now)
            result.failed.append((plan, message))
            continue
        if made is not None:
            result.made.append(made)
