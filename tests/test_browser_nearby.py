"""Recording on a phone: once a category and a place are chosen, the open problems of that
category nearby are listed with their distance, photo and link, before saving."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from ledger import services
from ledger.choices import Source
from ledger.tests.factories import stored_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_likely_duplicate_is_shown_before_saving(live_server, phone_page, city):
    known = services.problem_record(
        by=city.hq, category=city.market, district=city.district_a, description="垃圾桶满溢",
        source=Source.PUBLIC_REPORT, latitude=Decimal("30.900900"), longitude=Decimal("121.450000"),
        photos=[stored_photo()],
    )
    page = phone_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "inspector")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    page.goto(f"{live_server.url}/ledger/problems/new/")
    nearby = page.locator("#nearby")
    expect(nearby).to_be_hidden()

    page.select_option("#id_category", str(city.market.pk))
    page.fill("#id_latitude", "30.900000")
    page.fill("#id_longitude", "121.450000")
    expect(nearby).to_be_visible()
    expect(nearby).to_contain_text("相距 100 米")
    link = nearby.get_by_role("link", name=known.code)
    expect(link).to_have_attribute("href", f"/ledger/problems/{known.pk}/")
    thumbnail = nearby.locator("img")
    expect(thumbnail).to_have_count(1)
    page.wait_for_function("document.querySelector('#nearby img').naturalWidth > 0")

    page.select_option("#id_category", str(city.restaurant.pk))  # another category: nothing nearby
    expect(nearby).to_be_hidden()
    assert errors == []
