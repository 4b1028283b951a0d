"""The map page and where the map is offered: the ledger's Map tab (with its filters), the
leaders' dashboard, a sample point's page, and the tile layers the page is given."""

import html
import json

import pytest
from django.urls import reverse

MAP = reverse("maps:map")


def tiles_of(page: str):
    start = page.index('data-tiles="') + len('data-tiles="')
    return json.loads(html.unescape(page[start:page.index('"', start)]))


def test_anonymous_goes_to_login_and_the_public_gets_403(city, login):
    assert login(None).get(MAP).status_code == 302
    assert login(city.public).get(MAP).status_code == 403


@pytest.mark.parametrize("role", ["hq", "leader", "team_lead", "district_lead", "unit_handler", "inspector"])
def test_staff_open_the_map_with_the_ledger_filters(city, login, role):
    response = login(getattr(city, role)).get(MAP)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-map' in page and reverse("map-problems") in page
    assert 'name="overdue"' in page  # the ledger's own filter form
    assert ('href="/boundaries/"' in page) == (role == "hq")


def test_the_map_carries_the_query_to_its_data(city, login):
    page = login(city.hq).get(MAP, {"district": city.district_a.pk, "overdue": "true"}).content.decode()
    assert f'data-query="district={city.district_a.pk}&amp;overdue=true"' in page


def test_the_ledger_list_has_a_map_tab_with_its_filters(city, login):
    page = login(city.hq).get(reverse("ledger:problem_list"), {"district": city.district_a.pk}).content.decode()
    assert f'href="{MAP}?district={city.district_a.pk}"' in page


def test_the_dashboard_embeds_the_map(city, login):
    page = login(city.leader).get(reverse("reports:dashboard")).content.decode()
    assert 'data-map' in page and 'data-query=""' in page


def test_a_sample_points_page_shows_it_on_the_map_with_its_problems(city, login):
    """The map's panel (campaign/panels.py): the point's problems from the map API, and a link to
    the full map; a point without coordinates has no map."""
    point = city.points_a[0]
    point.latitude, point.longitude = "30.900000", "121.450000"
    point.save()
    page = login(city.hq).get(reverse("campaign:sample_point_detail", args=[point.pk])).content.decode()
    assert f'href="{MAP}?sample_point={point.pk}"' in page
    assert f'data-query="sample_point={point.pk}"' in page and 'id="point-map"' in page
    bare = city.points_a[1]
    bare.latitude = bare.longitude = None
    bare.save()
    page = login(city.hq).get(reverse("campaign:sample_point_detail", args=[bare.pk])).content.decode()
    assert 'id="point-map"' not in page


def test_tile_layers_follow_the_settings(city, login, settings):
    client = login(city.hq)
    settings.MAP_TILE_URL, settings.TIANDITU_KEY = "", ""
    assert tiles_of(client.get(MAP).content.decode()) == []
    settings.TIANDITU_KEY = "secret-key"
    layers = tiles_of(client.get(MAP).content.decode())
    assert [layer["url"].split("/")[3] for layer in layers] == ["vec_w", "cva_w"]
    assert all(layer["url"].endswith("tk=secret-key") and layer["subdomains"] == "01234567" for layer in layers)
    settings.MAP_TILE_URL = "https://gis.example.gov.cn/{z}/{x}/{y}.png"
    assert tiles_of(client.get(MAP).content.decode())[0]["url"] == settings.MAP_TILE_URL

