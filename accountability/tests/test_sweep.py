"""The daily sweep: 3 days overdue → one numbered supervision notice, 7 days → HQ's interview
list, repeated notices → an accountability proposal; run twice or at once, nothing twice."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accountability import services
from accountability.choices import EscalationStatus, EscalationStep
from accountability.models import Escalation, EscalationRule, NoticeCounter, SupervisionNotice
from accountability.tests.factories import overdue_problem
from campaign.choices import AuditAction
from campaign.models import AuditEntry
from ledger import services as ledger
from ledger.tests.factories import stored_photo
from ledger.tests.test_concurrency import run_at_once
from notifications import events
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ladder(db):
    return services.accountability_defaults_seed()


def test_three_days_overdue_gets_exactly_one_notice_even_when_swept_twice(city):
    due = overdue_problem(city, 3)
    overdue_problem(city, 2)  # not yet
    first = services.escalation_sweep()
    second = services.escalation_sweep()
    assert len(first.notices) == 1 and second.notices == []
    notice = SupervisionNotice.objects.get()
    assert notice.unit == city.office_a and notice.district == city.district_a
    assert [item.problem for item in notice.items.all()] == [due]
    assert notice.items.get().days_overdue == 3
    assert notice.number == f"督办〔{timezone.localdate().year}〕第0001号"
    assert AuditEntry.objects.filter(action=AuditAction.NOTICE_ISSUED, target=notice.number).count() == 1


def test_the_notice_is_sent_to_the_unit_and_its_district_lead_once(city):
    overdue_problem(city, 3)
    services.escalation_sweep()
    services.escalation_sweep()
    told = Notification.objects.filter(event="supervision.notice")
    assert sorted(n.recipient.username for n in told) == ["district_lead", "unit_handler"]
    notice = SupervisionNotice.objects.get()
    assert {n.url for n in told} == {f"/accountability/notices/{notice.pk}/"}
    subject, body = events.get("supervision.notice").render(told[0].context, language="en")
    assert notice.number in subject and notice.items.get().problem.code in body


def test_a_problem_is_on_one_notice_and_later_ones_get_the_next_number(city):
    today = timezone.localdate()
    overdue_problem(city, 3)
    later = overdue_problem(city, 2)
    services.escalation_sweep(today=today)
    result = services.escalation_sweep(today=today + timedelta(days=1))
    assert [n.serial for n in result.notices] == [2]
    assert [item.problem for item in result.notices[0].items.all()] == [later]


def test_each_unit_gets_its_own_notice(city):
    overdue_problem(city, 4)
    overdue_problem(city, 5, point=city.points_b[0])
    result = services.escalation_sweep()
    assert {n.unit for n in result.notices} == {city.office_a, city.office_b}
    assert sorted(n.serial for n in result.notices) == [1, 2]


def test_numbers_count_per_year(city):
    overdue_problem(city, 3)
    year = timezone.localdate().year
    services.escalation_sweep()
    overdue_problem(city, 3, point=city.points_b[0])
    result = services.escalation_sweep(today=date(year + 1, 1, 2))
    assert result.notices[0].number == f"督办〔{year + 1}〕第0001号"
    assert NoticeCounter.objects.get(year=year).last == 1


def test_closed_and_unassigned_problems_are_not_noticed(city):
    problem = overdue_problem(city, 5)
    problem = ledger.problem_acknowledge(problem=problem, by=city.unit_handler)
    problem = ledger.problem_apply_close(problem=problem, note="已整改", photos=[stored_photo(problem.pk)],
                                         by=city.unit_handler)
    ledger.problem_verify(problem=problem, approved=True, note="核实", by=city.district_lead)
    assert services.escalation_sweep().notices == []


def test_an_inactive_rule_issues_nothing(city):
    EscalationRule.objects.filter(step=EscalationStep.NOTICE).update(is_active=False)
    overdue_problem(city, 10)
    result = services.escalation_sweep()
    assert result.notices == [] and len(result.interviews) == 1


def test_seven_days_overdue_puts_the_unit_on_the_interview_list_once(city):
    first = overdue_problem(city, 7)
    overdue_problem(city, 6)
    services.escalation_sweep()
    services.escalation_sweep()
    listing = Escalation.objects.get(step=EscalationStep.INTERVIEW)
    assert listing.unit == city.office_a and listing.status == EscalationStatus.OPEN
    assert list(listing.problems.all()) == [first]
    # The next day the second problem joins the same open listing.
    services.escalation_sweep(today=timezone.localdate() + timedelta(days=1))
    assert Escalation.objects.filter(step=EscalationStep.INTERVIEW).count() == 1
    assert listing.problems.count() == 2


def test_repeated_notices_make_one_accountability_proposal(city):
    today = timezone.localdate()
    for day in range(3):  # a new problem reaches 3 days overdue on each of three days
        overdue_problem(city, 3 - day)
    for day in range(3):
        services.escalation_sweep(today=today + timedelta(days=day))
    assert SupervisionNotice.objects.filter(unit=city.office_a).count() == 3
    proposal = Escalation.objects.get(step=EscalationStep.PROPOSAL)
    assert proposal.notices.count() == 3 and proposal.unit == city.office_a
    services.escalation_sweep(today=today + timedelta(days=2))
    assert Escalation.objects.filter(step=EscalationStep.PROPOSAL).count() == 1


def test_two_notices_do_not_make_a_proposal(city):
    today = timezone.localdate()
    overdue_problem(city, 3)
    overdue_problem(city, 2)
    services.escalation_sweep(today=today)
    services.escalation_sweep(today=today + timedelta(days=1))
    assert not Escalation.objects.filter(step=EscalationStep.PROPOSAL).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_issue_each_notice_once_with_no_gap_in_numbers(city):
    services.accountability_defaults_seed()
    overdue_problem(city, 3)
    overdue_problem(city, 8, point=city.points_b[0])
    outcomes = run_at_once(*[services.escalation_sweep for _ in range(4)])
    assert all(isinstance(o, services.SweepResult) for o in outcomes), outcomes
    notices = list(SupervisionNotice.objects.order_by("serial"))
    assert [n.serial for n in notices] == [1, 2]
    assert {n.unit_id for n in notices} == {city.office_a.pk, city.office_b.pk}
    assert NoticeCounter.objects.get().last == 2
    assert Escalation.objects.filter(step=EscalationStep.INTERVIEW).count() == 1
    assert sum(len(o.notices) for o in outcomes) == 2
