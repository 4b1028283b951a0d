"""notify(): who is told, once, in the caller's transaction (SQLite and PostgreSQL)."""

import pytest
from django.db import transaction

from ledger import services as ledger
from ledger.tests.factories import record
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Delivery, GroupRobot, Notification
from notifications.services import notify


@pytest.fixture
def robots(city):
    wecom = GroupRobot.objects.create(name="甲街道群", platform="wecom", webhook_url="http://127.0.0.1:9/wecom",
                                      unit=city.office_a)
    ding = GroupRobot.objects.create(name="甲区群", platform="dingtalk", webhook_url="http://127.0.0.1:9/ding",
                                     secret="SECabc", district=city.district_a)
    return wecom, ding


@pytest.fixture
def with_email(city):
    for user in city.users.values():
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])
    return city


def test_assigning_a_problem_tells_the_unit_handlers_and_the_units_robot(city, with_email, robots,
                                                                          django_capture_on_commit_callbacks):
    problem = record(city)
    with django_capture_on_commit_callbacks() as callbacks:
        ledger.problem_assign(problem=problem, unit=city.office_a, by=city.district_lead)
    told = Notification.objects.filter(event="problem.assigned")
    assert {n.recipient for n in told if n.recipient} == {city.unit_handler}
    assert {n.robot for n in told if n.robot} == {robots[0]}
    mine = told.get(recipient=city.unit_handler)
    assert mine.url == f"/ledger/problems/{problem.pk}/"
    assert mine.context["code"] == problem.code
    assert set(Delivery.objects.filter(notification__in=told).values_list("channel", flat=True)) == {
        Channel.EMAIL, Channel.WECOM}
    assert callbacks, "the deliveries are handed to the worker after the commit"


def test_nothing_is_written_when_the_callers_transaction_rolls_back(city, robots):
    problem = record(city)
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.problem_assign(problem=problem, unit=city.office_a, by=city.district_lead)
        raise RuntimeError("the caller fails after notifying")
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_a_dedupe_key_never_reaches_the_same_recipient_twice(city, robots):
    first = notify("problem.overdue", units=[city.office_a], context={"code": "x", "days_overdue": 1},
                   dedupe_key="problem.overdue:1:2026-12-07")
    again = notify("problem.overdue", units=[city.office_a], context={"code": "x", "days_overdue": 1},
                   dedupe_key="problem.overdue:1:2026-12-07")
    assert len(first) == 2 and again == []
    assert Notification.objects.count() == 2


def test_inactive_and_unknown_recipients_are_skipped_and_logged(city, caplog):
    city.unit_handler.is_active = False
    city.unit_handler.save(update_fields=["is_active"])
    told = notify("problem.assigned", users=[city.unit_handler, 999_999, city.hq], context={"code": "x"})
    assert [n.recipient for n in told] == [city.hq]
    assert "unknown recipient 999999" in caplog.text
    assert "inactive recipient" in caplog.text


def test_closing_applied_tells_hq_and_the_district_lead_and_rejection_tells_the_unit(city):
    from ledger.choices import Status
    from ledger.tests.factories import problem_in

    problem = problem_in(city, Status.CLOSING_APPLIED)
    applied = Notification.objects.filter(event="problem.closing_applied")
    assert {n.recipient for n in applied} == {city.hq, city.district_lead}
    ledger.problem_verify(problem=problem, approved=False, note="未清洗干净", by=city.district_lead)
    rejected = Notification.objects.get(event="problem.closing_rejected")
    assert rejected.recipient == city.unit_handler
    assert rejected.context["reason"] == "未清洗干净"


def test_deliveries_start_pending_once_per_channel(city, with_email):
    told = notify("problem.assigned", users=[city.hq], context={"code": "x"})
    delivery = Delivery.objects.get(notification=told[0])
    assert (delivery.channel, delivery.status, delivery.attempts) == (Channel.EMAIL, DeliveryStatus.PENDING, 0)
