"""The inbox, the settings page, HQ's delivery log and the API, as each person meets them."""

import pytest
from django.core import mail

from notifications import services
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Delivery, DigestChoice, Notification, Preference
from notifications.services import notify


def tell(user, code="2026-000001", **extra):
    return notify("problem.assigned", users=[user], context={"code": code, "deadline": "2026-12-07"}, **extra)[0]


def test_inbox_lists_my_notifications_unread_first_and_opening_one_marks_it_read(city, login):
    old = tell(city.unit_handler, code="2026-000001")
    services.notification_read(notification=old, user=city.unit_handler)
    new = tell(city.unit_handler, code="2026-000002")
    tell(city.hq, code="2026-000009")
    client = login(city.unit_handler)
    page = client.get("/notifications/").content.decode()
    assert page.index("2026-000002") < page.index("2026-000001")
    assert "2026-000009" not in page
    response = client.post(f"/notifications/{new.pk}/open/")
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.read_at is not None


def test_someone_elses_notification_is_a_404(city, login):
    other = tell(city.hq)
    assert login(city.unit_handler).post(f"/notifications/{other.pk}/read/").status_code == 404


def test_the_menu_shows_my_unread_count_and_it_falls_when_i_read_all(city, login,
                                                                     django_capture_on_commit_callbacks):
    tell(city.unit_handler, code="A")
    tell(city.unit_handler, code="B")
    client = login(city.unit_handler)
    page = client.get("/notifications/").content.decode()
    assert "data-unread-count>2<" in page, page[page.find("nav-inbox") - 100:page.find("nav-inbox") + 400]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/notifications/read-all/")
    assert "data-unread-count" not in client.get("/notifications/").content.decode()


def test_inbox_page_stays_within_its_query_budget(city, login, django_assert_max_num_queries):
    for number in range(30):
        tell(city.unit_handler, code=f"2026-{number:06d}")
    client = login(city.unit_handler)
    client.get("/notifications/")
    with django_assert_max_num_queries(14):
        assert client.get("/notifications/").status_code == 200


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/notifications/").status_code == 302


def test_delivery_log_is_for_hq_only_and_filters_by_status(city, login):
    city.hq.email = "hq@example.test"
    city.hq.save(update_fields=["email"])
    told = tell(city.hq)
    Delivery.objects.filter(notification=told).update(status=DeliveryStatus.FAILED, last_error="HTTP 500: boom")
    assert login(city.unit_handler).get("/notifications/deliveries/").status_code == 404
    page = login(city.hq).get("/notifications/deliveries/?status=failed").content.decode()
    assert "HTTP 500: boom" in page
    assert "HTTP 500: boom" not in login(city.hq).get("/notifications/deliveries/?status=sent").content.decode()


def test_preferences_turn_email_off_for_one_event(city, login):
    city.unit_handler.email = "unit@example.test"
    city.unit_handler.save(update_fields=["email"])
    client = login(city.unit_handler)
    assert "problem.assigned__email" in client.get("/notifications/settings/").content.decode()
    data = {"problem.due_tomorrow__email": "on", "problem.overdue__email": "on"}  # assigned: unticked
    assert client.post("/notifications/settings/", data).status_code == 302
    assert Preference.objects.get(user=city.unit_handler, event="problem.assigned", channel=Channel.EMAIL).enabled is False
    assigned = tell(city.unit_handler)
    assert not assigned.deliveries.exists()
    overdue = notify("problem.overdue", users=[city.unit_handler], context={"code": "x", "days_overdue": 2})[0]
    assert list(overdue.deliveries.values_list("channel", flat=True)) == [Channel.EMAIL]


def test_a_person_sees_only_the_events_of_their_role_in_settings(city, login):
    page = login(city.unit_handler).get("/notifications/settings/").content.decode()
    assert "problem.closing_applied__email" not in page


def test_daily_digest_holds_messages_and_sends_one_digest(city, django_capture_on_commit_callbacks):
    city.unit_handler.email = "unit@example.test"
    city.unit_handler.save(update_fields=["email"])
    DigestChoice.objects.create(user=city.unit_handler, daily_digest=True)
    first, second = tell(city.unit_handler, code="2026-000001"), tell(city.unit_handler, code="2026-000002")
    assert first.held_for_digest and not first.deliveries.exists()
    with django_capture_on_commit_callbacks(execute=False):
        assert services.digests_send() == 1
    digest = Notification.objects.get(event="notifications.digest")
    assert digest.in_inbox is False and digest.context["notification_ids"] == [first.pk, second.pk]
    delivery = digest.deliveries.get()
    assert services.delivery_send(delivery_id=delivery.pk) == "sent"
    assert "2026-000001" in mail.outbox[0].body and "2026-000002" in mail.outbox[0].body
    assert services.digests_send() == 0, "nothing new since the last digest"


def test_a_delivery_is_sent_once_however_often_its_task_runs(city):
    city.hq.email = "hq@example.test"
    city.hq.save(update_fields=["email"])
    delivery = tell(city.hq).deliveries.get()
    assert services.delivery_send(delivery_id=delivery.pk) == "sent"
    assert services.delivery_send(delivery_id=delivery.pk) == "not_mine"
    assert len(mail.outbox) == 1
    assert "2026-000001" in mail.outbox[0].subject


def test_a_recipient_revoked_after_the_event_is_skipped_and_logged(city, caplog):
    city.hq.email = "hq@example.test"
    city.hq.save(update_fields=["email"])
    delivery = tell(city.hq).deliveries.get()
    city.hq.is_active = False
    city.hq.save(update_fields=["is_active"])
    assert services.delivery_send(delivery_id=delivery.pk) == "skipped"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SKIPPED and "inactive" in delivery.last_error
    assert "skipped" in caplog.text and not mail.outbox


@pytest.mark.parametrize("language, expected", [("en", "was assigned to your unit"), ("zh-hans", "交办")])
def test_text_is_rendered_when_sent_in_the_recipients_language(city, settings, language, expected):
    settings.LANGUAGE_CODE = language
    message = services.message_for(tell(city.hq))
    assert expected in message.subject


def test_api_lists_my_notifications_and_marks_one_read(city, login):
    mine = tell(city.unit_handler)
    tell(city.hq)
    client = login(city.unit_handler)
    listed = client.get("/api/notifications/").json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert listed["results"][0]["read"] is False
    assert client.post(f"/api/notifications/{mine.pk}/read/").json()["read"] is True
    assert client.get("/api/notifications/?unread=true").json()["results"] == []
    assert login(None).get("/api/notifications/").status_code == 401
