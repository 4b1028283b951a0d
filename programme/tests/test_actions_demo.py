"""The demo's special actions: believable progress through the services, seeded once."""

import pytest

from campaign.models import Team
from campaign.tests.factories import make_category, make_sample_point
from programme.choices import TargetStatus
from programme.demo.actions import demo_actions_step
from programme.models import ActionTarget, SpecialAction, TargetEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_seeds_actions_with_progress_once(city):
    toilets = make_category("KP-TOILET", "公共厕所", "Public toilets")
    for number in range(12):
        district, unit = (city.district_a, city.office_a) if number % 2 else (city.district_b, city.office_b)
        make_sample_point(district=district, category=toilets, unit=unit, name=f"公厕{number}")
    Team.objects.create(code="T04", name="建筑工地组", leader_name="赵国强")
    report = demo_actions_step()
    assert report.wrote
    assert set(SpecialAction.objects.values_list("name", flat=True)) == {"公共厕所提档升级", "黄土裸露治理"}
    statuses = set(ActionTarget.objects.values_list("status", flat=True))
    assert {TargetStatus.DONE, TargetStatus.VERIFIED} <= statuses and len(statuses) >= 3
    for target in ActionTarget.objects.all():
        steps = list(target.events.order_by("seq").values_list("from_status", "to_status"))
        assert steps[0] == ("", TargetStatus.NOT_STARTED)
        assert all(previous[1] == current[0] for previous, current in zip(steps, steps[1:], strict=False))
        assert steps[-1][1] == target.status
        if target.status in (TargetStatus.DONE, TargetStatus.VERIFIED):
            assert target.photos.filter(kind="after").exists()
    # Verified by someone other than who marked it done.
    for event in TargetEvent.objects.filter(step="verify"):
        finished = event.target.events.get(step="finish")
        assert finished.actor_id != event.actor_id
    events = TargetEvent.objects.count()
    assert not demo_actions_step().wrote and TargetEvent.objects.count() == events
