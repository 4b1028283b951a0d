"""The default public list, its mapping to the city's ledger categories, and the reward defaults."""

from decimal import Decimal

import pytest

from campaign.choices import CategoryKind
from campaign.tests.factories import make_category
from ledger.choices import Severity
from public_reports.defaults import PUBLIC_CATEGORIES, public_categories_seed, reward_defaults_seed
from public_reports.models import PublicCategory, RewardPolicy, RewardRule

pytestmark = pytest.mark.django_db


def test_the_public_list_is_short_and_each_entry_has_both_names_and_a_hint():
    assert 8 <= len(PUBLIC_CATEGORIES) <= 14
    assert len({row.code for row in PUBLIC_CATEGORIES}) == len(PUBLIC_CATEGORIES)
    for row in PUBLIC_CATEGORIES:
        assert row.name and row.name_en and row.hint
        assert row.keywords or row.code == "other"


def test_each_public_category_maps_to_the_ledger_category_of_its_code(city):
    toilets = make_category("KP-TOILET", "公共厕所", "Public toilets")
    vectors = make_category("STD8", "病媒生物预防控制", "Vector control", CategoryKind.STANDARD)
    seeded = {c.code: c for c in public_categories_seed()}
    assert seeded["toilet"].category == toilets
    assert seeded["vectors"].category == vectors
    # The city has no catering category: the general one (STD3) stands in.
    assert seeded["catering"].category == city.standard
    assert seeded["garbage"].keywords.splitlines()[0] == "垃圾乱堆"


def test_seeding_again_adds_nothing_and_keeps_hq_changes(city):
    public_categories_seed()
    PublicCategory.objects.filter(code="garbage").update(name="垃圾", active=False)
    again = public_categories_seed()
    assert len(again) == PublicCategory.objects.count() == len(PUBLIC_CATEGORIES)
    garbage = PublicCategory.objects.get(code="garbage")
    assert (garbage.name, garbage.active) == ("垃圾", False)


def test_nothing_is_seeded_before_the_city_has_categories(db):
    assert public_categories_seed() == []
    assert not PublicCategory.objects.exists()


def test_reward_defaults_are_20_50_100_yuan_by_severity_with_a_500_cap(db):
    rules, policy = reward_defaults_seed()
    assert {(r.public_category_id, r.severity, r.amount) for r in rules} == {
        (None, Severity.GENERAL, Decimal(20)), (None, Severity.SERIOUS, Decimal(50)),
        (None, Severity.URGENT, Decimal(100))}
    assert policy.monthly_cap == Decimal(500) and policy.active


def test_reward_defaults_leave_hq_rules_alone(db):
    RewardRule.objects.create(severity=Severity.GENERAL, amount=Decimal(30))
    RewardPolicy.objects.create(pk=1, monthly_cap=Decimal(200))
    rules, policy = reward_defaults_seed()
    assert [r.amount for r in rules] == [Decimal(30)]
    assert policy.monthly_cap == Decimal(200)
