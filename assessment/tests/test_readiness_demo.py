"""The demo's readiness history (assessment/demo/readiness.py): on the demo city, twelve weekly
mock assessments drawn and inspected through the services give the readiness page real
differences between categories, and running it again adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessment.demo.readiness import WEEKS, demo_readiness_build
from assessment.models import DrawSize, MockAssessment, PassLine
from assessment.selectors.readiness import readiness_by_category
from inspections.choices import InspectionKind
from inspections.models import Inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_passwords(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def test_the_demo_gives_twelve_mock_assessments_and_real_differences_between_categories(demo_passwords):
    call_command("seed_demo", "--without-ledger", stdout=StringIO())  # the city and its checklists
    result = demo_readiness_build()
    assert result.rounds == WEEKS == MockAssessment.objects.count()
    assert Inspection.objects.filter(kind=InspectionKind.MOCK).count() == result.inspections > 200
    assert DrawSize.objects.count() == 8 and PassLine.objects.count() == 1
    rows = readiness_by_category(as_of=timezone.localdate())
    rated = [row["readiness"] for row in rows if row["readiness"] is not None]
    assert len(rated) == 8
    assert max(rated) - min(rated) > 0.3
    assert any(row["drag"] for row in rows)
    assert demo_readiness_build().rounds == 0  # idempotent
    assert MockAssessment.objects.count() == WEEKS
