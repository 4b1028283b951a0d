"""Every write of the public channel. The reporting page, Open311, the staff pages, the API,
the importer and the reward sweep call these and nothing else; each is atomic and appends a
``PublicReportEvent`` in its transaction.

Rules:
- A report is never changed after it is sent: moderators' edits sit beside it.
- Moderation (HQ, or a district lead for a report placed in their district) decides once:
  accept (a ledger problem is recorded through the ledger's services, source "public report",
  linked both ways), merge (into a problem or an earlier report: the first reporter keeps the
  reward claim, later ones are told it was already known), or reject with a reason.
- A sent form is idempotent: the same key returns the report it made.
- Only the holder of a report's follow link rates its result, once, after the problem is
  closed (or the report rejected); an unsatisfied rating goes to HQ's review, which may record
  a rebound (a new problem linked to the closed one, which stays closed).
- Rewards: once an accepted report's problem is verified closed, its first reporter (with a
  mobile number) is owed the amount of the rules (category and severity), within the monthly
  cap per person; HQ approves, then records the payment with its reference. Each such report
  is decided once (``rewards_create_due``): when no rule applies, the cap is reached or
  rewards were stopped when the problem closed, its reward is recorded declined (amount 0,
  the reason as its note) and it is never reconsidered.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.counters import counter_next
from campaign.public_guard import challenge_spend, idempotent_create, limit_count
from ledger import services as ledger_services
from ledger.choices import Severity, Source, Status
from ledger.models import Problem
from ledger.photos import StoredPhoto

from . import notifications
from .choices import (
    Channel,
    RejectReason,
    ReportAction,
    ReportStatus,
    ReviewState,
    RewardAction,
    RewardStatus,
)
from .models import (
    Open311Key,
    PublicCategory,
    PublicReport,
    PublicReportEvent,
    PublicReportPhoto,
    ReportCounter,
    Reward,
    RewardEvent,
    RewardPolicy,
    RewardRule,
    hq_staff,
    moderator_of,
)


class PublicReportError(Exception):
    """A refused action; str(error) is the message for the user."""


class PublicReportForbidden(PublicReportError):
    pass


class PublicReportConflict(PublicReportError):
    pass


def _event(report: PublicReport, *, action: str, from_status: str, by=None, note: str = "",
           data: dict | None = None, at: datetime | None = None) -> PublicReportEvent:
    return PublicReportEvent.objects.create(
        report=report, action=action, from_status=from_status, to_status=report.status,
        actor=by if (by is not None and by.is_authenticated) else None, at=at or timezone.now(),
        note=note, data=data or {})


def _tracking_code(at: datetime) -> str:
    year = timezone.localtime(at).year
    return f"JB-{year}-{counter_next(ReportCounter, year):06d}"


def _check_moderator(report: PublicReport, by) -> None:
    if not moderator_of(by):
        raise PublicReportForbidden(_("Only HQ staff and district leads moderate public reports."))
    if hq_staff(by):
        return
    if report.district_id is None or report.district_id != by.district_id:
        raise PublicReportForbidden(_("This report is not in your district."))


def _lock(report: PublicReport, by, *, expected_version: int | None, status=ReportStatus.RECEIVED) -> PublicReport:
    current = PublicReport.objects.select_for_update().get(pk=report.pk)
    if expected_version is not None and current.version != expected_version:
        raise PublicReportConflict(_("Report %(code)s changed meanwhile; reload and try again.") % {"code": current.code})
    if status is not None and current.status != status:
        raise PublicReportConflict(_("Report %(code)s has already been decided (%(status)s).") % {
            "code": current.code, "status": current.get_status_display()})
    return current


# --- Reporting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    report: PublicReport
    created: bool  # False: the same form (idempotency key) had already made it


def public_report_submit(*, public_category, description: str, latitude=None, longitude=None,
                         location_accuracy_m: int | None = None, address: str = "", reporter_name: str = "",
                         reporter_mobile: str = "", reporter_email: str = "", consent: bool,
                         photos: list[StoredPhoto] = (), idempotency_key: str | None = None,
                         channel: str = Channel.WEB, open311_key: Open311Key | None = None,
                         attributes: dict | None = None, district=None, submitted_at: datetime | None = None,
                         imported_ref: str = "", official_reply: str = "", client_address: str | None = None,
                         proof=None, guard=None) -> Submitted:
    """Record a resident's report (status received) with its tracking code. The caller (the
    form, Open311, the importer) has checked the input; photos are stored before the
    transaction. A repeated idempotency key returns the first report (``idempotent_create``).

    The row carrying the key goes in first; only then, in the same transaction, is ``proof``
    (a SolvedChallenge) spent, the day's limits per address and per number counted (with
    ``client_address``: the public form) and ``guard()`` called (Open311's limits). A refusal
    (PublicRefused) rolls the report back; a retried or double-tapped twin waits on the unique
    key and gets the first one's report, spending and counting nothing."""
    if not description.strip():
        raise PublicReportError(_("Describe what you saw."))
    if channel != Channel.IMPORTED and not consent:
        raise PublicReportError(_("Accept the rules of the reporting platform to send a report."))
    if district is None and latitude is not None and longitude is not None:
        from campaign.geo import district_for_point

        district = district_for_point(latitude, longitude)
    submitted_at = submitted_at or timezone.now()

    def write() -> PublicReport:
        report = PublicReport.objects.create(
            code=_tracking_code(submitted_at), channel=channel, public_category=public_category,
            description=description.strip(), latitude=latitude, longitude=longitude,
            location_accuracy_m=location_accuracy_m, address=address.strip(),
            reporter_name=reporter_name.strip(), reporter_mobile=reporter_mobile,
            reporter_email=reporter_email.strip(), consent_at=submitted_at if consent else None,
            submitted_at=submitted_at, idempotency_key=idempotency_key or None,
            follow_secret=secrets.token_urlsafe(32), open311_key=open311_key,
            attributes=attributes or {}, district=district, imported_ref=imported_ref,
            official_reply=official_reply,
        )
        if proof is not None:
            challenge_spend(proof)
        if client_address is not None:
            limit_count("report", address=client_address, mobile=reporter_mobile or None)
        if guard is not None:
            guard()
        PublicReportPhoto.objects.bulk_create(
            PublicReportPhoto(report=report, image=photo.image_name, thumbnail=photo.thumbnail_name,
                              width=photo.width, height=photo.height, sha256=photo.sha256,
                              uploaded_at=submitted_at)
            for photo in photos
        )
        _event(report, action=ReportAction.SUBMIT, from_status="", at=submitted_at,
               data={"channel": channel, "photos": len(photos)})
        if channel != Channel.IMPORTED:  # history is not news: the import tells nobody
            notifications.report_received(report)
        return report

    if not idempotency_key:
        with transaction.atomic():
            return Submitted(write(), True)
    report, created = idempotent_create(PublicReport, key=idempotency_key, create=write)
    return Submitted(report, created)


def follow_secret_matches(report: PublicReport, secret) -> bool:
    """Whether ``secret`` (from a link anyone may have altered) is the report's, in constant time;
    compared as bytes, so text no secret could be (non-ASCII) is simply not it."""
    if not isinstance(secret, str) or not secret:
        return False
    return secrets.compare_digest(report.follow_secret.encode(), secret.encode())


# --- Moderation ----------------------------------------------------------------------------------


def _stored_photos(report: PublicReport) -> list[StoredPhoto]:
    return [StoredPhoto(image_name=p.image.name, thumbnail_name=p.thumbnail.name, sha256=p.sha256,
                        width=p.width, height=p.height)
            for p in report.photos.filter(hidden=False)]


def _carry_merged(target: PublicReport, *, by, at: datetime) -> int:
    """Carry ``target``'s decision to the reports merged into it while it waited (and those
    merged into them), in the caller's transaction, each with an event: they stay merged and
    follow ``target``'s problem (its acceptance or its own merge), or, when ``target`` is
    rejected, they are rejected with its reason (not its note, which was written for its own
    reporter): they were judged the same thing. Returns how many moved."""
    moved = 0
    level = [target.pk]
    while level:
        children = list(PublicReport.objects.select_for_update().filter(merged_into__in=level)
                        .exclude(status=ReportStatus.REJECTED).order_by("pk"))
        level = [child.pk for child in children]
        for child in children:
            if target.status == ReportStatus.REJECTED:
                changes = {"status": ReportStatus.REJECTED, "reject_reason": target.reject_reason,
                           "decided_by": by, "decided_at": at}
                action, data = ReportAction.REJECT, {"reason": target.reject_reason, "via": target.code}
            else:
                if child.problem_id == target.problem_id:
                    continue
                changes = {"problem": target.problem}
                action, data = ReportAction.MERGE, {"problem": target.problem.code if target.problem_id else None,
                                                    "via": target.code}
            PublicReport.objects.filter(pk=child.pk).update(version=child.version + 1, **changes)
            from_status = child.status
            child.refresh_from_db()
            _event(child, action=action, from_status=from_status, by=by, data=data, at=at)
            moved += 1
    return moved


def public_report_accept(*, report: PublicReport, by, category=None, district=None,
                         severity: str = Severity.GENERAL, description: str = "", unit=None,
                         deadline: date | None = None, note: str = "",
                         expected_version: int | None = None) -> PublicReport:
    """Accept a report into the ledger: record a problem (source "public report", the report's
    place, its visible photos as before-photos), assign it when a unit is given, and link them.
    ``category`` defaults to the public category's ledger category, ``district`` to the
    report's, ``description`` to the moderated one."""
    district = district or report.district
    if district is None:
        raise PublicReportError(_("Choose the district the report is in."))
    category = category or (report.public_category.category if report.public_category_id else None)
    if category is None:
        raise PublicReportError(_("Choose the category of the problem."))
    with transaction.atomic():
        _check_moderator(report, by)
        current = _lock(report, by, expected_version=expected_version)
        if not hq_staff(by) and district.pk != by.district_id:
            raise PublicReportForbidden(_("This report is not in your district."))
        try:
            problem = ledger_services.problem_record(
                by=by, category=category, district=district,
                description=(description or current.shown_description).strip(),
                source=Source.PUBLIC_REPORT, source_ref=f"public_report:{current.pk}",
                found_at=current.submitted_at, severity=severity, address=current.address,
                latitude=current.latitude, longitude=current.longitude, photos=_stored_photos(current))
            if unit is not None:
                problem = ledger_services.problem_assign(problem=problem, unit=unit, deadline=deadline, by=by)
        except ledger_services.LedgerError as error:
            raise PublicReportError(str(error)) from error
        except ValidationError as error:  # the ledger's write scope names the field it refuses
            raise PublicReportError("; ".join(error.messages)) from error
        now = timezone.now()
        PublicReport.objects.filter(pk=current.pk).update(
            status=ReportStatus.ACCEPTED, problem=problem, district=district, decided_by=by, decided_at=now,
            decision_note=note.strip(), version=current.version + 1)
        current.refresh_from_db()
        _event(current, action=ReportAction.ACCEPT, from_status=ReportStatus.RECEIVED, by=by, note=note.strip(),
               data={"problem": problem.code, "unit": unit.pk if unit else None}, at=now)
        _carry_merged(current, by=by, at=now)
    return current


def public_report_merge(*, report: PublicReport, by, into_problem: Problem | None = None,
                        into_report: PublicReport | None = None, note: str = "",
                        expected_version: int | None = None) -> PublicReport:
    """Merge a report into an open problem already in the ledger or an earlier report: the
    reporter is told it was already known and follows that problem; the reward stays with the
    first reporter, so a report is never merged into one sent after it. A closed (or invalid)
    problem is not merged into: a recurrence is a new problem (accept it) or HQ's rebound. The
    reports merged into this one while it waited follow it (``_carry_merged``)."""
    if (into_problem is None) == (into_report is None):
        raise PublicReportError(_("Choose one problem or one report to merge into."))
    with transaction.atomic():
        _check_moderator(report, by)
        current = _lock(report, by, expected_version=expected_version)
        problem = into_problem
        if into_report is not None:
            into_report = PublicReport.objects.get(pk=into_report.pk)
            if into_report.pk == current.pk:
                raise PublicReportError(_("A report cannot be merged into itself."))
            if (into_report.submitted_at, into_report.pk) > (current.submitted_at, current.pk):
                raise PublicReportError(_(
                    "Report %(code)s was sent after this one; merge it into this one instead (the first "
                    "reporter keeps the reward claim).") % {"code": into_report.code})
            seen = {current.pk}
            while into_report.status == ReportStatus.MERGED and into_report.merged_into_id is not None:
                if into_report.pk in seen:
                    break
                seen.add(into_report.pk)
                into_report = PublicReport.objects.get(pk=into_report.merged_into_id)
            if into_report.pk == current.pk:
                raise PublicReportError(_("A report cannot be merged into itself."))
            if into_report.status == ReportStatus.REJECTED:
                raise PublicReportError(_("Report %(code)s was rejected; merge into a live one.") % {
                    "code": into_report.code})
            problem = into_report.problem
        if problem is not None and problem.status in (Status.CLOSED, Status.INVALID):
            raise PublicReportError(_(
                "Problem %(code)s is %(status)s: merge only into an open problem. If it has come back, accept "
                "the report as a new problem (HQ may record it as a rebound).") % {
                "code": problem.code, "status": problem.get_status_display()})
        now = timezone.now()
        PublicReport.objects.filter(pk=current.pk).update(
            status=ReportStatus.MERGED, problem=problem, merged_into=into_report, decided_by=by, decided_at=now,
            decision_note=note.strip(), version=current.version + 1)
        current.refresh_from_db()
        _event(current, action=ReportAction.MERGE, from_status=ReportStatus.RECEIVED, by=by, note=note.strip(),
               data={"problem": problem.code if problem else None,
                     "report": into_report.code if into_report else None}, at=now)
        _carry_merged(current, by=by, at=now)
    return current


def public_report_reject(*, report: PublicReport, by, reason: str, note: str = "",
                         expected_version: int | None = None) -> PublicReport:
    """Reject with a reason from the list, or "other" with the note as the reason. The reports
    merged into this one while it waited are rejected with it (``_carry_merged``)."""
    if reason not in RejectReason.values:
        raise PublicReportError(_("Choose a reason."))
    if reason == RejectReason.OTHER and not note.strip():
        raise PublicReportError(_("Write the reason for the reporter."))
    with transaction.atomic():
        _check_moderator(report, by)
        current = _lock(report, by, expected_version=expected_version)
        now = timezone.now()
        PublicReport.objects.filter(pk=current.pk).update(
            status=ReportStatus.REJECTED, reject_reason=reason, decided_by=by, decided_at=now,
            decision_note=note.strip(), version=current.version + 1)
        current.refresh_from_db()
        _event(current, action=ReportAction.REJECT, from_status=ReportStatus.RECEIVED, by=by, note=note.strip(),
               data={"reason": reason}, at=now)
        _carry_merged(current, by=by, at=now)
    return current


def public_report_edit(*, report: PublicReport, by, description: str | None = None,
                       hide_photo_ids: list[int] = (), note: str = "",
                       expected_version: int | None = None) -> PublicReport:
    """A moderator's clearer description and photos hidden for privacy, kept beside the original."""
    with transaction.atomic():
        _check_moderator(report, by)
        current = _lock(report, by, expected_version=expected_version, status=None)
        changed = {}
        if description is not None and description.strip() != current.shown_description:
            changed["moderated_description"] = description.strip()
        hide = list(current.photos.filter(pk__in=list(hide_photo_ids), hidden=False).values_list("pk", flat=True))
        if not changed and not hide:
            return current
        now = timezone.now()
        PublicReport.objects.filter(pk=current.pk).update(version=current.version + 1, **changed)
        current.refresh_from_db()
        if changed:
            _event(current, action=ReportAction.EDIT, from_status=current.status, by=by, note=note.strip(),
                   data={"description": changed["moderated_description"]}, at=now)
        if hide:
            PublicReportPhoto.objects.filter(pk__in=hide).update(hidden=True)
            _event(current, action=ReportAction.HIDE_PHOTO, from_status=current.status, by=by, note=note.strip(),
                   data={"photos": hide}, at=now)
    return current


# --- The reporter's rating and HQ's review -------------------------------------------------------


def rating_open(report: PublicReport) -> bool:
    """The reporter may rate once the result is known: the problem closed, or the report rejected."""
    if report.satisfied is not None or report.channel == Channel.IMPORTED:
        return False
    if report.status == ReportStatus.REJECTED:
        return True
    return report.problem_id is not None and report.problem.status in (Status.CLOSED, Status.INVALID)


def public_report_rate(*, report: PublicReport, secret: str, satisfied: bool, comment: str = "") -> PublicReport:
    if not follow_secret_matches(report, secret):
        raise PublicReportForbidden(_("Only the reporter, with the link given when reporting, may rate this report."))
    with transaction.atomic():
        current = PublicReport.objects.select_related("problem").select_for_update(of=("self",)).get(pk=report.pk)
        if current.satisfied is not None:
            raise PublicReportConflict(_("This report has already been rated."))
        if not rating_open(current):
            raise PublicReportConflict(_("The result can be rated once the problem is closed."))
        now = timezone.now()
        review = ReviewState.NONE if satisfied else ReviewState.PENDING
        PublicReport.objects.filter(pk=current.pk).update(
            satisfied=satisfied, rating_comment=comment.strip()[:2000], rated_at=now, review_state=review,
            version=current.version + 1)
        current.refresh_from_db()
        _event(current, action=ReportAction.RATE, from_status=current.status, note=comment.strip()[:2000],
               data={"satisfied": satisfied}, at=now)
    return current


def public_report_review(*, report: PublicReport, by, rebound: bool, note: str = "",
                         description: str = "") -> PublicReport:
    """HQ's answer to an unsatisfied rating: record a rebound (a new problem linked to the closed
    one) or let the result stand, with a note."""
    if not hq_staff(by):
        raise PublicReportForbidden(_("Only HQ staff review unsatisfied ratings."))
    if not note.strip():
        raise PublicReportError(_("Write what HQ found."))
    with transaction.atomic():
        current = PublicReport.objects.select_for_update().get(pk=report.pk)
        if current.review_state != ReviewState.PENDING:
            raise PublicReportConflict(_("This report is not waiting for a review."))
        now = timezone.now()
        changes = {}
        if rebound:
            if current.problem_id is None or current.problem.status != Status.CLOSED:
                raise PublicReportError(_("A rebound is recorded against a closed problem."))
            try:
                new = ledger_services.problem_record_rebound(
                    original=current.problem, by=by, description=description.strip() or note.strip(),
                    source=Source.PUBLIC_REPORT, source_ref=f"public_report:{current.pk}")
            except ledger_services.LedgerError as error:
                raise PublicReportError(str(error)) from error
            changes = {"review_state": ReviewState.REBOUND, "rebound_problem": new}
        else:
            changes = {"review_state": ReviewState.DISMISSED}
        PublicReport.objects.filter(pk=current.pk).update(version=current.version + 1, **changes)
        current.refresh_from_db()
        action = ReportAction.REVIEW_REBOUND if rebound else ReportAction.REVIEW_DISMISS
        _event(current, action=action, from_status=current.status, by=by, note=note.strip(),
               data={"problem": current.rebound_problem.code} if rebound else {}, at=now)
    return current


# --- Rewards -------------------------------------------------------------------------------------


def reward_amount_for(report: PublicReport, severity: str) -> Decimal | None:
    """The rule for the report's category and the problem's severity; the most specific wins."""
    rules = RewardRule.objects.filter(
        Q(public_category=report.public_category_id) | Q(public_category__isnull=True),
        Q(severity=severity) | Q(severity=""))
    best = None
    for rule in rules:
        rank = (rule.public_category_id is not None, rule.severity != "")
        if best is None or rank > best[0]:
            best = (rank, rule.amount)
    return best[1] if best else None


def _month_start(at: datetime) -> date:
    local = timezone.localdate(at)
    return local.replace(day=1)


def _active_at(changes: list[RewardEvent], at: datetime, current: bool) -> bool:
    """Whether rewards were paid at ``at``, from HQ's policy changes (oldest first)."""
    before = [change for change in changes if change.at <= at]
    if before:
        return bool(before[-1].data.get("after", {}).get("active", current))
    if changes:
        return bool(changes[0].data.get("before", {}).get("active", current))
    return current


def rewards_create_due(*, now: datetime | None = None) -> int:
    """Decide the reward of each accepted (first-reporter) report with a mobile number whose
    problem is verified closed, exactly once: a pending reward of the rule's amount (category
    and severity), cut to what is left of the person's monthly cap, or a reward declined at
    once, amount 0, with the reason as its note and one "declined" event without an actor:
    no rule applies, the monthly cap is reached, or rewards were not paid (HQ's policy) when
    the problem was closed. A report is never read again once it has its reward row (one per
    report, a unique key), so turning rewards back on pays nothing for what closed meanwhile.

    Each report is decided in its own transaction that first locks the policy row: concurrent
    sweeps (the beat, HQ's "check now", a redelivered task) queue there, so the cap counts
    what the others wrote. Returns how many pending rewards were created."""
    now = now or timezone.now()
    due = list(PublicReport.objects.filter(status=ReportStatus.ACCEPTED, problem__status=Status.CLOSED,
                                       reward__isnull=True)
           .exclude(reporter_mobile="").exclude(channel=Channel.IMPORTED)
           .select_related("problem").order_by("problem__closed_at", "pk"))
    if not due:  # the usual sweep: one read
        return 0
    RewardPolicy.current()  # the row exists before anything locks it
    changes = list(RewardEvent.objects.filter(action=RewardAction.POLICY).order_by("at", "pk"))
    created = 0
    for report in due:
        try:
            made = _reward_decide(report, changes=changes, now=now)
        except IntegrityError:  # SQLite, which has no row locks: a concurrent sweep decided it
            continue
        created += int(made)
    return created


def _reward_decide(report: PublicReport, *, changes: list[RewardEvent], now: datetime) -> bool:
    """One report's reward (see rewards_create_due); True when a pending one was created."""
    closed_at = report.problem.closed_at or now
    month = _month_start(closed_at)
    with transaction.atomic():
        policy = RewardPolicy.objects.select_for_update().get(pk=1)
        if Reward.objects.filter(report=report).exists():  # a concurrent sweep decided it
            return False
        amount = reward_amount_for(report, report.problem.severity)
        given = (Reward.objects.filter(report__reporter_mobile=report.reporter_mobile, month=month)
                 .exclude(status=RewardStatus.DECLINED).aggregate(total=Sum("amount"))["total"] or Decimal(0))
        left = policy.monthly_cap - given
        if not _active_at(changes, closed_at, policy.active):
            reason, note = "inactive", _("Rewards were not paid when the problem was closed.")
        elif not amount:
            reason, note = "no_rule", _("No reward rule applies.")
        elif left <= 0:
            reason, note = "cap", _("The monthly cap is reached.")
        else:
            reason, note = "", _("Cut to the monthly cap.") if amount > left else ""
        data = {"rule_amount": _money(amount) if amount else None}
        if reason:
            reward = Reward.objects.create(report=report, amount=Decimal(0), month=month, created_at=now,
                                           status=RewardStatus.DECLINED, decided_at=now, note=note)
            RewardEvent.objects.create(reward=reward, action=RewardAction.DECLINE, at=now, note=note,
                                       data={**data, "reason": reason})
            return False
        reward = Reward.objects.create(report=report, amount=min(amount, left), month=month,
                                       created_at=now, note=note)
        RewardEvent.objects.create(reward=reward, action=RewardAction.CREATE, at=now,
                                   data={**data, "amount": _money(reward.amount)})
    return True


def reward_hq(by) -> bool:
    """Who approves, declines and pays rewards and sets their rules: HQ staff."""
    return hq_staff(by)


def _reward_hq(by) -> None:
    if not reward_hq(by):
        raise PublicReportForbidden(_("Only HQ staff approve and pay rewards."))


def _reward_move(reward: Reward, *, by, from_status: str, changes: dict, action: str, note: str = "",
                 data: dict | None = None) -> Reward:
    _reward_hq(by)
    with transaction.atomic():
        moved = Reward.objects.filter(pk=reward.pk, status=from_status).update(**changes)
        if not moved:
            current = Reward.objects.get(pk=reward.pk)
            raise PublicReportConflict(_("This reward is %(status)s.") % {"status": current.get_status_display()})
        RewardEvent.objects.create(reward=reward, action=action, actor=by, note=note, data=data or {})
    reward.refresh_from_db()
    return reward


def reward_approve(*, reward: Reward, by) -> Reward:
    return _reward_move(reward, by=by, from_status=RewardStatus.PENDING, action=RewardAction.APPROVE,
                        changes={"status": RewardStatus.APPROVED, "decided_by": by, "decided_at": timezone.now()})


def reward_decline(*, reward: Reward, by, note: str) -> Reward:
    if not note.strip():
        raise PublicReportError(_("Write why the reward is declined."))
    return _reward_move(reward, by=by, from_status=RewardStatus.PENDING, action=RewardAction.DECLINE,
                        note=note.strip(),
                        changes={"status": RewardStatus.DECLINED, "decided_by": by, "decided_at": timezone.now(),
                                 "note": note.strip()})


def reward_pay(*, reward: Reward, by, payment_reference: str) -> Reward:
    if not payment_reference.strip():
        raise PublicReportError(_("Give the payment reference."))
    reference = payment_reference.strip()[:100]
    return _reward_move(reward, by=by, from_status=RewardStatus.APPROVED, action=RewardAction.PAY,
                        data={"payment_reference": reference},
                        changes={"status": RewardStatus.PAID, "paid_by": by, "paid_at": timezone.now(),
                                 "payment_reference": reference})


def rewards_check_now(*, by) -> int:
    """HQ's "check now": the sweep beat runs every ten minutes, run at once."""
    _reward_hq(by)
    return rewards_create_due()


def _money(amount) -> str:
    return f"{Decimal(amount):.2f}"


def reward_rule_set(*, by, public_category: PublicCategory | None, severity: str, amount: Decimal) -> RewardRule:
    """The amount for a category (None: any) and severity (blank: any): one rule per pair,
    replaced when set again. Applies to rewards created from now on."""
    _reward_hq(by)
    if severity and severity not in Severity.values:
        raise PublicReportError(_("Choose a severity."))
    if amount is None or amount <= 0:
        raise PublicReportError(_("The amount must be more than zero."))
    with transaction.atomic():
        # No ordering: the model's orders by the category, an outer join FOR UPDATE refuses.
        rule = (RewardRule.objects.select_for_update().order_by()
                .filter(public_category=public_category, severity=severity).first())
        before = _money(rule.amount) if rule else None
        if rule is None:
            rule = RewardRule.objects.create(public_category=public_category, severity=severity, amount=amount)
        else:
            RewardRule.objects.filter(pk=rule.pk).update(amount=amount)
            rule.refresh_from_db()
        RewardEvent.objects.create(action=RewardAction.RULE_SET, actor=by, data={
            "category": public_category.code if public_category else None, "severity": severity,
            "amount": _money(rule.amount), "before": before})
    return rule


def reward_rule_delete(*, by, rule: RewardRule) -> None:
    _reward_hq(by)
    with transaction.atomic():
        RewardEvent.objects.create(action=RewardAction.RULE_DELETE, actor=by, data={
            "category": rule.public_category.code if rule.public_category_id else None,
            "severity": rule.severity, "amount": _money(rule.amount)})
        RewardRule.objects.filter(pk=rule.pk).delete()


def reward_policy_update(*, by, monthly_cap: Decimal, active: bool) -> RewardPolicy:
    """HQ's cap per person per month and whether rewards are paid at all (rewards already
    created keep their amounts)."""
    _reward_hq(by)
    if monthly_cap is None or monthly_cap < 0:
        raise PublicReportError(_("The monthly cap cannot be negative."))
    with transaction.atomic():
        policy = RewardPolicy.current()
        before = {"monthly_cap": _money(policy.monthly_cap), "active": policy.active}
        RewardPolicy.objects.filter(pk=policy.pk).update(monthly_cap=monthly_cap, active=active)
        policy.refresh_from_db()
        RewardEvent.objects.create(action=RewardAction.POLICY, actor=by, data={
            "before": before, "after": {"monthly_cap": _money(policy.monthly_cap), "active": policy.active}})
    return policy


# --- Open311 keys --------------------------------------------------------------------------------


def open311_key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open311_key_issue(*, name: str, by) -> tuple[Open311Key, str]:
    """A new key for a system (shown once; only its digest is kept)."""
    if not hq_staff(by):
        raise PublicReportForbidden(_("Only HQ staff issue Open311 keys."))
    if not name.strip():
        raise PublicReportError(_("Name the system the key is for."))
    raw = "o311_" + secrets.token_urlsafe(30)
    key = Open311Key.objects.create(name=name.strip(), prefix=raw[:10], digest=open311_key_digest(raw), created_by=by)
    return key, raw


def open311_key_revoke(*, key: Open311Key, by) -> Open311Key:
    if not hq_staff(by):
        raise PublicReportForbidden(_("Only HQ staff revoke Open311 keys."))
    Open311Key.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=by)
    key.refresh_from_db()
    return key


