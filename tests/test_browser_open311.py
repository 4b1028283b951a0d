"""Open311 as HQ and another system meet it: HQ issues a key on a phone, copies it from the
only page that shows it, the other system posts a request with it and the request is in the
moderation queue; HQ revokes the key and the next post is refused in the spec's format."""

import json

import pytest
import requests

from public_reports.models import Open311Key, PublicReport
from public_reports.tests.factories import public_category
from tests.test_browser_csp import LISTEN, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hq_issues_a_key_a_system_posts_with_it_and_hq_revokes_it(live_server, browser, city):
    public_category(city)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, "hq")

    page.goto(f"{live_server.url}/public-reports/open311-keys/")
    page.fill("#id_name", "12345 热线")
    page.click("main button[type=submit]")
    raw = page.locator("[data-open311-key]").inner_text().strip()
    assert raw.startswith("o311_")
    # The table fits the phone's width: no sideways scrolling of the page.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    posted = requests.post(f"{live_server.url}/open311/v2/requests.json", data={
        "api_key": raw, "service_code": "garbage", "lat": "31.23", "long": "121.47",
        "description": "公交站旁垃圾堆放", "attribute[consent]": "yes"}, timeout=10)
    assert posted.status_code == 200
    [answer] = posted.json()
    report = PublicReport.objects.get(code=answer["service_request_id"])
    assert report.open311_key == Open311Key.objects.get()

    page.reload()  # the key is not shown again
    assert page.locator("[data-open311-key]").count() == 0
    assert page.locator(f"text={raw}").count() == 0
    page.click("tr[data-key] button[type=submit]")
    page.wait_for_selector("tr[data-key] .badge.text-bg-secondary")

    refused = requests.post(f"{live_server.url}/open311/v2/requests.xml", data={
        "api_key": raw, "service_code": "garbage", "lat": "31.23", "long": "121.47", "description": "再次",
        "attribute[consent]": "yes"}, timeout=10)
    assert refused.status_code == 403
    assert refused.text.lstrip().startswith("<?xml") and "<errors>" in refused.text
    assert page.evaluate("window.__cspViolations") == []
    assert json.loads(requests.get(f"{live_server.url}/open311/v2/requests.json", timeout=10).text)[0][
        "service_request_id"] == report.code
    context.close()
