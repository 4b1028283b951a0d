"""The public channel on the task home (counts equal the list each link opens) and the
notification of a new report to moderate."""

import pytest
from django.test import override_settings

from campaign import tasks_home
from notifications.models import Notification
from public_reports import services
from public_reports.notifications import RECEIVED

from .factories import public_category, report
from .test_moderation_pages import _unsatisfied

pytestmark = pytest.mark.django_db


def _group(user, key):
    return {g.key: g for g in tasks_home.groups_for(user)}.get(key)


@override_settings(TASK_COUNTS_CACHE_SECONDS=0)
def test_reports_to_moderate_count_what_the_queue_link_lists(city, login):
    report(city)
    report(city)
    report(city, district=city.district_b)
    services.public_report_reject(report=report(city), by=city.hq, reason="not_found")
    for user, expected in ((city.hq, 3), (city.district_lead, 2), (city.other_district_lead, 1)):
        group = _group(user, "public_reports_to_moderate")
        assert tasks_home.counts(user, fresh=True)[group.key] == expected
        page = login(user).get(group.url(user))
        assert len(page.context["rows"]) == expected
    assert _group(city.unit_handler, "public_reports_to_moderate") is None
    assert _group(city.district_lead, "public_ratings_to_review") is None


@override_settings(TASK_COUNTS_CACHE_SECONDS=0)
def test_ratings_to_review_count_what_the_review_queue_lists(city, login):
    _unsatisfied(city)
    group = _group(city.hq, "public_ratings_to_review")
    assert tasks_home.counts(city.hq, fresh=True)[group.key] == 1
    assert len(login(city.hq).get(group.url(city.hq)).context["rows"]) == 1


def test_a_new_report_tells_its_district_lead_once(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        made = report(city, idempotency_key="same")
        report(city, idempotency_key="same")  # a retry of the same form
    told = Notification.objects.filter(event=RECEIVED)
    assert [n.recipient for n in told if n.recipient_id] == [city.district_lead]
    assert told.get(recipient=city.district_lead).context["code"] == made.code
    assert "13800138000" not in str(told.get(recipient=city.district_lead).context)


def test_a_report_without_a_district_tells_hq(city):
    services.public_report_submit(public_category=public_category(city), description="无位置的举报", consent=True)
    assert [n.recipient for n in Notification.objects.filter(event=RECEIVED)] == [city.hq]


def test_an_imported_message_tells_nobody(city):
    services.public_report_submit(public_category=None, description="历史留言", consent=False, channel="imported",
                                  district=city.district_a)
    assert not Notification.objects.filter(event=RECEIVED).exists()


def test_the_notification_reads_in_either_language_without_the_reporters_details(city):
    from notifications.events import get

    made = report(city)
    context = Notification.objects.get(event=RECEIVED, recipient=city.district_lead).context
    subject, body = get(RECEIVED).render(context, language="zh-hans")
    assert subject == f"新的公众举报 {made.code} 待审核" and made.description in body
    subject, body = get(RECEIVED).render(context, language="en")
    assert subject == f"New public report {made.code} to moderate"
    assert "13800138000" not in body and "李女士" not in body