def open311_key_check(raw: str) -> Open311Key | None:
    """The active key ``raw`` names (and marks it used), or None."""
    if not raw:
        return None
    key = Open311Key.objects.filter(digest=open311_key_digest(raw), revoked_at__isnull=True).first()
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def open311_request_submit(*, key: Open311Key, client_address: str | None, public_category, description: str,
                           latitude=None, longitude=None, address: str = "", reporter_name: str = "",
                           reporter_mobile: str = "", reporter_email: str = "", attributes: dict | None = None,
                           extras: dict | None = None) -> Submitted:
    """A request posted through Open311 (the caller has checked the key, the service, the
    place and the required attributes, consent among them): recorded as a report of channel
    "open311" with the key, then, in the same transaction (the order of public_report_submit),
    counted against the key's, the client address's and the resident's number's daily limits,
    so a refused one records and counts nothing. ``extras`` (the client's device and account ids, address id, media URL) are
    kept under ``attributes["open311"]`` with a token the client may look the request up by."""
    kept = {**(attributes or {}), "open311": {**(extras or {}), "token": secrets.token_urlsafe(16)}}

    def guard() -> None:
        limit_count("open311_key", address=f"open311-key:{key.pk}")
        limit_count("open311", address=client_address, mobile=reporter_mobile or None)

    return public_report_submit(
        public_category=public_category, description=description, latitude=latitude, longitude=longitude,
        address=address, reporter_name=reporter_name, reporter_mobile=reporter_mobile,
        reporter_email=reporter_email, consent=True, channel=Channel.OPEN311, open311_key=key,
        attributes=kept, guard=guard)


