"""The demo step: communities under every street office, two pairs per district with believable
progress (some done, some overdue, visits), the demo unit's own pair; run again, nothing."""

from django.utils import timezone

from campaign.choices import Role, UnitKind
from campaign.models import Community, District, Unit
from campaign.tests.factories import make_user
from programme.demo.pairing import demo_pairing_build
from programme.models import Pair, PairVisit
from programme.selectors.pairing import pairs_for, total_progress


def test_demo_pairing(db):
    for i in (1, 2):
        district = District.objects.create(code=f"D0{i}", name=f"{i}区")
        for name in (f"东风{i}街道办事处", f"湖滨{i}街道办事处"):
            Unit.objects.create(name=name, kind=UnitKind.STREET_OFFICE, district=district)
    Unit.objects.create(name="市卫健委", kind=UnitKind.DEPARTMENT)
    hq = make_user("hq", Role.HQ_STAFF)
    handler = make_user("unit", Role.UNIT_HANDLER, unit=Unit.objects.get(name="东风1街道办事处"))
    communities, pairs, done, visits = demo_pairing_build()
    assert communities == 8 == Community.objects.count()
    assert Community.objects.filter(name="东风1社区", street_office="东风1街道办事处").exists()
    assert pairs == 4 == Pair.objects.count()
    assert visits == PairVisit.objects.count() > 0
    total = total_progress(pairs_for(hq, today=timezone.localdate()))
    assert 0 < total.tasks_done < total.tasks_total and total.tasks_overdue > 0
    assert pairs_for(handler, today=timezone.localdate()).count() == 1
    assert demo_pairing_build() == (0, 0, 0, 0)
