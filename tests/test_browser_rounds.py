"""The round page as HQ plans it, at a desk (1366 px) and on a phone (390 px), in Chinese:
the "改派" (reassign) button beside each point's inspector stays on one line."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD, make_sample_point, make_user
from inspections import services
from inspections.choices import InspectionKind
from inspections.tests.factories import market_checklist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The button's height when its text is one line: line height, padding and border.
ONE_LINE = """button => {
  const s = getComputedStyle(button);
  const px = v => parseFloat(v) || 0;
  return px(s.lineHeight) + px(s.paddingTop) + px(s.paddingBottom) + px(s.borderTopWidth) + px(s.borderBottomWidth);
}"""


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


@pytest.fixture
def drawn_round(city):
    market_checklist(city)
    for n in range(3):
        make_sample_point(district=city.district_a, category=city.market, unit=city.office_a,
                          name=f"甲区第{n}农贸市场（城东片区综合市场）")
    # Long names make the inspector's column tight.
    long_name = make_user("inspector_long", "inspector", district=city.district_a)
    long_name.full_name = "欧阳督查员（市爱卫办第二督查组）"
    long_name.save()
    inspection_round = services.round_create(
        name="暗访第47周", kind=InspectionKind.UNANNOUNCED, starts_on=date.today(),
        ends_on=date.today() + timedelta(days=6), quotas={city.market: 3}, by=city.hq, district=city.district_a,
    )
    services.round_draw(inspection_round=inspection_round, by=city.hq, seed=3)
    services.round_assign(inspection_round=inspection_round, inspectors=[city.inspector], by=city.hq)
    return inspection_round


@pytest.mark.parametrize("viewport", ["desk_page", "phone_page"])
def test_the_reassign_button_stays_on_one_line(live_server, request, drawn_round, viewport):
    page = request.getfixturevalue(viewport)
    sign_in(page, live_server.url, "hq")
    page.goto(f"{live_server.url}/inspections/rounds/{drawn_round.pk}/")
    buttons = page.locator("form.reassign-form button[type=submit]")
    expect(buttons.first).to_have_text("改派")
    assert buttons.count() == 3
    for index in range(buttons.count()):
        button = buttons.nth(index)
        button.scroll_into_view_if_needed()
        height = button.bounding_box()["height"]
        one_line = button.evaluate(ONE_LINE)
        assert height <= one_line + 1, f"{viewport}: the button is {height}px high, one line is {one_line}px"