# --- Imported history ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedMessage:
    """A historical citizen message, checked by the importer (public_reports/importing.py)."""

    ref: str
    description: str
    submitted_at: datetime
    official_reply: str = ""
    public_category: PublicCategory | None = None
    attributes: dict | None = None


def public_reports_import(*, messages: list[ImportedMessage]) -> int:
    """Record historical messages as imported reports (received, without photo or place, for
    the moderation queue), all or nothing, each with its submit event; a message whose
    reference was imported before is skipped (re-running imports nothing twice). Tracking
    codes are taken in one block per year. Returns how many were recorded."""
    with transaction.atomic():
        # Every imported reference (a few thousand short strings), not an IN list of thousands.
        done = set(PublicReport.objects.filter(channel=Channel.IMPORTED).values_list("imported_ref", flat=True))
        fresh, seen = [], set(done)
        for message in messages:
            if message.ref not in seen:
                seen.add(message.ref)
                fresh.append(message)
        by_year: dict[int, list[ImportedMessage]] = {}
        for message in fresh:
            by_year.setdefault(timezone.localtime(message.submitted_at).year, []).append(message)
        reports = []
        for year, batch in sorted(by_year.items()):
            last = counter_next(ReportCounter, year, count=len(batch))
            for number, message in enumerate(sorted(batch, key=lambda m: (m.submitted_at, m.ref)),
                                             start=last - len(batch) + 1):
                reports.append(PublicReport(
                    code=f"JB-{year}-{number:06d}", channel=Channel.IMPORTED, public_category=message.public_category,
                    description=message.description, submitted_at=message.submitted_at,
                    follow_secret=secrets.token_urlsafe(32), attributes=message.attributes or {},
                    imported_ref=message.ref, official_reply=message.official_reply))
        created = PublicReport.objects.bulk_create(reports, batch_size=500)
        if created and created[0].pk is None:  # a database that returns no ids from a bulk insert
            ids = dict(PublicReport.objects.filter(channel=Channel.IMPORTED).values_list("imported_ref", "pk"))
            for report in created:
                report.pk = ids[report.imported_ref]
        PublicReportEvent.objects.bulk_create(
            (PublicReportEvent(report_id=report.pk, action=ReportAction.SUBMIT, from_status="",
                               to_status=ReportStatus.RECEIVED, at=report.submitted_at,
                               data={"channel": Channel.IMPORTED, "photos": 0, "ref": report.imported_ref})
             for report in created), batch_size=500)
    return len(created)
