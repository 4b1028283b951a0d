"""indicators_by_part, edition_in_use and the demo step of the standard."""

import datetime
from decimal import Decimal

import pytest

from assessment.models import MaterialRequirement, StandardArticle, StandardPart
from assessment.selectors.standard import edition_in_use, indicators_by_part, standard_overview
from assessment.services import standard as standard_service
from campaign.choices import IndicatorDirection
from campaign.models import Indicator, IndicatorValue

from .standard_support import english  # noqa: F401 (autouse: messages in English)

pytestmark = pytest.mark.django_db


def _indicator(code, category, target, direction=IndicatorDirection.AT_LEAST):
    return Indicator.objects.create(code=code, name=code, category=category, target=Decimal(target),
                                    direction=direction)


def _value(indicator, month, value):
    IndicatorValue.objects.create(indicator=indicator, month=month, value=Decimal(value))


def test_edition_in_use_is_none_until_one_is_put_in_use(city):
    edition = standard_service.standard_load().edition
    assert edition_in_use() is None
    standard_service.standard_edition_use(edition=edition, actor=city.hq)
    assert edition_in_use() == edition


def test_indicators_by_part_judges_the_latest_value_up_to_the_date(city):
    edition = standard_service.standard_load(use=True).edition
    part3 = StandardPart.objects.get(edition=edition, number=3)
    part8 = StandardPart.objects.get(edition=edition, number=8)
    garbage = _indicator("IND01", city.standard, "100")
    sweeping = _indicator("IND03", city.standard, "80")
    _indicator("IND07", city.standard, "90")  # no value yet
    rodents = _indicator("IND10", part8.category, "3", IndicatorDirection.AT_MOST)
    _value(garbage, datetime.date(2026, 10, 1), "99.5")
    _value(garbage, datetime.date(2026, 11, 1), "100")  # met in November
    _value(sweeping, datetime.date(2026, 10, 1), "81")
    _value(sweeping, datetime.date(2026, 11, 1), "79")  # unmet in November
    _value(rodents, datetime.date(2026, 10, 1), "2.9")
    _value(rodents, datetime.date(2026, 12, 1), "3.5")
    # An article of part 1 holds the sweeping indicator too: it counts for part 1 as well.
    StandardArticle.objects.get(part__edition=edition, part__number=1, number="1").indicators.add(sweeping)

    november = indicators_by_part(edition=edition, as_of=datetime.date(2026, 11, 15))
    assert november[part3.pk] == {"total": 3, "met": 1, "unmet": 1, "no_value": 1}
    assert november[part8.pk] == {"total": 1, "met": 1, "unmet": 0, "no_value": 0}  # December not yet
    part1 = StandardPart.objects.get(edition=edition, number=1)
    assert november[part1.pk] == {"total": 1, "met": 0, "unmet": 1, "no_value": 0}
    october = indicators_by_part(edition=edition, as_of=datetime.date(2026, 10, 1))
    assert october[part3.pk] == {"total": 3, "met": 1, "unmet": 1, "no_value": 1}  # 99.5 < 100, 81 >= 80
    december = indicators_by_part(edition=edition, as_of=datetime.date(2026, 12, 31))
    assert december[part8.pk] == {"total": 1, "met": 0, "unmet": 1, "no_value": 0}
    before = indicators_by_part(edition=edition, as_of=datetime.date(2026, 9, 30))
    assert before[part3.pk] == {"total": 3, "met": 0, "unmet": 0, "no_value": 3}
    assert set(november) == set(StandardPart.objects.filter(edition=edition).values_list("pk", flat=True))

    views = standard_overview(edition=edition, as_of=datetime.date(2026, 11, 15))
    row = next(r for r in views[2].indicators if r.indicator == sweeping)
    assert row.value.value == Decimal("79") and row.met is False
    assert len(views) == 8 and len(views[0].articles) == 4 and views[0].articles[0].required


def test_the_demo_step_puts_the_standard_in_use_and_assigns_every_material(db, settings):
    from assessment.demo.standard import demo_standard_step
    from campaign.demo import demo_city_build

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = datetime.date(2026, 12, 6)
    demo_city_build(password="demo-password-for-tests", today=today)
    first = demo_standard_step(today=today)
    assert first.wrote
    edition = edition_in_use()
    assert edition.code == "2021"
    # Every part has its special team in the demo city.
    assert not StandardPart.objects.filter(edition=edition, team__isnull=True).exists()
    materials = MaterialRequirement.objects.filter(article__part__edition=edition, active=True)
    assert materials.count() == 88 and not materials.filter(responsible_unit__isnull=True).exists()
    assert materials.filter(due_date__lt=today).exists() and materials.filter(due_date__gt=today).exists()
    # A part's materials go to its team's lead or member units.
    for material in materials.select_related("article__part__team"):
        team = material.article.part.team
        allowed = {team.lead_unit_id, *team.member_units.values_list("pk", flat=True)}
        assert material.responsible_unit_id in allowed
    before = list(materials.order_by("pk").values_list("responsible_unit", "due_date"))
    second = demo_standard_step(today=today + datetime.timedelta(days=3))
    assert not second.wrote
    assert list(materials.order_by("pk").values_list("responsible_unit", "due_date")) == before
