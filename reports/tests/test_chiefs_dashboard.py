"""A grid or road chief's dashboard counts their cell's problems only (visible_to)."""

import pytest
from django.urls import reverse

from ledger import services
from ledger.tests.factories import record
from reports.dashboard import dashboard_counts

pytestmark = pytest.mark.django_db


def test_a_chiefs_dashboard_counts_their_cell_only(city, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    record(city, point=city.points_a[0])  # grid A
    services.problem_assign(problem=record(city, point=city.points_a[1]), unit=city.office_a,  # road A
                            by=city.district_lead)
    record(city, point=city.points_b[0])
    assert (dashboard_counts(user=city.grid_chief).open, dashboard_counts(user=city.road_chief).open) == (1, 1)
    assert dashboard_counts(user=city.hq).open == 3
    assert login(city.grid_chief).get(reverse("reports:dashboard")).status_code == 200
