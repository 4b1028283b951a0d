"""Problem classes rectified as a class: the transitions and who may take them, the events,
the before/after counts, scope (404), the pages, the API, the task home and the notification."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from campaign import tasks_home
from campaign.choices import Role
from campaign.tests.factories import make_user
from ledger import class_services, services
from ledger.choices import ClassAction, ClassStatus, Status
from ledger.class_selectors import class_before_after
from ledger.models import Problem, ProblemClass, ProblemClassEvent, ProblemClassPhoto
from ledger.photos import class_photo_store
from ledger.services import LedgerConflict, LedgerForbidden, LedgerInvalid
from ledger.tests.api_support import client_for
from ledger.tests.factories import jpeg_upload, problem_in, record
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def photo(item):
    return class_photo_store(jpeg_upload(), class_id=item.pk)


@pytest.fixture
def poultry(city):
    """A class of district A with two problems, one closed, one in rectification."""
    item = services.problem_class_create(code="C01", name="活禽宰杀", category=city.market, by=city.hq,
                                         district=city.district_a)
    for status in (Status.CLOSED, Status.RECTIFYING):
        services.problem_classify(problem=problem_in(city, status), problem_class=item, by=city.hq)
    return item


def set_measure(city, item, *, by=None):
    return class_services.class_measure_set(
        problem_class=item, cause="市场无独立活禽区", measure="建封闭活禽交易区", unit=city.office_a,
        deadline=timezone.localdate() + datetime.timedelta(days=30), by=by or city.hq)


def applied(city, item):
    set_measure(city, item)
    return class_services.class_apply_close(problem_class=item, note="已建成封闭交易区", photos=[photo(item)],
                                            by=city.unit_handler)


# --- Transitions and who may take them -----------------------------------------------------------


def test_the_whole_way_to_closed_leaves_the_problems_as_they_were(city, poultry):
    statuses = dict(Problem.objects.filter(problem_class=poultry).values_list("pk", "status"))
    assert poultry.status == ClassStatus.OPEN
    set_measure(city, poultry, by=city.district_lead)
    assert poultry.status == ClassStatus.MEASURE_SET and poultry.responsible_unit == city.office_a
    class_services.class_apply_close(problem_class=poultry, note="已建成", photos=[photo(poultry)],
                                     by=city.unit_handler)
    assert poultry.status == ClassStatus.CLOSING_APPLIED
    class_services.class_verify(problem_class=poultry, note="现场核实", by=city.hq)
    poultry.refresh_from_db()
    assert poultry.status == ClassStatus.CLOSED and poultry.verified_by == city.hq and poultry.verified_at
    # Closing the class closes none of its problems.
    assert dict(Problem.objects.filter(problem_class=poultry).values_list("pk", "status")) == statuses
    assert Problem.objects.filter(problem_class=poultry, status=Status.RECTIFYING).count() == 1


def test_every_change_is_an_event_with_who_when_from_to_and_why(city, poultry):
    applied(city, poultry)
    class_services.class_reject(problem_class=poultry, reason="交易区未封闭", by=city.district_lead)
    rows = list(ProblemClassEvent.objects.filter(problem_class=poultry).order_by("at", "id")
                .values_list("action", "from_status", "to_status", "actor__username", "note"))
    assert rows == [
        (ClassAction.OPEN, "", ClassStatus.OPEN, "hq", ""),
        (ClassAction.MEASURE_SET, ClassStatus.OPEN, ClassStatus.MEASURE_SET, "hq", ""),
        (ClassAction.APPLY_CLOSE, ClassStatus.MEASURE_SET, ClassStatus.CLOSING_APPLIED, "unit_handler", "已建成封闭交易区"),
        (ClassAction.REJECT, ClassStatus.CLOSING_APPLIED, ClassStatus.MEASURE_SET, "district_lead", "交易区未封闭"),
    ]
    measure = poultry.events.get(action=ClassAction.MEASURE_SET)
    assert measure.data["measure"] == "建封闭活禽交易区" and measure.data["unit_name"] == city.office_a.name
    assert ProblemClassPhoto.objects.filter(problem_class=poultry, event__action=ClassAction.APPLY_CLOSE).count() == 1


def test_the_database_refuses_to_rewrite_a_class_event(city, poultry):
    event = poultry.events.get()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        ProblemClassEvent.objects.filter(pk=event.pk).update(note="rewritten")


@pytest.mark.postgres
def test_postgres_refuses_to_delete_a_class_event_or_a_class(city, poultry):
    with pytest.raises(DatabaseError), transaction.atomic():
        ProblemClassEvent.objects.filter(problem_class=poultry).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        ProblemClass.objects.filter(pk=poultry.pk).delete()


@pytest.mark.parametrize("role", ["unit_handler", "inspector", "team_lead", "other_district_lead", "leader"])
def test_who_may_not_set_the_measure(city, poultry, role):
    with pytest.raises(LedgerForbidden):
        set_measure(city, poultry, by=getattr(city, role))
    assert ProblemClass.objects.get(pk=poultry.pk).status == ClassStatus.OPEN


def test_the_measure_needs_cause_measure_unit_and_a_deadline_not_past(city, poultry):
    base = {"problem_class": poultry, "cause": "c", "measure": "m", "unit": city.office_a,
            "deadline": timezone.localdate(), "by": city.hq}
    for change in ({"cause": " "}, {"measure": ""}, {"unit": None}, {"deadline": None},
                   {"deadline": timezone.localdate() - datetime.timedelta(days=1)}):
        with pytest.raises(LedgerInvalid):
            class_services.class_measure_set(**{**base, **change})
    assert poultry.events.count() == 1


def test_only_the_responsible_unit_applies_and_only_with_a_note_and_a_photo(city, poultry):
    set_measure(city, poultry)
    other_handler = make_user("handler_b", Role.UNIT_HANDLER, unit=city.office_b)
    with pytest.raises(LedgerForbidden):
        class_services.class_apply_close(problem_class=poultry, note="n", photos=[photo(poultry)], by=other_handler)
    with pytest.raises(LedgerForbidden):
        class_services.class_apply_close(problem_class=poultry, note="n", photos=[photo(poultry)],
                                         by=city.district_lead)
    with pytest.raises(LedgerInvalid):
        class_services.class_apply_close(problem_class=poultry, note="n", photos=[], by=city.unit_handler)
    with pytest.raises(LedgerInvalid):
        class_services.class_apply_close(problem_class=poultry, note=" ", photos=[photo(poultry)],
                                         by=city.unit_handler)
    assert ProblemClass.objects.get(pk=poultry.pk).status == ClassStatus.MEASURE_SET


def test_applying_before_a_measure_is_a_conflict(city, poultry):
    with pytest.raises(LedgerConflict):
        class_services.class_apply_close(problem_class=poultry, note="n", photos=[photo(poultry)],
                                         by=city.unit_handler)


def test_the_unit_and_the_applicant_may_not_verify(city, poultry):
    applied(city, poultry)
    for person in (city.unit_handler, city.inspector, city.other_district_lead):
        with pytest.raises(LedgerForbidden):
            class_services.class_verify(problem_class=poultry, by=person)
    # HQ applying for the unit may not verify its own application; another HQ member may.
    other = ProblemClass.objects.get(pk=poultry.pk)
    class_services.class_reject(problem_class=other, reason="照片不清", by=city.hq)
    class_services.class_apply_close(problem_class=other, note="补充照片", photos=[photo(other)], by=city.hq)
    with pytest.raises(LedgerForbidden):
        class_services.class_verify(problem_class=other, by=city.hq)
    class_services.class_verify(problem_class=other, by=make_user("hq2", Role.HQ_STAFF))
    assert ProblemClass.objects.get(pk=poultry.pk).status == ClassStatus.CLOSED


def test_a_rejection_needs_a_reason_counts_and_tells_the_unit(city, poultry, django_capture_on_commit_callbacks):
    applied(city, poultry)
    with pytest.raises(LedgerInvalid):
        class_services.class_reject(problem_class=poultry, reason=" ", by=city.hq)
    with django_capture_on_commit_callbacks(execute=True):
        class_services.class_reject(problem_class=poultry, reason="交易区未封闭", by=city.hq)
    poultry.refresh_from_db()
    assert (poultry.status, poultry.rejection_count, poultry.last_rejection_reason) == (
        ClassStatus.MEASURE_SET, 1, "交易区未封闭")
    told = Notification.objects.filter(event="problem_class.closing_rejected")
    assert list(told.values_list("recipient__username", flat=True)) == ["unit_handler"]


def test_a_stale_version_is_refused(city, poultry):
    set_measure(city, poultry)
    with pytest.raises(LedgerConflict):
        class_services.class_apply_close(problem_class=poultry, note="n", photos=[photo(poultry)],
                                         by=city.unit_handler, expected_version=1)


def test_verify_ledger_still_passes(city, poultry):
    applied(city, poultry)
    class_services.class_verify(problem_class=poultry, by=city.hq)
    call_command("verify_ledger", stdout=__import__("io").StringIO())


# --- Before and after ----------------------------------------------------------------------------


def _found(city, item, day: datetime.date):
    problem = record(city, found_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))))
    services.problem_classify(problem=problem, problem_class=item, by=city.hq)


def test_before_and_after_counts_per_week_by_hand(city):
    item = services.problem_class_create(code="C09", name="积水", by=city.hq)
    verified_on = datetime.date(2026, 3, 2)
    today = datetime.date(2026, 3, 18)  # 16 days after: two full weeks and two days of the third
    # Before (2026-02-02 .. 03-01): weeks starting 02-02, 02-09, 02-16, 02-23.
    for day in ("2026-01-30", "2026-02-02", "2026-02-08", "2026-02-09", "2026-02-20", "2026-02-23", "2026-03-01"):
        _found(city, item, datetime.date.fromisoformat(day))
    # After: week 03-02 one, week 03-09 none, week 03-16 one (today), one tomorrow (not counted yet).
    for day in ("2026-03-02", "2026-03-17", "2026-03-19"):
        _found(city, item, datetime.date.fromisoformat(day))
    ProblemClass.objects.filter(pk=item.pk).update(
        status=ClassStatus.CLOSED,
        verified_at=timezone.make_aware(datetime.datetime.combine(verified_on, datetime.time(9))))
    item.refresh_from_db()
    result = class_before_after(item, Problem.objects.all(), weeks=4, today=today)
    assert [w.start.isoformat() for w in result.before] == ["2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23"]
    assert [w.count for w in result.before] == [2, 1, 1, 2]  # 01-30 is outside the four weeks
    assert [w.count for w in result.after] == [1, 0, 1]
    assert [w.days for w in result.after] == [7, 7, 3]
    assert (result.before_total, result.after_total) == (6, 2)
    assert result.before_rate == 1.5  # 6 in 4 weeks
    assert result.after_rate == round(2 * 7 / 17, 2)  # 2 in 17 days
    assert result.change == round((2 * 7 / 17) / 1.5 - 1, 3)


def test_no_before_and_after_until_verified(city, poultry):
    assert class_before_after(poultry, Problem.objects.all()) is None


# --- Scope ------------------------------------------------------------------------------------------


@pytest.fixture
def class_b(city):
    """District B's class, answered for by B's office."""
    item = services.problem_class_create(code="CB", name="乙区暴露垃圾", by=city.other_district_lead)
    class_services.class_measure_set(problem_class=item, cause="c", measure="m", unit=city.office_b,
                                     deadline=timezone.localdate(), by=city.other_district_lead)
    return item


@pytest.mark.parametrize("role", ["district_lead", "unit_handler", "inspector", "team_lead"])
def test_out_of_scope_is_404_on_the_page_the_api_and_the_actions(city, login, class_b, role):
    user = getattr(city, role)
    client = login(user)
    assert client.get(reverse("ledger:class_detail", args=[class_b.pk])).status_code == 404
    assert client.post(reverse("ledger:class_act", args=[class_b.pk, "verify"]), {"verify-version": 2}).status_code == 404
    listed = client.get(reverse("ledger:class_list")).content.decode()
    assert "CB" not in re.sub(r'csrfmiddlewaretoken" value="[^"]*"', "", listed)  # tokens are random
    api = client_for(user)
    assert api.get(reverse("problemclass-detail", args=[class_b.pk])).status_code == 404
    assert api.post(reverse("problemclass-verify", args=[class_b.pk]), {}, format="json").status_code == 404


@pytest.mark.parametrize("role", ["hq", "leader", "other_district_lead"])
def test_hq_leaders_and_the_districts_lead_see_the_class(city, login, class_b, role):
    assert login(getattr(city, role)).get(reverse("ledger:class_detail", args=[class_b.pk])).status_code == 200


def test_the_responsible_units_handler_sees_and_acts_on_its_class(city, login, class_b):
    handler_b = make_user("handler_b", Role.UNIT_HANDLER, unit=city.office_b)
    html = login(handler_b).get(reverse("ledger:class_detail", args=[class_b.pk])).content.decode()
    assert 'data-action="apply_close"' in html and 'data-action="verify"' not in html


# --- Pages ---------------------------------------------------------------------------------------


def test_the_pages_take_the_class_from_measure_to_closed(city, login, poultry):
    url = reverse("ledger:class_detail", args=[poultry.pk])
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    response = login(city.district_lead).post(reverse("ledger:class_act", args=[poultry.pk, "measure-set"]), {
        "measure_set-version": 1, "measure_set-cause": "无独立活禽区", "measure_set-measure": "建封闭交易区",
        "measure_set-unit": city.office_a.pk, "measure_set-deadline": deadline})
    assert response.status_code == 302 and response["Location"] == url
    # Without a photo: the form again with the error, nothing changed.
    client = login(city.unit_handler)
    response = client.post(reverse("ledger:class_act", args=[poultry.pk, "apply-close"]),
                           {"apply_close-version": 2, "apply_close-note": "已建成"})
    assert response.status_code == 400
    assert ProblemClass.objects.get(pk=poultry.pk).status == ClassStatus.MEASURE_SET
    response = client.post(reverse("ledger:class_act", args=[poultry.pk, "apply-close"]),
                           {"apply_close-version": 2, "apply_close-note": "已建成", "apply_close-photos": jpeg_upload()})
    assert response.status_code == 302
    # The unit may not verify its own class.
    assert client.post(reverse("ledger:class_act", args=[poultry.pk, "verify"]),
                       {"verify-version": 3}).status_code == 403
    response = login(city.hq).post(reverse("ledger:class_act", args=[poultry.pk, "verify"]), {"verify-version": 3})
    assert response.status_code == 302
    html = login(city.hq).get(url).content.decode()
    assert 'data-status="closed"' in html and 'id="before-after-weeks"' in html
    assert html.count('class="border-start ps-2 mb-2 class-event"') == 4
    photo_row = ProblemClassPhoto.objects.get(problem_class=poultry)
    assert login(city.hq).get(reverse("ledger:class_photo", args=[photo_row.pk])).status_code == 200
    assert login(city.other_district_lead).get(reverse("ledger:class_photo", args=[photo_row.pk])).status_code == 404


def test_the_list_filters_by_state(city, login, poultry):
    services.problem_class_create(code="C02", name="其他", by=city.hq)
    set_measure(city, poultry)
    html = login(city.hq).get(reverse("ledger:class_list") + "?status=measure_set").content.decode()
    assert 'data-class="C01"' in html and 'data-class="C02"' not in html


# --- API -----------------------------------------------------------------------------------------


def test_the_api_runs_the_transitions_through_the_services(city, poultry):
    hq, lead, handler = client_for(city.hq), client_for(city.district_lead), client_for(city.unit_handler)
    response = lead.post(reverse("problemclass-measure", args=[poultry.pk]), {
        "cause": "无独立活禽区", "measure": "建封闭交易区", "unit": city.office_a.pk,
        "deadline": (timezone.localdate() + datetime.timedelta(days=9)).isoformat(), "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "measure_set"
    response = handler.post(reverse("problemclass-apply-close", args=[poultry.pk]),
                            {"note": "已建成", "photos": [jpeg_upload()]}, format="multipart")
    assert response.status_code == 200 and response.json()["status"] == "closing_applied"
    assert handler.post(reverse("problemclass-verify", args=[poultry.pk]), {}, format="json").status_code == 403
    assert hq.post(reverse("problemclass-reject", args=[poultry.pk]), {"reason": ""}, format="json").status_code == 400
    assert hq.post(reverse("problemclass-verify", args=[poultry.pk]), {"version": 1}, format="json").status_code == 409
    body = hq.post(reverse("problemclass-verify", args=[poultry.pk]), {}, format="json").json()
    assert body["status"] == "closed" and body["before_after"]["weeks"] == 4
    assert [event["action"] for event in body["events"]] == ["open", "measure_set", "apply_close", "verify"]
    listed = hq.get(reverse("problemclass-list") + "?status=closed").json()["results"]
    assert [row["code"] for row in listed] == ["C01"]
    assert hq.get(reverse("problemclass-list") + "?status=open").json()["results"] == []


# --- Task home -------------------------------------------------------------------------------------


def test_the_task_home_lists_classes_to_apply_for_and_to_verify(city, login):
    item = services.problem_class_create(code="C01", name="活禽宰杀", by=city.hq, district=city.district_a)
    groups = {group.key: group for group in tasks_home.groups_for(city.unit_handler)}
    set_measure(city, item)
    assert list(groups["classes_to_apply"].rows(city.unit_handler)) == [item]
    class_services.class_apply_close(problem_class=item, note="n", photos=[photo(item)], by=city.unit_handler)
    assert not groups["classes_to_apply"].rows(city.unit_handler).exists()
    assert 'data-class="C01"' not in login(city.unit_handler).get(
        reverse("ledger:class_list") + "?task=apply").content.decode()
    verify = {group.key: group for group in tasks_home.groups_for(city.hq)}["classes_to_verify"]
    assert list(verify.rows(city.hq)) == [item]
    assert list(verify.rows(city.district_lead)) == [item]
    assert not verify.rows(city.other_district_lead).exists()
    assert 'data-class="C01"' in login(city.district_lead).get(
        reverse("ledger:class_list") + "?task=verify").content.decode()
