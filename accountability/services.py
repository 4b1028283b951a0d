"""Every write of escalation and accountability. Pages, the API, the sweep's task and the demo
call these and nothing else; each is atomic and writes its audit entry in its transaction.

The ladder (rules HQ sets, ``EscalationRule``), run by ``escalation_sweep`` once a day:

1. a unit whose problems are at least N days overdue (default 3) gets one numbered supervision
   notice (督办单) listing them, sent to the unit and its district lead;
2. a unit with problems at least M days overdue (default 7) goes on HQ's interview list (约谈);
3. a unit that received K notices (default 3) within P days (default 90) gets an accountability
   proposal (问责建议) for HQ to decide.

Each step is idempotent by unique constraints, not by looking first: a second sweep the same
day (or a concurrent one) hits the constraint, its transaction for that unit is rolled back
(the notice number it took included, so numbers have no gaps), and it moves on.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.choices import AuditAction, Role
from campaign.counters import counter_next
from campaign.models import Unit
from campaign.services.audit import audit_record
from ledger.models import Problem

from . import notifications
from .choices import DEFAULT_KINDS, EscalationStatus, EscalationStep, RecordStatus
from .models import (
    AccountabilityKind,
    AccountabilityRecord,
    Escalation,
    EscalationItem,
    EscalationRule,
    NoticeCounter,
    ProposalNotice,
    SupervisionNotice,
    SupervisionNoticeItem,
)

logger = logging.getLogger(__name__)

SWEEP_ACTOR = "escalation sweep"

# The demo city's ladder (seed_demo); HQ changes it in the admin.
DEFAULT_RULES = {
    EscalationStep.NOTICE: {"threshold": 3, "period_days": 90},
    EscalationStep.INTERVIEW: {"threshold": 7, "period_days": 90},
    EscalationStep.PROPOSAL: {"threshold": 3, "period_days": 90},
}


class AccountabilityError(Exception):
    """A refused action; str(error) is the message for the user."""


def may_decide(user) -> bool:
    """HQ staff decide accountability and dismiss escalations; nobody else."""
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.role == Role.HQ_STAFF))


def accountability_defaults_seed() -> list[EscalationRule]:
    """The default ladder, for rules not set yet (an existing rule is left as HQ set it), and
    the default kinds of accountability where missing (the data migration writes them too)."""
    for code, name, name_en, order in DEFAULT_KINDS:
        AccountabilityKind.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en,
                                                                      "order": order})
    return [EscalationRule.objects.get_or_create(step=step, defaults=values)[0]
            for step, values in DEFAULT_RULES.items()]


def notice_number(year: int, serial: int) -> str:
    return f"督办〔{year}〕第{serial:04d}号"


def _next_notice_serial(year: int) -> int:
    # Inside the notice's transaction, so a notice that is rolled back (a concurrent sweep won)
    # gives its number back: no gaps (campaign/counters.py).
    return counter_next(NoticeCounter, year)


def _active_rule(step: str) -> EscalationRule | None:
    return EscalationRule.objects.filter(step=step, is_active=True).first()


def _overdue_by_unit(cutoff: date, *, exclude: Exists) -> dict[int, list[Problem]]:
    """Open problems whose deadline is on or before ``cutoff``, by responsible unit, less those
    ``exclude`` names (already escalated at this step)."""
    problems = (Problem.objects.open().filter(deadline__lte=cutoff, responsible_unit__isnull=False)
                .exclude(exclude).order_by("deadline", "code"))
    by_unit: dict[int, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_unit[problem.responsible_unit_id].append(problem)
    return by_unit


def supervision_notice_issue(*, unit: Unit, problems: list[Problem], today: date,
                             threshold_days: int) -> SupervisionNotice | None:
    """Issue one numbered notice to ``unit`` for ``problems``. None when the unit already has a
    notice today or a problem is already on one of its notices (the constraints refuse it)."""
    try:
        with transaction.atomic():
            serial = _next_notice_serial(today.year)
            notice = SupervisionNotice.objects.create(
                number=notice_number(today.year, serial), year=today.year, serial=serial, unit=unit,
                district_id=unit.district_id, issued_on=today, threshold_days=threshold_days)
            SupervisionNoticeItem.objects.bulk_create([
                SupervisionNoticeItem(notice=notice, problem=problem, unit=unit, line=line,
                                      deadline=problem.deadline, days_overdue=(today - problem.deadline).days)
                for line, problem in enumerate(problems, start=1)
            ])
            audit_record(action=AuditAction.NOTICE_ISSUED, actor_name=SWEEP_ACTOR, target=notice.number,
                         scope=str(unit), details={"unit": unit.pk, "problems": [p.code for p in problems]})
            # In the notice's transaction: the outbox rows commit (or roll back) with it.
            notifications.supervision_notice_issued(notice, problems)
    except IntegrityError:
        return None
    return notice


def _escalation_open(*, step: str, unit: Unit, today: date) -> tuple[Escalation, bool]:
    existing = Escalation.objects.filter(step=step, unit=unit, status=EscalationStatus.OPEN).first()
    if existing:
        return existing, False
    escalation = Escalation.objects.create(step=step, unit=unit, district_id=unit.district_id, opened_on=today)
    audit_record(action=AuditAction.ESCALATION_OPENED, actor_name=SWEEP_ACTOR, target=str(escalation),
                 scope=str(unit), details={"step": step, "unit": unit.pk, "escalation": escalation.pk})
    return escalation, True


def interview_list_add(*, unit: Unit, problems: list[Problem], today: date) -> Escalation | None:
    """Put ``unit`` on HQ's interview list (or add to its open listing) for ``problems``.
    None when a concurrent sweep did it first."""
    try:
        with transaction.atomic():
            escalation, _created = _escalation_open(step=EscalationStep.INTERVIEW, unit=unit, today=today)
            EscalationItem.objects.bulk_create([
                EscalationItem(escalation=escalation, problem=problem, step=EscalationStep.INTERVIEW,
                               days_overdue=(today - problem.deadline).days)
                for problem in problems
            ])
    except IntegrityError:
        return None
    return escalation


def accountability_propose(*, unit: Unit, notices: list[SupervisionNotice], today: date) -> Escalation | None:
    """Propose accountability for ``unit`` on ``notices`` (each counts towards one proposal)."""
    try:
        with transaction.atomic():
            escalation, created = _escalation_open(step=EscalationStep.PROPOSAL, unit=unit, today=today)
            if not created:
                return None
            ProposalNotice.objects.bulk_create([ProposalNotice(escalation=escalation, notice=n) for n in notices])
    except IntegrityError:
        return None
    return escalation


@dataclass
class SweepResult:
    notices: list[SupervisionNotice] = field(default_factory=list)
    interviews: list[Escalation] = field(default_factory=list)
    proposals: list[Escalation] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.notices)} notices, {len(self.interviews)} interview listings, {len(self.proposals)} proposals"


def escalation_sweep(*, today: date | None = None) -> SweepResult:
    """Run the ladder for ``today`` (default: the local date). Safe to run again or at once."""
    today = today or timezone.localdate()
    result = SweepResult()
    units = {}

    def unit_of(pk: int) -> Unit:
        if pk not in units:
            units[pk] = Unit.objects.get(pk=pk)
        return units[pk]

    rule = _active_rule(EscalationStep.NOTICE)
    if rule:
        noticed = Exists(SupervisionNoticeItem.objects.filter(problem=OuterRef("pk"),
                                                              unit=OuterRef("responsible_unit")))
        for unit_id, problems in _overdue_by_unit(today - timedelta(days=rule.threshold), exclude=noticed).items():
            notice = supervision_notice_issue(unit=unit_of(unit_id), problems=problems, today=today,
                                              threshold_days=rule.threshold)
            if notice:
                result.notices.append(notice)
    rule = _active_rule(EscalationStep.INTERVIEW)
    if rule:
        listed = Exists(EscalationItem.objects.filter(step=EscalationStep.INTERVIEW, problem=OuterRef("pk")))
        for unit_id, problems in _overdue_by_unit(today - timedelta(days=rule.threshold), exclude=listed).items():
            escalation = interview_list_add(unit=unit_of(unit_id), problems=problems, today=today)
            if escalation:
                result.interviews.append(escalation)
    rule = _active_rule(EscalationStep.PROPOSAL)
    if rule:
        counted = ProposalNotice.objects.values("notice_id")
        recent = (SupervisionNotice.objects.filter(issued_on__gt=today - timedelta(days=rule.period_days),
                                                   issued_on__lte=today)
                  .exclude(pk__in=counted).order_by("issued_on", "serial"))
        by_unit: dict[int, list[SupervisionNotice]] = defaultdict(list)
        for notice in recent:
            by_unit[notice.unit_id].append(notice)
        for unit_id, notices in by_unit.items():
            if len(notices) >= rule.threshold:
                escalation = accountability_propose(unit=unit_of(unit_id), notices=notices, today=today)
                if escalation:
                    result.proposals.append(escalation)
    return result


# --- HQ's decisions --------------------------------------------------------------------------------


def _check_decider(by) -> None:
    if not may_decide(by):
        raise AccountabilityError(_("Only HQ staff decide accountability."))


def accountability_record_create(*, by, kind: AccountabilityKind, unit: Unit, reason: str, decided_on: date,
                                 person_name: str = "", person=None, problems=(), escalation: Escalation | None = None,
                                 request=None) -> AccountabilityRecord:
    """HQ records an accountability decision against ``unit`` (and a person, where named), with
    the problems it concerns; from an open escalation (which it decides) or directly."""
    _check_decider(by)
    if not reason.strip():
        raise AccountabilityError(_("Give the grounds of the decision."))
    problems = list(problems)
    foreign = [p.code for p in problems if p.responsible_unit_id != unit.pk]
    if foreign:
        raise AccountabilityError(_("These problems are not the unit's: %(codes)s") % {"codes": ", ".join(foreign)})
    with transaction.atomic():
        if escalation is not None:
            if escalation.unit_id != unit.pk:
                raise AccountabilityError(_("The escalation concerns another unit."))
            closed = Escalation.objects.filter(pk=escalation.pk, status=EscalationStatus.OPEN).update(
                status=EscalationStatus.DECIDED, closed_at=timezone.now(), closed_by=by)
            if not closed:
                raise AccountabilityError(_("This escalation has already been decided or dismissed."))
        record = AccountabilityRecord.objects.create(
            kind=kind, unit=unit, district_id=unit.district_id, person_name=person_name.strip(), person=person,
            reason=reason.strip(), decided_on=decided_on, decided_by=by, escalation=escalation)
        record.problems.set(problems)
        audit_record(action=AuditAction.RECORD_DECIDED, request=request, actor=by,
                     target=f"{kind.name} · {unit.name}", details={
                         "record": record.pk, "unit": unit.pk, "kind": kind.code, "person": record.person_name,
                         "problems": [p.code for p in problems], "escalation": escalation.pk if escalation else None})
    return record


def accountability_record_revoke(*, record: AccountabilityRecord, by, reason: str, request=None) -> AccountabilityRecord:
    """Revoke a record with a reason (it stays, marked revoked: nothing is deleted)."""
    _check_decider(by)
    if not reason.strip():
        raise AccountabilityError(_("Give the reason for revoking."))
    with transaction.atomic():
        revoked = AccountabilityRecord.objects.filter(pk=record.pk, status=RecordStatus.IN_FORCE).update(
            status=RecordStatus.REVOKED, revoked_at=timezone.now(), revoked_by=by, revoke_reason=reason.strip())
        if not revoked:
            raise AccountabilityError(_("This record has already been revoked."))
        audit_record(action=AuditAction.RECORD_REVOKED, request=request, actor=by,
                     target=f"{record.kind.name} · {record.unit.name}",
                     details={"record": record.pk, "reason": reason.strip()})
    record.refresh_from_db()
    return record


def escalation_dismiss(*, escalation: Escalation, by, reason: str, request=None) -> Escalation:
    """HQ takes a unit off the interview list, or turns a proposal down, with a reason."""
    _check_decider(by)
    if not reason.strip():
        raise AccountabilityError(_("Give the reason for dismissing."))
    with transaction.atomic():
        dismissed = Escalation.objects.filter(pk=escalation.pk, status=EscalationStatus.OPEN).update(
            status=EscalationStatus.DISMISSED, closed_at=timezone.now(), closed_by=by,
            dismiss_reason=reason.strip())
        if not dismissed:
            raise AccountabilityError(_("This escalation has already been decided or dismissed."))
        audit_record(action=AuditAction.ESCALATION_DISMISSED, request=request, actor=by, target=str(escalation),
                     details={"escalation": escalation.pk, "reason": reason.strip()})
    escalation.refresh_from_db()
    return escalation
