"""A sample point's page shows the panels higher apps register (campaign/panels.py): the
ledger's problems of the point and the inspections' history, each loaded through visible_to."""

import pytest
from django.utils import translation

from campaign.choices import Role
from campaign.panels import SAMPLE_POINT, UNIT, Panel, panels_for, register_panel, render_panels
from campaign.tests.factories import make_user
from inspections.choices import Outcome
from inspections.tests.factories import inspect, market_checklist
from ledger import services as ledger
from ledger.choices import Source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """English pages; the language the requests activate is put back afterwards."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def inspected(city):
    """District A's market inspected twice by the inspector, one failed item each time."""
    market_checklist(city)
    first, _findings = inspect(city, outcomes={"M02": Outcome.FAIL})
    second, _findings = inspect(city, outcomes={"M03": Outcome.FAIL})
    return first, second


def page(login, user, point):
    return login(user).get(f"/sample-points/{point.pk}/")


def test_the_point_page_shows_its_problems_with_counts_and_ledger_links(city, login, inspected):
    point = city.points_a[0]
    response = page(login, city.hq, point)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="point-problems"' in html
    for problem in point.problems.all():
        assert f'data-problem="{problem.code}"' in html
    assert f'href="/ledger/problems/?sample_point={point.pk}" data-count="total">All 2<' in html
    assert f'href="/ledger/problems/?sample_point={point.pk}&amp;open=true" data-count="open">Open 2<' in html
    # The link leads to the ledger filtered by the point: the same two problems.
    listed = login(city.hq).get(f"/ledger/problems/?sample_point={point.pk}").content.decode()
    assert all(problem.code in listed for problem in point.problems.all())


def test_the_point_page_shows_its_inspection_history(city, login, inspected):
    point = city.points_a[0]
    html = page(login, city.district_lead, point).content.decode()
    assert 'id="point-inspections"' in html
    for inspection in inspected:
        assert f'data-inspection="{inspection.pk}"' in html
        assert f'href="/inspections/{inspection.pk}/"' in html
    assert 'data-submitted="2"' in html
    assert str(city.inspector) in html
    assert "95.0" in html  # M02 and M03 cost 5 points each


def test_panels_load_through_visible_to(city, login, inspected):
    """Another inspector of the district sees the point and its district's problems, but only
    the inspections they take part in: none here."""
    point = city.points_a[0]
    colleague = make_user("colleague", Role.INSPECTOR, district=city.district_a)
    html = page(login, colleague, point).content.decode()
    assert 'id="point-inspections"' in html and "data-inspection=" not in html
    assert 'data-count="total">All 2<' in html


def test_a_point_without_problems_says_so(city, login):
    html = page(login, city.hq, city.points_b[0]).content.decode()
    assert "No problem recorded at this point." in html
    assert "This point has not been inspected yet." in html


def test_another_districts_problem_count_is_not_shown_to_a_district_lead(city, login):
    ledger.problem_record(by=city.hq, category=city.market, sample_point=city.points_b[0], description="乱堆放",
                          source=Source.ROUTINE_SUPERVISION)
    assert page(login, city.district_lead, city.points_b[0]).status_code == 404


def test_a_registered_panel_is_rendered_for_its_kind_only(city, rf, settings, tmp_path):
    """A unit page's panels (e.g. accountability records) register the same way."""
    (tmp_path / "test_panel.html").write_text("<p>{{ note }} {{ object.name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]

    def context(request, obj):
        return {"note": "hello"} if obj.pk == city.office_a.pk else None

    register_panel(UNIT, Panel(name="test-note", template="test_panel.html", context=context))
    try:
        request = rf.get("/")
        request.user = city.hq
        assert [panel.name for panel in panels_for(UNIT)] == ["test-note"]
        assert render_panels(UNIT, request, city.office_b) == []
        assert render_panels(UNIT, request, city.office_a) == [f"<p>hello {city.office_a.name}</p>"]
        assert "test-note" not in [panel.name for panel in panels_for(SAMPLE_POINT)]
    finally:
        from campaign import panels

        panels._PANELS[UNIT].pop("test-note")


def test_the_panels_queries_do_not_grow_with_the_history(city, login, django_assert_max_num_queries):
    market_checklist(city)
    point = city.points_a[0]
    client = login(city.hq)
    inspect(city, outcomes={"M02": Outcome.FAIL})
    with django_assert_max_num_queries(30) as few:
        client.get(f"/sample-points/{point.pk}/")
    for code in ("M01", "M03", "M04", "M05"):
        inspect(city, outcomes={code: Outcome.FAIL})
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(f"/sample-points/{point.pk}/").content.decode()
    assert html.count("data-inspection=") == 5 and html.count("data-problem=") == 5
