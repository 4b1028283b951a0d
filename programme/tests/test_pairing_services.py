"""Pairs, tasks and visits move only by the services' explicit transitions, each move recorded."""

import datetime as dt

import pytest
from django.utils import timezone

from campaign.photos import photo_store
from ledger.tests.factories import jpeg_upload
from programme.choices import PairingAction, PairTaskStatus
from programme.models import PairingEvent, PairPhoto
from programme.services import pairing as services

from .pairing_factories import communities, done, pair, task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def setup(city):
    places = communities(city)
    p = pair(city, unit=city.office_a, community=places["甲一社区"])
    return places, p


def test_only_hq_pairs_units_with_communities(city, setup):
    places, _p = setup
    for role in ("leader", "district_lead", "unit_handler"):
        with pytest.raises(services.PairingForbidden):
            services.pair_create(actor=getattr(city, role), unit=city.office_b, community=places["乙一社区"],
                                 starts_on=dt.date(2025, 1, 1))


def test_a_unit_has_one_active_pair_with_a_community(city, setup):
    places, _p = setup
    with pytest.raises(services.PairingInvalid) as refused:
        pair(city, unit=city.office_a, community=places["甲一社区"])
    assert "community" in refused.value.errors


def test_the_units_handler_records_a_task_done_with_evidence_and_photos(city, setup):
    _places, p = setup
    t = task(city, p, due_on=dt.date(2025, 3, 10))
    photo = photo_store(jpeg_upload(), folder="programme/pairing/test")
    moved = services.pair_task_complete(actor=city.unit_handler, task=t, done_on=dt.date(2025, 3, 8),
                                        note="清理楼道堆物 12 处", photos=[photo], expected_status="planned")
    assert (moved.status, moved.done_on, moved.done_by, moved.evidence_note) == (
        PairTaskStatus.DONE, dt.date(2025, 3, 8), city.unit_handler, "清理楼道堆物 12 处")
    assert PairPhoto.objects.get(task=t).uploaded_by == city.unit_handler
    event = PairingEvent.objects.get(task=t, action=PairingAction.TASK_DONE)
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        city.unit_handler, "planned", "done", "清理楼道堆物 12 处")


def test_a_task_done_needs_a_note_and_a_date_not_in_the_future(city, setup):
    _places, p = setup
    t = task(city, p, due_on=dt.date(2025, 3, 10))
    with pytest.raises(services.PairingInvalid) as refused:
        services.pair_task_complete(actor=city.hq, task=t, done_on=timezone.localdate() + dt.timedelta(days=1),
                                    note=" ")
    assert set(refused.value.errors) == {"note", "done_on"}


def test_another_units_handler_cannot_record_the_task(city, setup):
    from campaign.choices import Role
    from campaign.tests.factories import make_user

    _places, p = setup
    t = task(city, p, due_on=dt.date(2025, 3, 10))
    other = make_user("other_unit", Role.UNIT_HANDLER, unit=city.office_b)
    with pytest.raises(services.PairingForbidden):
        done(city, t, done_on=dt.date(2025, 3, 1), by=other)
    with pytest.raises(services.PairingForbidden):
        done(city, t, done_on=dt.date(2025, 3, 1), by=city.district_lead)


def test_the_transitions_are_explicit(city, setup):
    _places, p = setup
    t = task(city, p, due_on=dt.date(2025, 3, 10))
    done(city, t, done_on=dt.date(2025, 3, 1))
    with pytest.raises(services.PairingStale):  # done → done
        done(city, t, done_on=dt.date(2025, 3, 2))
    with pytest.raises(services.PairingStale):  # done → cancelled
        services.pair_task_cancel(actor=city.hq, task=t, reason="不需要了")
    with pytest.raises(services.PairingForbidden):  # only HQ reopens
        services.pair_task_reopen(actor=city.unit_handler, task=t, reason="证据不足")
    reopened = services.pair_task_reopen(actor=city.hq, task=t, reason="照片与任务不符")
    assert (reopened.status, reopened.done_on, reopened.done_by) == (PairTaskStatus.PLANNED, None, None)
    cancelled = services.pair_task_cancel(actor=city.hq, task=t, reason="社区已自行完成")
    with pytest.raises(services.PairingStale):  # cancelled is final
        done(city, cancelled, done_on=dt.date(2025, 3, 2))
    assert list(PairingEvent.objects.filter(task=t).values_list("action", "from_status", "to_status")) == [
        (PairingAction.TASK_ADDED, "", "planned"), (PairingAction.TASK_DONE, "planned", "done"),
        (PairingAction.TASK_REOPENED, "done", "planned"), (PairingAction.TASK_CANCELLED, "planned", "cancelled")]


def test_a_stale_page_is_refused(city, setup):
    _places, p = setup
    t = task(city, p, due_on=dt.date(2025, 3, 10))
    done(city, t, done_on=dt.date(2025, 3, 1))
    with pytest.raises(services.PairingStale):
        services.pair_task_reopen(actor=city.hq, task=t, reason="x", expected_status="planned")


def test_a_task_is_due_within_the_pairs_period(city, setup):
    places, _p = setup
    short = pair(city, unit=city.office_b, community=places["乙一社区"], ends_on=dt.date(2025, 6, 30))
    with pytest.raises(services.PairingInvalid) as refused:
        task(city, short, due_on=dt.date(2025, 7, 1))
    assert "due_on" in refused.value.errors


def test_visits_are_recorded_by_the_unit_and_never_in_the_future(city, setup):
    _places, p = setup
    visit = services.pair_visit_record(actor=city.unit_handler, pair=p, visited_on=dt.date(2025, 2, 1),
                                       visitors="王芳、李强", work_done="检查楼道卫生")
    assert PairingEvent.objects.get(visit=visit).action == PairingAction.VISIT_RECORDED
    with pytest.raises(services.PairingInvalid) as refused:
        services.pair_visit_record(actor=city.unit_handler, pair=p,
                                   visited_on=timezone.localdate() + dt.timedelta(days=1), visitors="", work_done="")
    assert set(refused.value.errors) == {"visited_on", "visitors", "work_done"}
    with pytest.raises(services.PairingForbidden):
        services.pair_visit_record(actor=city.district_lead, pair=p, visited_on=dt.date(2025, 2, 1),
                                   visitors="x", work_done="y")


def test_an_ended_pair_keeps_its_record_and_takes_no_more_work(city, setup):
    _places, p = setup
    t = task(city, p, due_on=dt.date(2025, 3, 10))
    with pytest.raises(services.PairingInvalid):
        services.pair_end(actor=city.hq, pair=p, ends_on=dt.date(2025, 6, 30), reason="")
    ended = services.pair_end(actor=city.hq, pair=p, ends_on=dt.date(2025, 6, 30), reason="年度结对结束")
    assert not ended.active and ended.tasks.get() == t
    with pytest.raises(services.PairingStale):
        services.pair_end(actor=city.hq, pair=ended, ends_on=dt.date(2025, 6, 30), reason="again")
    with pytest.raises(services.PairingStale):
        task(city, ended, due_on=dt.date(2025, 4, 1))
    with pytest.raises(services.PairingStale):
        services.pair_visit_record(actor=city.hq, pair=ended, visited_on=dt.date(2025, 4, 1), visitors="x",
                                   work_done="y")
    # The unit may pair with the community again once the old pair has ended.
    assert pair(city, unit=city.office_a, community=p.community).active
