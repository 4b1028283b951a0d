"""An inspector on a phone inspects a market: answers half the checklist (a failure with a
note and a photo), loses the page (one answer still unsent, the connection gone), reopens the
draft, finds every answer, finishes, submits, and finds the problem in the ledger, in Chromium."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from campaign.tests.factories import PASSWORD
from inspections.choices import InspectionStatus, Outcome
from inspections.models import Inspection, ItemResult, ResultPhoto
from inspections.tests.factories import market_checklist
from ledger.choices import PhotoKind, Status
from ledger.models import Problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def failure_photo(tmp_path):
    path = tmp_path / "live-poultry.jpg"
    Image.new("RGB", (1200, 900), (150, 60, 40)).save(path, format="JPEG")
    return path


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def card(page, code):
    return page.locator(f".item-card[data-code={code}]")


def tap(page, code, outcome):
    card(page, code).locator(f"label[data-outcome={outcome}]").click()


def test_an_inspector_fills_a_checklist_on_a_phone_loses_the_page_resumes_and_submits(
    live_server, phone_page, city, failure_photo
):
    market_checklist(city)
    point = city.points_a[0]
    page = phone_page
    context = page.context
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": 30.90021, "longitude": 121.45032, "accuracy": 8})

    # Start an unannounced visit of the market; the phone's location is taken.
    sign_in(page, live_server.url, "inspector")
    page.goto(f"{live_server.url}/inspections/start/?point={point.pk}&kind=unannounced")
    expect(page.locator("#start-form [name=latitude]")).to_have_value(re.compile(r"^30\.9"))
    page.locator("#start-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/inspections/\d+/fill/$"))
    inspection = Inspection.objects.get()
    assert inspection.kind == "unannounced"
    assert inspection.latitude is not None and inspection.location_accuracy_m == 8

    # Big targets: at least 48 px high.
    box = card(page, "M01").locator("label[data-outcome=fail]").bounding_box()
    assert box["height"] >= 48
    expect(page.locator("#fill-count [data-answered]")).to_have_text("0")

    # M01 fails: a tap, a note, a photo from the camera; each is saved as it is given.
    tap(page, "M01", "fail")
    expect(card(page, "M01")).to_have_attribute("data-state", "saved")
    note = card(page, "M01").locator("[name=note]")
    note.fill("活禽区未封闭，笼具堆放在通道")
    note.press("Tab")
    photo_input = card(page, "M01").locator("input[type=file]")
    expect(photo_input).to_have_attribute("capture", "environment")
    photo_input.set_input_files(str(failure_photo))
    expect(card(page, "M01").locator(".item-state img")).to_have_count(1)
    expect(card(page, "M01")).to_have_attribute("data-state", "saved")
    # The thumbnail comes from the scoped photo view and really loads.
    page.wait_for_function(
        "() => { const img = document.querySelector('.item-card[data-code=M01] .item-state img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    # A second, wrong shot is removed again before submission (its own button, no reload).
    photo_input.set_input_files(str(failure_photo))
    expect(card(page, "M01").locator(".item-state img")).to_have_count(2)
    card(page, "M01").locator(".photo-remove").nth(1).click()
    expect(card(page, "M01").locator(".item-state img")).to_have_count(1)
    assert ResultPhoto.objects.count() == 1

    # M02 passes.
    tap(page, "M02", "pass")
    expect(card(page, "M02")).to_have_attribute("data-state", "saved")
    expect(page.locator("#fill-count [data-answered]")).to_have_text("2")

    # The connection drops: M03 is kept on the phone, "not saved yet".
    context.set_offline(True)
    tap(page, "M03", "na")
    expect(card(page, "M03")).to_have_attribute("data-state", "pending")
    expect(card(page, "M03").locator(".st-pending")).to_be_visible()
    expect(page.locator("#fill-offline")).to_be_visible()
    assert ItemResult.objects.filter(inspection=inspection).count() == 2

    # The page is lost; later, back online, the inspector reopens the draft from the list.
    page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{live_server.url}/inspections/")
    page.locator(f"#my-drafts a[href$='/inspections/{inspection.pk}/fill/']").click()
    page.wait_for_url(f"**/inspections/{inspection.pk}/fill/")

    # Every answer is there: the saved ones from the server, the unsent one sent now.
    expect(card(page, "M01").locator("input[value=fail]")).to_be_checked()
    expect(card(page, "M01").locator("[name=note]")).to_have_value("活禽区未封闭，笼具堆放在通道")
    expect(card(page, "M01").locator(".item-state img")).to_have_count(1)
    expect(card(page, "M02").locator("input[value=pass]")).to_be_checked()
    expect(card(page, "M03").locator("input[value=na]")).to_be_checked()
    expect(card(page, "M03")).to_have_attribute("data-state", "saved")
    expect(page.locator("#fill-count [data-answered]")).to_have_text("3")
    assert dict(ItemResult.objects.filter(inspection=inspection).values_list("item__code", "outcome")) == {
        "M01": Outcome.FAIL, "M02": Outcome.PASS, "M03": Outcome.NOT_APPLICABLE,
    }
    # Resumed where it was left: the first unanswered item is on the screen.
    expect(card(page, "M04")).to_be_in_viewport()

    # Submitting asks first (the question opens under the button); too early, it names what is
    # still open.
    page.locator("#submit-button-open").click()
    expect(page.locator("#submit-button-question")).to_be_visible()
    page.locator("#submit-button").click()
    expect(page.locator("#fill-offline")).to_contain_text("M04")
    expect(card(page, "M04")).to_have_class(re.compile("is-missing"))
    assert Inspection.objects.get().status == InspectionStatus.DRAFT

    tap(page, "M04", "pass")
    tap(page, "M05", "pass")
    expect(card(page, "M04")).to_have_attribute("data-state", "saved")
    expect(card(page, "M05")).to_have_attribute("data-state", "saved")
    page.locator("#submit-button").click()
    page.wait_for_url(f"**/inspections/{inspection.pk}/")

    # The summary: the score (100 − 10 for the live poultry) and the problem raised.
    expect(page.locator("#inspection-score [data-score]")).to_have_text("90.0")
    expect(page.locator("#inspection-status")).to_have_attribute("data-status", "submitted")
    finding = page.locator("#inspection-problems [data-finding=new]")
    expect(finding).to_have_count(1)
    problem = Problem.objects.get()
    assert problem.finding_key == "MKT:M01"
    assert problem.status == Status.ASSIGNED

    # The ledger has it, with the photo taken in the field as its before-photo.
    page.goto(f"{live_server.url}/ledger/problems/")
    row = page.locator(f"tr[data-problem='{problem.code}']")
    expect(row).to_be_visible()
    row.locator("a").first.click()
    page.wait_for_url(f"**/ledger/problems/{problem.pk}/")
    before = page.locator("img[src*='/ledger/photos/']").first  # in the photos and in the history
    expect(before).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=before.element_handle())
    assert problem.photos.filter(kind=PhotoKind.BEFORE).count() == 1
    assert "活禽区未封闭" in problem.description
