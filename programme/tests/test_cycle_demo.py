"""The supervision cycle's step of `manage.py seed_demo`: a two-weekly plan with its past rounds,
a quarterly appraisal plan, one cross-inspection round; written once."""

import pytest
from django.test import override_settings

from campaign.demo import DEMO_DISTRICT, demo_city_build
from inspections.choices import InspectionStatus
from inspections.demo import demo_checklists_build
from inspections.models import Inspection, Round, RoundPoint
from programme.choices import Recurrence
from programme.demo.cycle import APPRAISAL_NAME, PAST_PERIODS, ROUTINE_NAME, demo_cycle_step
from programme.models import RoundPlan

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_the_demo_cycle_has_past_rounds_an_appraisal_and_a_cross_round_once():
    demo_city_build(password="demo")
    from campaign.models import User

    demo_checklists_build(by=User.objects.get(username="hq"))
    report = demo_cycle_step()
    assert report.wrote
    routine = RoundPlan.objects.get(name=ROUTINE_NAME)
    rounds = list(routine.plan_rounds.select_related("round").order_by("period_start"))
    assert len(rounds) == PAST_PERIODS + 1
    assert all(r.round.district.code == DEMO_DISTRICT for r in rounds)
    past = [r.round for r in rounds[:-1]]
    assert Inspection.objects.filter(round_point__round__in=past, status=InspectionStatus.SUBMITTED).count() \
        == RoundPoint.objects.filter(round__in=past).count() > 0
    appraisal = RoundPlan.objects.get(name=APPRAISAL_NAME)
    assert appraisal.recurrence == Recurrence.QUARTERLY and appraisal.plan_rounds.count() == 1
    cross = Round.objects.get(cross_inspection=True)
    points = list(cross.points.select_related("inspector", "sample_point"))
    assert len({p.sample_point.district_id for p in points}) >= 2
    assert all(p.inspector.district_id not in (None, p.sample_point.district_id) for p in points)
    assert not demo_cycle_step().wrote
    assert Round.objects.filter(cross_inspection=True).count() == 1
