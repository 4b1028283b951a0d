"""The public channel's rules, through its services."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from ledger import services as ledger
from ledger.choices import Severity, Source, Status
from ledger.tests.factories import stored_photo
from public_reports import services
from public_reports.choices import (
    ReportAction,
    ReportStatus,
    ReviewState,
    RewardStatus,
    TrackingStage,
)
from public_reports.models import PublicReport, PublicReportEvent, Reward, RewardPolicy, RewardRule
from public_reports.selectors import public_month_counts, suggest_category, tracking_stage

from .factories import public_category, report

pytestmark = pytest.mark.django_db


def _close(city, problem):
    problem = ledger.problem_assign(problem=problem, unit=city.office_a, by=city.hq)
    problem = ledger.problem_acknowledge(problem=problem, by=city.unit_handler)
    problem = ledger.problem_apply_close(problem=problem, note="已清运", photos=[stored_photo(problem.pk)],
                                         by=city.unit_handler)
    return ledger.problem_verify(problem=problem, approved=True, note="现场核实", by=city.hq)


def test_a_report_gets_a_yearly_tracking_code_and_a_submit_event(city):
    first, second = report(city), report(city)
    assert first.code.startswith("JB-") and first.code.endswith("000001")
    assert second.code.endswith("000002")
    event = first.events.get()
    assert (event.action, event.to_status, event.actor) == (ReportAction.SUBMIT, ReportStatus.RECEIVED, None)


def test_the_same_form_sent_twice_makes_one_report(city):
    one = report(city, idempotency_key="k-1")
    again = services.public_report_submit(public_category=one.public_category, description="重复提交",
                                          consent=True, idempotency_key="k-1")
    assert again.report.pk == one.pk and not again.created
    assert PublicReport.objects.count() == 1


def test_a_report_without_consent_is_refused(city):
    with pytest.raises(services.PublicReportError, match="rules"):
        services.public_report_submit(public_category=public_category(city), description="x", consent=False)


def test_hq_accepts_a_report_into_the_ledger_with_its_photos_and_a_link_back(city):
    photo = stored_photo()
    r = report(city, photos=[photo])
    accepted = services.public_report_accept(report=r, by=city.hq, severity=Severity.SERIOUS, unit=city.office_a)
    problem = accepted.problem
    assert accepted.status == ReportStatus.ACCEPTED and accepted.decided_by == city.hq
    assert (problem.source, problem.source_ref) == (Source.PUBLIC_REPORT, f"public_report:{r.pk}")
    assert problem.status == Status.ASSIGNED and problem.responsible_unit == city.office_a
    assert problem.photos.get().sha256 == photo.sha256
    assert tracking_stage(accepted) == TrackingStage.RECTIFYING


def test_a_district_lead_moderates_only_their_district(city):
    theirs, other = report(city), report(city, district=city.district_b)
    services.public_report_reject(report=theirs, by=city.district_lead, reason="not_found")
    with pytest.raises(services.PublicReportForbidden):
        services.public_report_reject(report=other, by=city.district_lead, reason="not_found")
    with pytest.raises(services.PublicReportForbidden):
        services.public_report_reject(report=other, by=city.unit_handler, reason="not_found")
    assert PublicReport.objects.visible_to(city.district_lead).filter(pk=other.pk).count() == 0


def test_a_report_is_decided_once(city):
    r = report(city)
    services.public_report_reject(report=r, by=city.hq, reason="other", note="重复举报")
    with pytest.raises(services.PublicReportConflict):
        services.public_report_accept(report=r, by=city.hq)


def test_rejecting_for_another_reason_needs_the_reason_written(city):
    with pytest.raises(services.PublicReportError):
        services.public_report_reject(report=report(city), by=city.hq, reason="other", note=" ")


def test_a_later_report_merged_into_an_earlier_one_follows_its_problem(city):
    first, later = report(city), report(city)
    first = services.public_report_accept(report=first, by=city.hq)
    merged = services.public_report_merge(report=later, by=city.hq, into_report=first, note="已有人举报")
    assert merged.status == ReportStatus.MERGED and merged.problem == first.problem and merged.merged_into == first


def test_moderator_edits_sit_beside_the_original(city):
    photo = stored_photo()
    r = report(city, photos=[photo], description="原始描述 电话13800138000")
    edited = services.public_report_edit(report=r, by=city.hq, description="小区门口垃圾堆放",
                                         hide_photo_ids=[r.photos.get().pk], note="隐去电话")
    assert edited.description == "原始描述 电话13800138000"
    assert edited.shown_description == "小区门口垃圾堆放"
    assert edited.photos.get().hidden
    assert set(edited.events.values_list("action", flat=True)) == {"submit", "edit", "hide_photo"}
    accepted = services.public_report_accept(report=edited, by=city.hq)
    assert accepted.problem.photos.count() == 0  # a hidden photo does not go to the ledger


def test_events_cannot_be_rewritten(city):
    event = report(city).events.get()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 (the database's own refusal)
        PublicReportEvent.objects.filter(pk=event.pk).update(note="changed")


def test_only_the_link_holder_rates_and_only_once_the_problem_is_closed(city):
    r = services.public_report_accept(report=report(city), by=city.hq)
    with pytest.raises(services.PublicReportConflict):
        services.public_report_rate(report=r, secret=r.follow_secret, satisfied=True)
    _close(city, r.problem)
    with pytest.raises(services.PublicReportForbidden):
        services.public_report_rate(report=r, secret="guess", satisfied=True)
    rated = services.public_report_rate(report=r, secret=r.follow_secret, satisfied=False, comment="没清干净")
    assert rated.review_state == ReviewState.PENDING
    with pytest.raises(services.PublicReportConflict):
        services.public_report_rate(report=r, secret=r.follow_secret, satisfied=True)


def test_hq_records_a_rebound_from_an_unsatisfied_rating_and_the_closed_problem_stays_closed(city):
    r = services.public_report_accept(report=report(city), by=city.hq)
    _close(city, r.problem)
    services.public_report_rate(report=r, secret=r.follow_secret, satisfied=False)
    reviewed = services.public_report_review(report=r, by=city.hq, rebound=True, note="复查属实，垃圾又堆起来了")
    assert reviewed.review_state == ReviewState.REBOUND
    assert reviewed.rebound_problem.rebound_of == r.problem
    r.problem.refresh_from_db()
    assert r.problem.status == Status.CLOSED


def test_the_first_reporter_is_owed_the_rule_amount_once_the_problem_is_closed(city):
    RewardRule.objects.create(amount=Decimal("50"))
    RewardRule.objects.create(severity=Severity.SERIOUS, amount=Decimal("100"))
    first = services.public_report_accept(report=report(city), by=city.hq, severity=Severity.SERIOUS)
    later = services.public_report_merge(report=report(city, mobile="13900139000"), by=city.hq, into_report=first)
    assert services.rewards_create_due() == 0  # not closed yet
    _close(city, first.problem)
    assert services.rewards_create_due() == 1
    assert services.rewards_create_due() == 0  # idempotent
    reward = Reward.objects.get()
    assert (reward.report, reward.amount, reward.status) == (first, Decimal("100"), RewardStatus.PENDING)
    assert not Reward.objects.filter(report=later).exists()
    reward = services.reward_approve(reward=reward, by=city.hq)
    with pytest.raises(services.PublicReportError):
        services.reward_pay(reward=reward, by=city.hq, payment_reference=" ")
    with pytest.raises(services.PublicReportForbidden):
        services.reward_pay(reward=reward, by=city.district_lead, payment_reference="X")
    paid = services.reward_pay(reward=reward, by=city.hq, payment_reference="BANK-2026-0001")
    assert (paid.status, paid.paid_by) == (RewardStatus.PAID, city.hq)
    with pytest.raises(services.PublicReportConflict):
        services.reward_pay(reward=paid, by=city.hq, payment_reference="again")


def test_the_monthly_cap_per_person_cuts_the_reward(city):
    RewardRule.objects.create(amount=Decimal("300"))
    RewardPolicy.objects.update_or_create(pk=1, defaults={"monthly_cap": Decimal("500")})
    for _ in range(3):
        r = services.public_report_accept(report=report(city), by=city.hq)
        _close(city, r.problem)
    assert services.rewards_create_due() == 2
    assert sorted(Reward.objects.exclude(status="declined").values_list("amount", flat=True)) == [
        Decimal("200"), Decimal("300")]
    over = Reward.objects.get(status="declined")
    assert (over.amount, over.note) == (Decimal(0), "The monthly cap is reached.")


def test_month_counts(city):
    r = services.public_report_accept(report=report(city), by=city.hq)
    services.public_report_reject(report=report(city), by=city.hq, reason="not_found")
    _close(city, r.problem)
    now = r.submitted_at
    counts = public_month_counts(year=now.year, month=now.month)
    assert counts == {"received": 2, "accepted": 1, "fixed": 1, "rewarded": 0}


def test_keyword_rule_suggests_the_category_with_most_hits(city):
    garbage = public_category(city)
    dogs = public_category(city, code="pets", name="犬只", keywords="狗\n犬\n遛狗")
    assert suggest_category("楼下垃圾桶满了，垃圾没人收", [garbage, dogs]).public_category == garbage
    assert suggest_category("有人遛狗不牵绳", [garbage, dogs]).public_category == dogs
    assert suggest_category("路灯坏了", [garbage, dogs]).public_category is None


def test_open311_keys_are_kept_as_digests_and_revocable(city):
    key, raw = services.open311_key_issue(name="12345 热线", by=city.hq)
    assert raw not in key.digest and services.open311_key_check(raw) == key
    services.open311_key_revoke(key=key, by=city.hq)
    assert services.open311_key_check(raw) is None
    with pytest.raises(services.PublicReportForbidden):
        services.open311_key_issue(name="x", by=city.district_lead)


def test_nothing_is_deleted(city):
    r = report(city)
    with pytest.raises(IntegrityError), transaction.atomic():
        r.delete()


def test_a_follow_secret_of_any_text_is_compared_without_error(city):
    r = report(city)
    assert not services.follow_secret_matches(r, "é" * 43)
    assert not services.follow_secret_matches(r, "")
    assert services.follow_secret_matches(r, r.follow_secret)
