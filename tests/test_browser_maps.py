"""The map as HQ meets it: upload the boundaries, open the ledger's map with its filters, see
the clusters and markers over the boundaries, open one and reach the problem; on a phone too."""

import json
import re
from decimal import Decimal

import pytest

from campaign.tests.test_geo import DISTRICT_A, DISTRICT_B, feature
from ledger.tests.factories import record
from tests.test_browser_csp import LISTEN, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mapped(city):
    """Three problems at A's market (a cluster) and one of district A's far from them; one of district B."""
    clustered = [record(city, description=f"污水{n}") for n in range(3)]
    # Recorded for district A, placed far east (in B's outlying polygon): never clustered with the three.
    alone = record(city, description="垃圾桶满溢", latitude=Decimal("30.860000"), longitude=Decimal("121.710000"))
    other = record(city, point=city.points_b[0], description="乙区问题",
                   latitude=Decimal("30.900000"), longitude=Decimal("121.550000"))
    return {"clustered": clustered, "alone": alone, "other": other}


def test_hq_uploads_boundaries_opens_the_ledger_map_and_reaches_a_problem(live_server, browser, city, mapped):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, "hq")

    page.goto(f"{live_server.url}/boundaries/")
    page.select_option("#id_kind", "district")
    page.select_option("#id_match_by", "code")
    geojson = {"type": "FeatureCollection", "features": [feature(DISTRICT_A, code="A"), feature(DISTRICT_B, code="B")]}
    page.set_input_files("#id_file", files=[{"name": "districts.geojson", "mimeType": "application/geo+json",
                                            "buffer": json.dumps(geojson).encode()}])
    page.click("main button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "2" in page.inner_text(".alert-success")

    # The ledger, filtered to district A, then its map tab with the same filter.
    page.goto(f"{live_server.url}/ledger/problems/?district={city.district_a.pk}")
    page.click(f"a.nav-link[href^='/maps/?district={city.district_a.pk}']")
    page.wait_for_url(re.compile(r".*/maps/\?district="))
    page.wait_for_selector("[data-map-ready]")
    page.wait_for_selector(".leaflet-overlay-pane path")  # the district boundaries are drawn
    assert page.locator(".leaflet-overlay-pane path").count() == 2
    page.wait_for_selector(".marker-cluster")
    assert page.inner_text(".marker-cluster").strip() == "3"
    status = page.inner_text("[data-map-status]")
    assert "4" in status  # 4 of 4 problems of district A (district B's is filtered out)
    assert page.locator(".leaflet-marker-icon.map-pin").count() == 1  # the lone problem; the 3 are clustered

    # Colour by overdue: the markers change class.
    page.click("[data-map-colour=overdue]")
    assert page.locator(".leaflet-marker-icon.map-pin-on-time").count() == 1

    page.click(".leaflet-marker-icon.map-pin")
    link = page.locator(".leaflet-popup-content a")
    assert link.inner_text() == mapped["alone"].code
    link.click()
    page.wait_for_url(re.compile(rf".*/ledger/problems/{mapped['alone'].pk}/$"))
    assert mapped["alone"].code in page.inner_text("main")
    assert page.evaluate("window.__cspViolations") == []
    context.close()


def test_the_map_fits_a_phone_and_its_cluster_opens(live_server, phone_page, city, mapped):
    sign_in(phone_page, live_server.url, "district_lead")
    phone_page.goto(f"{live_server.url}/maps/")
    phone_page.wait_for_selector("[data-map-ready]")
    phone_page.wait_for_selector(".marker-cluster")
    box = phone_page.locator("[data-map-canvas]").bounding_box()
    assert box["width"] <= 390 and box["height"] >= 300
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    # A district lead sees district A's problems only: B's problem is not on the map.
    assert "乙区问题" not in phone_page.content()
    phone_page.click(".marker-cluster")
    phone_page.wait_for_selector(".leaflet-marker-icon.map-pin >> nth=2")  # spiderfied: the three problems
