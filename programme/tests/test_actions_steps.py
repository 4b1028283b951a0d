"""An object's steps: the transition table, who may take each step, stale moves refused, every
step an event, photos through campaign/photos.py."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from campaign.photos import photo_store
from programme.choices import TargetStatus, TargetStep
from programme.models import ActionTarget
from programme.services import actions as services

from .actions_factories import add_target, make_action, photo_upload, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def _photo(target):
    return photo_store(photo_upload(), folder=f"programme/actions/{target.pk}")


def test_the_unit_starts_and_finishes_with_photos_and_the_team_lead_verifies(city):
    target = add_target(city, make_action(city))
    with pytest.raises(services.ActionInvalid, match="before the work"):
        services.target_step(target=target, step=TargetStep.START, by=city.unit_handler, note="进场")
    with pytest.raises(services.ActionConflict):  # never done without being started (and its before-photo)
        services.target_step(target=target, step=TargetStep.FINISH, by=city.unit_handler, photos=[_photo(target)])
    target = services.target_step(target=target, step=TargetStep.START, by=city.unit_handler, note="进场",
                                  photos=[_photo(target)])
    target = services.target_step(target=target, step=TargetStep.FINISH, by=city.unit_handler, photos=[_photo(target)],
                                  note="完工", expected_version=target.version)
    assert target.status == TargetStatus.DONE and target.done_at is not None
    target = services.target_step(target=target, step=TargetStep.VERIFY, by=city.team_lead)
    assert target.status == TargetStatus.VERIFIED
    events = list(target.events.order_by("seq").values_list("step", "from_status", "to_status", "actor__username"))
    assert events == [
        ("add", "", "not_started", "hq"),
        ("start", "not_started", "in_progress", "unit_handler"),
        ("finish", "in_progress", "done", "unit_handler"),
        ("verify", "done", "verified", "team_lead"),
    ]
    assert sorted(target.photos.values_list("kind", flat=True)) == ["after", "before"]


def test_the_unit_cannot_verify_its_own_object_nor_the_person_who_marked_it_done(city):
    target = add_target(city, make_action(city))
    target = start(target, city.hq)
    target = services.target_step(target=target, step=TargetStep.FINISH, by=city.hq, photos=[_photo(target)])
    with pytest.raises(services.ActionForbidden):
        services.target_step(target=target, step=TargetStep.VERIFY, by=city.unit_handler)
    with pytest.raises(services.ActionForbidden):
        services.target_step(target=target, step=TargetStep.VERIFY, by=city.hq)
    assert ActionTarget.objects.get(pk=target.pk).status == TargetStatus.DONE


def test_the_team_lead_never_checks_the_lead_units_nor_their_own_units_work(city):
    from campaign.choices import Role
    from campaign.tests.factories import make_user

    action = make_action(city)
    lead_units = add_target(city, action, name="市局自管公厕", unit=city.city_department)
    lead_units = start(lead_units, city.hq)
    lead_units = services.target_step(target=lead_units, step=TargetStep.FINISH, by=city.hq,
                                      photos=[_photo(lead_units)])
    assert TargetStep.VERIFY not in services.steps_open(lead_units, city.team_lead)
    for step, note in ((TargetStep.VERIFY, ""), (TargetStep.SEND_BACK, "未完成")):
        with pytest.raises(services.ActionForbidden):
            services.target_step(target=lead_units, step=step, by=city.team_lead, note=note)
    office_lead = make_user("office_lead", Role.TEAM_LEAD, team=city.team, unit=city.office_a)
    own = add_target(city, action, name="甲街道公厕", unit=city.office_a)
    own = start(own, city.hq)
    own = services.target_step(target=own, step=TargetStep.FINISH, by=city.hq, photos=[_photo(own)])
    with pytest.raises(services.ActionForbidden):
        services.target_step(target=own, step=TargetStep.VERIFY, by=office_lead)
    assert ActionTarget.objects.get(pk=own.pk).status == TargetStatus.DONE
    assert services.target_step(target=own, step=TargetStep.VERIFY, by=city.team_lead).status == TargetStatus.VERIFIED
    other_hq = make_user("hq2", Role.HQ_STAFF)
    assert services.target_step(target=lead_units, step=TargetStep.VERIFY, by=other_hq).status == TargetStatus.VERIFIED


def test_marking_done_needs_a_photo_and_sending_back_a_reason(city):
    target = start(add_target(city, make_action(city)), city.unit_handler)
    with pytest.raises(services.ActionInvalid, match="photo"):
        services.target_step(target=target, step=TargetStep.FINISH, by=city.unit_handler)
    target = services.target_step(target=target, step=TargetStep.FINISH, by=city.unit_handler, photos=[_photo(target)])
    with pytest.raises(services.ActionInvalid, match="why"):
        services.target_step(target=target, step=TargetStep.SEND_BACK, by=city.hq, note=" ")
    target = services.target_step(target=target, step=TargetStep.SEND_BACK, by=city.hq, note="门窗未更换")
    assert target.status == TargetStatus.IN_PROGRESS and target.done_at is None
    assert target.events.order_by("-seq").first().note == "门窗未更换"


def test_a_stale_version_and_an_illegal_move_are_refused_and_change_nothing(city):
    target = add_target(city, make_action(city))
    seen = target.version
    start(target, city.unit_handler)
    with pytest.raises(services.ActionConflict, match="changed"):
        services.target_step(target=target, step=TargetStep.FINISH, by=city.unit_handler, photos=[_photo(target)],
                             expected_version=seen)
    with pytest.raises(services.ActionConflict):
        services.target_step(target=target, step=TargetStep.VERIFY, by=city.hq)
    assert target.events.count() == 2
    assert ActionTarget.objects.get(pk=target.pk).status == TargetStatus.IN_PROGRESS


def test_another_units_handler_and_a_district_lead_may_not_move_the_object(city):
    from campaign.choices import Role
    from campaign.tests.factories import make_user

    other = make_user("other_unit", Role.UNIT_HANDLER, unit=city.office_b)
    target = add_target(city, make_action(city))
    for person in (other, city.district_lead, city.leader):
        with pytest.raises(services.ActionForbidden):
            services.target_step(target=target, step=TargetStep.START, by=person, photos=[_photo(target)])


def test_picking_a_sample_point_uses_its_unit_and_refuses_a_repeat_and_a_deadline_outside_the_period(city):
    action = make_action(city)
    point = city.points_a[0]
    target = services.action_target_pick(by=city.hq, action=action, sample_point=point, target_state="达标")
    assert (target.name, target.district, target.unit, target.deadline) == (
        point.name, point.district, point.responsible_unit, action.ends_on)
    with pytest.raises(services.ActionInvalid, match="already"):
        services.action_target_pick(by=city.hq, action=action, sample_point=point, target_state="达标")
    with pytest.raises(services.ActionInvalid, match="period"):
        services.action_target_pick(by=city.hq, action=action, sample_point=city.points_a[1], target_state="达标",
                                    deadline=action.ends_on + timedelta(days=1))
    assert target.events.get().step == TargetStep.ADD


def test_an_action_ending_before_it_starts_or_by_someone_else_than_hq_is_refused(city):
    today = timezone.localdate()
    with pytest.raises(services.ActionInvalid):
        services.action_create(by=city.hq, name="x", team=city.team, starts_on=today, ends_on=today - timedelta(days=1))
    with pytest.raises(services.ActionForbidden):
        services.action_create(by=city.leader, name="x", team=city.team, starts_on=today, ends_on=today)
