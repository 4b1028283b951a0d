"""A problem's source reference is a link to its source with a human name ("暗访 · inspection:37"
showed an internal id): inspections register their kind with the ledger (ledger/sources.py)."""

import pytest
from django.utils import timezone

from inspections.choices import Outcome
from inspections.tests.factories import inspect, market_checklist
from ledger.models import Problem
from ledger.sources import source_link
from ledger.tests.factories import record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def found(city):
    market_checklist(city)
    inspection, _findings = inspect(city, outcomes={"M01": Outcome.FAIL})
    return inspection, Problem.objects.get(source_ref=f"inspection:{inspection.pk}")


def test_a_problem_found_by_an_inspection_links_to_it_by_point_and_date(city, login, found):
    inspection, problem = found
    client = login(city.hq)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(f"/ledger/problems/{problem.pk}/").content.decode()
    day = timezone.localtime(inspection.ended_at).date().isoformat()
    assert (f'<a href="/inspections/{inspection.pk}/" data-source-ref="inspection:{inspection.pk}">'
            f"Inspection of {city.points_a[0].name} on {day}</a>") in html
    assert client.get(f"/inspections/{inspection.pk}/").status_code == 200


def test_someone_who_cannot_see_the_inspection_gets_no_link_to_a_404(city, found):
    inspection, _problem = found
    link = source_link(f"inspection:{inspection.pk}", city.other_district_lead)
    assert link.url is None and link.text == f"inspection:{inspection.pk}"


def test_a_free_text_reference_is_shown_as_written(city, login):
    problem = record(city, by=city.hq, source_ref="市民来信 2026-118")
    html = login(city.hq).get(f"/ledger/problems/{problem.pk}/").content.decode()
    assert "市民来信 2026-118" in html and "data-source-ref" not in html
