"""The demo's vector-control surveys (``manage.py seed_demo``): the thresholds file, then twelve
months of surveys per district and species, recorded through the services, with real
differences — the last district lets mosquitoes breed in summer (Breteau index and containers
far past level C in June to August), the second keeps rodents around level C in its markets,
the others sit at A or B. Two failed surveys raise their ledger problems, as HQ would.

Idempotent: when surveys exist nothing is added (the thresholds are still loaded)."""

import random
from datetime import timedelta

from django.utils import timezone

from campaign.choices import CategoryKind
from campaign.demo_steps import DemoReport
from campaign.models import Category, District, SamplePoint, User

from ..models import VectorSurvey
from ..services.vectors import (
    CountInput,
    thresholds_load_file,
    vector_survey_raise_problems,
    vector_survey_record,
)
from ..vectors.indicators import Species

MONTHS = 12
# (species, place-type code, {indicator: (checked, base rate per checked)})
PLANS = (
    (Species.RODENT, "KP-MARKET", {"rodent_rooms": (120, 0.02), "rodent_path": (2000, 0.0018)}),
    (Species.MOSQUITO, "KP-OLDRES", {"mosquito_containers": (150, 0.008), "mosquito_breteau": (100, 0.02),
                                     "mosquito_path": (3000, 0.0001)}),
    (Species.FLY, "KP-CATER", {"fly_rooms": (100, 0.03), "fly_breeding": (60, 0.015)}),
    (Species.COCKROACH, "KP-CATER", {"cockroach_adults": (100, 0.02), "cockroach_eggs": (100, 0.01),
                                     "cockroach_traces": (100, 0.03)}),
)
SUMMER = (6, 7, 8)


def _factor(district_index: int, districts: int, species: str, month: int) -> float:
    """How much worse than the base a district does: the last one fails mosquitoes in summer,
    the second hovers at C for rodents, the first is the model district."""
    factor = 1.0 if district_index else 0.5
    if species == Species.MOSQUITO and month in SUMMER:
        factor *= 1.6
        if district_index == districts - 1:
            factor *= 4.0
    if species == Species.RODENT and district_index == 1:
        factor *= 2.2
    return factor


def demo_vectors_build() -> tuple[int, int, int]:
    """Returns (thresholds created, surveys recorded, problems raised)."""
    created, _updated = thresholds_load_file()
    if VectorSurvey.objects.exists():
        return created, 0, 0
    hq = User.objects.get(username="hq")
    rng = random.Random(27770)
    districts = list(District.objects.order_by("code"))
    places = {c.code: c for c in Category.objects.filter(kind=CategoryKind.KEY_PLACE)}
    today = timezone.localdate()
    surveys = 0
    failed: list[VectorSurvey] = []
    for months_ago in range(MONTHS - 1, -1, -1):
        index_of_month = today.year * 12 + today.month - 1 - months_ago
        month_start = today.replace(year=index_of_month // 12, month=index_of_month % 12 + 1, day=1)
        for index, district in enumerate(districts):
            for species, place_code, plan in PLANS:
                place = places.get(place_code)
                if place is None:
                    continue
                day = min(month_start + timedelta(days=8 + index * 2 + rng.randint(0, 4)), today)
                factor = _factor(index, len(districts), species, month_start.month)
                counts = {}
                for code, (checked, rate) in plan.items():
                    expected = checked * rate * factor * rng.uniform(0.6, 1.3)
                    positive = max(0, round(expected))
                    if code not in ("mosquito_breteau", "rodent_path", "mosquito_path"):
                        positive = min(positive, checked)
                    counts[code] = CountInput(checked=checked, positive=positive)
                points = list(SamplePoint.objects.filter(district=district, category=place, active=True)
                              .order_by("code")[:2]) if index == len(districts) - 1 else []
                survey = vector_survey_record(
                    by=hq, species=species, district=district, place_type=place, surveyed_on=day, counts=counts,
                    sample_points=points, surveyed_by="市疾病预防控制中心病媒生物防制科")
                surveys += 1
                if not survey.passed:
                    failed.append(survey)
    problems = 0
    for survey in failed[-2:]:
        problems += len(vector_survey_raise_problems(survey=survey, by=hq))
    return created, surveys, problems


def demo_vectors_step() -> DemoReport:
    created, surveys, problems = demo_vectors_build()
    if not surveys:
        return DemoReport(f"Vector thresholds: {created} added; surveys already present: none added.", wrote=bool(created))
    return DemoReport(f"Vector surveys seeded in {{seconds:.1f}} s: {created} thresholds, {surveys} surveys, "
                      f"{problems} problems raised from failed surveys.")


def demo_vectors_city_only() -> DemoReport:
    created, _updated = thresholds_load_file()
    return DemoReport(f"Vector thresholds: {created} added.", wrote=bool(created))

