"""The Inspections menu in every page's header and the "Inspect this point" button on a sample
point's page: each role is offered only what its views accept."""

import pytest
from django.urls import reverse

from inspections.choices import InspectionStatus
from inspections.models import Inspection
from inspections.tests.factories import market_checklist

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("campaign:overview")
START = reverse("inspections:inspection_start")
EVERYONE = ["inspection_list", "score_overview", "checklist_list"]


def link(name: str) -> str:
    return f'href="{reverse(f"inspections:{name}")}"'


def point_url(point) -> str:
    return reverse("campaign:sample_point_detail", args=[point.pk])


@pytest.fixture(autouse=True)
def english(client):
    # A header, not the language cookie: signing in through login() clears the cookies.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.mark.parametrize(("actor", "starts", "rounds"), [
    ("hq", True, True),
    ("leader", False, True),
    ("team_lead", False, False),
    ("district_lead", True, True),
    ("unit_handler", False, False),
    ("inspector", True, True),
])
def test_the_menu_offers_each_role_what_it_may_open(city, login, actor, starts, rounds):
    client = login(getattr(city, actor))
    html = client.get(OVERVIEW).content.decode()
    for name in EVERYONE:
        assert link(name) in html
        assert client.get(reverse(f"inspections:{name}")).status_code == 200
    assert (link("inspection_start") in html) == starts
    assert (link("round_list") in html) == rounds
    assert (client.get(START).status_code == 200) == starts


def test_the_menu_is_marked_active_on_the_inspection_pages(city, login):
    html = login(city.inspector).get(reverse("inspections:score_overview")).content.decode()
    assert 'dropdown-toggle active" href="/inspections/"' in html


def test_the_public_is_offered_no_inspections(city, login):
    response = login(city.public).get(OVERVIEW)
    assert response.status_code == 403  # the error page still carries the header
    html = response.content.decode()
    assert 'id="main-menu"' in html
    assert link("inspection_list") not in html


@pytest.mark.parametrize("actor", ["inspector", "district_lead", "hq"])
def test_inspecting_roles_get_an_inspect_button_that_opens_the_point(city, login, actor):
    market_checklist(city)
    point = city.points_a[0]
    client = login(getattr(city, actor))
    html = client.get(point_url(point)).content.decode()
    start = f"{START}?point={point.pk}"
    assert f'href="{start}"' in html
    assert "Inspect this point" in html
    page = client.get(start)
    assert page.status_code == 200
    assert page.context["point"] == point
    assert f'name="point" value="{point.pk}"' in page.content.decode()


@pytest.mark.parametrize("actor", ["leader", "team_lead", "unit_handler"])
def test_roles_that_do_not_inspect_get_no_inspect_button(city, login, actor):
    html = login(getattr(city, actor)).get(point_url(city.points_a[0])).content.decode()
    assert "Inspect this point" not in html
    assert f"{START}?point=" not in html


def test_an_inactive_point_has_no_inspect_button(city, login):
    point = city.points_a[0]
    point.active = False
    point.save()
    assert "Inspect this point" not in login(city.hq).get(point_url(point)).content.decode()


def test_starting_from_the_points_page_inspects_that_point(city, login):
    market_checklist(city)
    point = city.points_a[0]
    client = login(city.inspector)
    response = client.post(START, {"point": point.pk, "kind": "routine"})
    inspection = Inspection.objects.get()
    assert response["Location"] == reverse("inspections:inspection_fill", args=[inspection.pk])
    assert inspection.sample_point == point and inspection.status == InspectionStatus.DRAFT
