"""Notifications sent by a real Celery worker on Redis to local stand-ins for WeCom, DingTalk
and an SMTP server: an assignment reaches the unit once per channel, a dead receiver is retried
with backoff and then failed, a revoked recipient is skipped and logged."""

import uuid

import pytest
from django.db import transaction

from ledger import services as ledger
from ledger.tests.factories import record
from notifications import services as notifications
from notifications.choices import DeliveryStatus
from notifications.models import Delivery, GroupRobot
from tests.helpers import project_env, start_worker, stop_process, wait_for, worker_database_url
from tests.notification_receivers import DINGTALK_SECRET, SmtpServer, Webhooks

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

MAX_ATTEMPTS = 3


@pytest.fixture
def receivers():
    webhooks, smtp = Webhooks(slow_seconds=3), SmtpServer()
    yield webhooks, smtp
    webhooks.close()
    smtp.close()


@pytest.fixture
def worker(settings, receivers, tmp_path):
    webhooks, smtp = receivers
    settings.NOTIFICATIONS_QUEUE = f"notifications-test-{uuid.uuid4().hex[:10]}"
    log_path = tmp_path / "worker.log"
    env = project_env(
        DATABASE_URL=worker_database_url(), REDIS_URL=settings.REDIS_URL, DEBUG=None, REPORTS_CATCH_UP=0,
        NOTIFICATIONS_QUEUE=settings.NOTIFICATIONS_QUEUE, REPORTS_QUEUE=settings.NOTIFICATIONS_QUEUE,
        EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp.port, NOTIFICATION_HTTP_TIMEOUT=1,
        NOTIFICATION_MAX_ATTEMPTS=MAX_ATTEMPTS, NOTIFICATION_RETRY_BASE_SECONDS=1, NOTIFICATION_RETRY_MAX_SECONDS=2,
    )
    process = start_worker(env, log_path, queues=settings.NOTIFICATIONS_QUEUE)
    process.log = lambda: log_path.read_text()[-4000:] if log_path.exists() else ""
    yield process
    stop_process(process)


@pytest.fixture
def unit_city(city):
    for user in city.users.values():
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])
    return city


def statuses(ids):
    return sorted(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True))


def test_an_assignment_notifies_the_unit_once_per_channel(unit_city, receivers, worker):
    city, (webhooks, smtp) = unit_city, receivers
    GroupRobot.objects.create(name="甲街道企业微信群", platform="wecom", webhook_url=f"{webhooks.url}/wecom/ok",
                              unit=city.office_a)
    GroupRobot.objects.create(name="甲街道钉钉群", platform="dingtalk", webhook_url=f"{webhooks.url}/dingtalk/ok",
                              secret=DINGTALK_SECRET, unit=city.office_a)
    problem = record(city)
    ledger.problem_assign(problem=problem, unit=city.office_a, by=city.district_lead)
    ids = list(Delivery.objects.values_list("pk", flat=True))
    # The handler's email, the email of the chief of the grid the point lies in, the WeCom group,
    # the DingTalk group.
    assert len(ids) == 4
    sent = wait_for(lambda: statuses(ids) == [DeliveryStatus.SENT] * 4, timeout=60)
    assert sent, (statuses(ids), worker.log())

    # The task runs twice more for each delivery: nothing is sent again.
    notifications.deliveries_enqueue(delivery_ids=ids)
    notifications.deliveries_enqueue(delivery_ids=ids)
    assert wait_for(lambda: worker.log().count("'not_mine'") >= 8, timeout=60), worker.log()
    [(path, query, wecom)] = webhooks.to("/wecom/ok")
    assert problem.code in wecom["markdown"]["content"]
    assert f"/ledger/problems/{problem.pk}/" in wecom["markdown"]["content"]
    [(path, query, dingtalk)] = webhooks.to("/dingtalk/ok")
    assert Webhooks.dingtalk_signed(query) and problem.code in dingtalk["markdown"]["text"]
    assert sorted(recipients for recipients, _email in smtp.messages) == [
        ["grid_chief@example.test"], ["unit_handler@example.test"]]
    assert all(problem.code in email["Subject"] for _recipients, email in smtp.messages)


def test_a_dead_receiver_is_retried_with_backoff_then_failed(city, receivers, worker):
    webhooks, _smtp = receivers
    for name, url in (("500", f"{webhooks.url}/dead/500"), ("slow", f"{webhooks.url}/dead/slow"),
                      ("errcode", f"{webhooks.url}/dead/errcode"), ("refusing", "http://127.0.0.1:9/refused")):
        GroupRobot.objects.create(name=name, platform="wecom", webhook_url=url, unit=city.office_a)
    with transaction.atomic():
        told = notifications.notify("problem.overdue", units=[city.office_a],
                                    context={"code": "2026-000001", "days_overdue": 3})
    ids = list(Delivery.objects.filter(notification__in=told, notification__robot__isnull=False)
               .values_list("pk", flat=True))
    failed = wait_for(lambda: statuses(ids) == [DeliveryStatus.FAILED] * 4, timeout=90)
    assert failed, (statuses(ids), worker.log())
    errors = dict(Delivery.objects.filter(pk__in=ids).values_list("notification__robot__name", "last_error"))
    assert errors["500"].startswith("HTTP 500") and "93000" in errors["errcode"]
    assert "Timeout" in errors["slow"] and "ConnectionError" in errors["refusing"]
    assert set(Delivery.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {MAX_ATTEMPTS}
    assert len(webhooks.to("/dead/500")) == MAX_ATTEMPTS


def test_a_recipient_revoked_before_the_send_is_skipped_and_logged(unit_city, receivers, worker, caplog):
    city, (_webhooks, smtp) = unit_city, receivers
    with transaction.atomic():
        [told] = notifications.notify("problem.assigned", users=[city.unit_handler, 987_654],
                                      context={"code": "2026-000001"})
        city.unit_handler.is_active = False
        city.unit_handler.save(update_fields=["is_active"])
    assert "unknown recipient 987654" in caplog.text
    delivery = told.deliveries.get()
    assert wait_for(lambda: statuses([delivery.pk]) == [DeliveryStatus.SKIPPED], timeout=60), worker.log()
    delivery.refresh_from_db()
    assert "inactive" in delivery.last_error and "skipped" in worker.log()
    assert smtp.messages == []
