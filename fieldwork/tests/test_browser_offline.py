"""The field app on a phone with the network switched off and on (issue 14, README "Field work
offline"), in Chromium: the inspector and the unit handler open the app once online, work with
no signal (the page itself served by the service worker), close and reopen the page, and their
work arrives once when the signal returns; a problem someone else moved meanwhile is a conflict
the person sees and resolves.

These run against the server side's API (idempotency keys, devices, GET /api/field/offline/).
"""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from campaign.choices import Role
from campaign.tests.factories import PASSWORD, make_user
from fieldwork.models import FieldDevice
from fieldwork.services.devices import device_revoke
from inspections.choices import InspectionStatus, Outcome
from inspections.models import Inspection, ItemResult, ResultPhoto, RoundPoint
from inspections.services import checklist_revise, inspection_start, round_point_reassign
from inspections.tests.factories import MARKET_ITEMS, this_weeks_round
from ledger import services as ledger_services
from ledger.choices import PhotoKind, Status
from ledger.models import EvidencePhoto, Problem
from ledger.tests.factories import record, stored_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def phone(browser):
    """A small phone (360 px wide, touch), set to Chinese; service workers allowed."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                            locale="zh-CN", service_workers="allow")
    context.set_default_timeout(20_000)
    # A sync sends several requests in turn on a loaded machine: give expectations 15 s (5 s default).
    expect.set_options(timeout=15_000)
    yield context
    expect.set_options(timeout=5_000)
    context.close()


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "camera.jpg"
    Image.new("RGB", (3000, 2000), (150, 60, 40)).save(path, format="JPEG", quality=95)
    return path


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def open_app_online(page, base_url):
    """The first visit with signal: the service worker takes the page and the copy is made."""
    page.goto(f"{base_url}/field/")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    expect(page.locator("#field-fresh")).to_have_attribute("data-fresh", "1")


def waiting(page):
    return page.locator("#field-queue-summary")


def test_an_inspector_fills_a_point_offline_reopens_the_page_and_it_arrives_once_with_its_photo(
    live_server, phone, city, photo
):
    inspection_round = this_weeks_round(city, quota=1)
    round_point = RoundPoint.objects.get(round=inspection_round)
    page = phone.new_page()
    sign_in(page, live_server.url, "inspector")
    open_app_online(page, live_server.url)
    card = page.locator(f"[data-round-point='{round_point.pk}'] a")
    expect(card).to_contain_text(round_point.sample_point.name)

    # No signal: the page reloads from the phone (the service worker), the copy is the stored one.
    phone.set_offline(True)
    page.reload()
    expect(page.locator("#field-net")).to_have_attribute("data-state", "offline")
    expect(page.locator("#field-fresh")).to_have_attribute("data-fresh", "0")
    page.locator(f"[data-round-point='{round_point.pk}'] a").click()

    item = lambda code: page.locator(f".field-item[data-code={code}]")  # noqa: E731
    item("M01").locator("label[data-outcome=fail]").click()
    item("M01").locator("textarea").fill("活禽区未封闭")
    item("M01").locator("textarea").press("Tab")
    item("M01").locator("input[type=file]").set_input_files(str(photo))
    expect(item("M01").locator("img.field-thumb")).to_have_count(1)
    expect(item("M01")).to_have_attribute("data-state", "waiting")
    for code, outcome in (("M02", "pass"), ("M03", "na"), ("M04", "pass"), ("M05", "pass")):
        item(code).locator(f"label[data-outcome={outcome}]").click()
        expect(item(code)).to_have_attribute("data-outcome", outcome)
    expect(page.locator("#field-answered")).to_have_attribute("data-answered", "5")
    page.locator("#field-submit").click()
    expect(page.locator("#field-submit-state")).to_have_attribute("data-state", "waiting")
    # start + five answers + submit, all on the phone.
    expect(waiting(page)).to_have_attribute("data-waiting", "7")
    assert not Inspection.objects.exists()

    # The page is closed and opened again, still without signal: the queue is still there.
    page.close()
    page = phone.new_page()
    page.goto(f"{live_server.url}/field/#/queue")
    expect(waiting(page)).to_have_attribute("data-waiting", "7")
    expect(page.locator(".field-entry[data-state=waiting]")).to_have_count(7)
    # The photo was shrunk on the phone before it was queued (3000 px -> 1600 px).
    width = page.evaluate("""async () => {
        const rows = await new Promise(r => { const o = indexedDB.open('hc-field');
          o.onsuccess = () => { const g = o.result.transaction('queue').objectStore('queue').getAll();
            g.onsuccess = () => r(g.result); }; });
        const blob = rows.find(e => e.kind === 'answer' && e.photos.length).photos[0].blob;
        return (await createImageBitmap(blob)).width; }""")
    assert width == 1600

    # The answer to the submission gets lost on its way back once: the phone sends it again with
    # the same key, and the server records it once.
    lost = {"done": False}

    def lose_the_answer(route):
        if lost["done"]:
            route.continue_()
            return
        lost["done"] = True
        route.fetch()
        route.abort("internetdisconnected")

    page.route("**/api/inspections/*/submit/", lose_the_answer)
    phone.set_offline(False)
    for _ in range(200):
        if lost["done"]:
            break
        page.wait_for_timeout(100)
    assert lost["done"]
    # The server has it; the phone does not know: the submission still waits, "no connection".
    submit_entry = page.locator(".field-entry[data-kind=submit]")
    expect(submit_entry).to_contain_text("上次尝试时无网络")
    expect(waiting(page)).to_have_attribute("data-waiting", "1")
    assert Inspection.objects.get().status == InspectionStatus.SUBMITTED
    page.locator("#field-send-now").click()
    expect(waiting(page)).to_have_attribute("data-waiting", "0")

    inspection = Inspection.objects.get()
    assert inspection.status == InspectionStatus.SUBMITTED and inspection.round_point_id == round_point.pk
    assert dict(ItemResult.objects.filter(inspection=inspection).values_list("item__code", "outcome")) == {
        "M01": Outcome.FAIL, "M02": Outcome.PASS, "M03": Outcome.NOT_APPLICABLE, "M04": Outcome.PASS,
        "M05": Outcome.PASS,
    }
    assert ItemResult.objects.get(inspection=inspection, item__code="M01").note == "活禽区未封闭"
    assert ResultPhoto.objects.count() == 1
    # The failed item is in the ledger once, with the photo as its before-photo.
    problem = Problem.objects.get()
    assert problem.sample_point_id == round_point.sample_point_id
    assert EvidencePhoto.objects.filter(problem=problem, kind=PhotoKind.BEFORE).count() == 1


def test_a_unit_handler_acknowledges_and_applies_to_close_offline_and_it_arrives_once(
    live_server, phone, city, photo
):
    problem = record(city, photos=[stored_photo()])
    problem = ledger_services.problem_assign(problem=problem, unit=city.office_a, by=city.district_lead)
    page = phone.new_page()
    sign_in(page, live_server.url, "unit_handler")
    open_app_online(page, live_server.url)
    expect(page.locator(f"[data-problem='{problem.pk}']")).to_contain_text(problem.code)
    # The problem's thumbnail is kept on the phone for offline use.
    page.wait_for_function(f"async () => (await (await caches.open('field-thumbs-{city.unit_handler.pk}')).keys()).length === 1")

    phone.set_offline(True)
    page.reload()
    page.locator(f"[data-problem='{problem.pk}'] a").click()
    page.wait_for_function("() => { const img = document.querySelector('#field-task .field-thumb');"
                           " return img && img.complete && img.naturalWidth > 0; }")
    page.locator("#field-ack-note").fill("收到，马上整改")
    page.locator("#field-ack-button").click()
    expect(page.locator("#field-task-status")).to_contain_text("等待发送")
    page.locator("#field-close-note").fill("已封闭活禽区并清洗")
    page.locator("#field-close-input").set_input_files(str(photo))
    expect(page.locator("#field-close-photos img")).to_have_count(1)
    page.locator("#field-close-button").click()
    expect(waiting(page)).to_have_attribute("data-waiting", "2")
    assert Problem.objects.get().status == Status.ASSIGNED

    page.close()
    page = phone.new_page()
    page.goto(f"{live_server.url}/field/#/queue")
    expect(page.locator(".field-entry[data-state=waiting]")).to_have_count(2)
    phone.set_offline(False)
    page.locator("#field-send-now").click()
    expect(waiting(page)).to_have_attribute("data-waiting", "0")

    problem.refresh_from_db()
    assert problem.status == Status.CLOSING_APPLIED
    assert EvidencePhoto.objects.filter(problem=problem, kind=PhotoKind.AFTER).count() == 1
    actions = list(problem.events.values_list("action", flat=True))
    assert actions.count("acknowledge") == 1 and actions.count("apply_close") == 1


def test_a_problem_someone_else_moved_while_the_phone_was_offline_is_shown_and_resolved(
    live_server, phone, city, photo
):
    problem = record(city)
    problem = ledger_services.problem_assign(problem=problem, unit=city.office_a, by=city.district_lead)
    page = phone.new_page()
    sign_in(page, live_server.url, "unit_handler")
    open_app_online(page, live_server.url)

    phone.set_offline(True)
    page.goto(f"{live_server.url}/field/#/task/{problem.pk}")
    page.locator("#field-ack-button").click()
    page.locator("#field-close-note").fill("已整改")
    page.locator("#field-close-input").set_input_files(str(photo))
    expect(page.locator("#field-close-photos img")).to_have_count(1)
    page.locator("#field-close-button").click()
    expect(waiting(page)).to_have_attribute("data-waiting", "2")

    # Meanwhile a colleague at the desk acknowledged it: the phone's version is stale.
    ledger_services.problem_acknowledge(problem=Problem.objects.get(), note="办公室已签收", by=city.unit_handler)

    phone.set_offline(False)
    page.locator("#field-send-now").click()
    conflict = page.locator("#field-task .field-conflict").first
    expect(conflict).to_be_visible()
    expect(conflict.locator(".field-conflict-now")).to_have_attribute("data-status", "rectifying")
    expect(conflict).to_contain_text("整改中")
    # Nothing dropped: both actions still listed; the closing application waits behind the conflict.
    expect(waiting(page)).to_have_attribute("data-waiting", "2")

    # The acknowledgement is no longer needed: discard it (a second tap confirms).
    discard = conflict.locator("[data-action^=discard]")
    discard.click()
    expect(discard).to_contain_text("再点一次")
    discard.click()
    page.locator("#field-send-now").click()
    # The application to close was made on the old version: shown too, and sent again on the new one.
    reapply = page.locator("#field-task .field-conflict [data-action=reapply]")
    expect(reapply).to_be_visible()
    reapply.click()
    expect(waiting(page)).to_have_attribute("data-waiting", "0")

    problem.refresh_from_db()
    assert problem.status == Status.CLOSING_APPLIED
    actions = list(problem.events.values_list("action", flat=True))
    assert actions.count("acknowledge") == 1 and actions.count("apply_close") == 1
    assert EvidencePhoto.objects.filter(problem=problem, kind=PhotoKind.AFTER).count() == 1


def test_a_checklist_replaced_while_the_phone_was_offline_keeps_the_answers_that_still_fit(live_server, phone, city):
    inspection_round = this_weeks_round(city, quota=1)
    round_point = RoundPoint.objects.get(round=inspection_round)
    page = phone.new_page()
    sign_in(page, live_server.url, "inspector")
    open_app_online(page, live_server.url)

    phone.set_offline(True)
    page.goto(f"{live_server.url}/field/#/point/{round_point.pk}")
    item = lambda code: page.locator(f".field-item[data-code={code}]")  # noqa: E731
    for code, outcome in (("M01", "fail"), ("M02", "pass"), ("M03", "pass"), ("M04", "pass"), ("M05", "pass")):
        item(code).locator(f"label[data-outcome={outcome}]").click()
        expect(item(code)).to_have_attribute("data-outcome", outcome)
    page.locator("#field-submit").click()
    expect(waiting(page)).to_have_attribute("data-waiting", "7")

    # Meanwhile HQ replaces the market checklist: M05 goes, M06 comes. (A version in use is kept,
    # so the revision makes a new one: HQ inspected a market of district B with it.)
    inspection_start(sample_point=city.points_b[0], kind="routine", by=city.hq)
    new_items = [*MARKET_ITEMS[:4], {"code": "M06", "text_zh": "公厕保洁到位", "text_en": "Toilets clean", "points": 5}]
    checklist_revise(category=city.market, items=new_items, by=city.hq)

    phone.set_offline(False)
    page.locator("#field-send-now").click()
    conflict = page.locator("#field-point .field-conflict[data-code=checklist_replaced]")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("M05")
    expect(conflict).to_contain_text("M06")
    assert not Inspection.objects.filter(round_point=round_point).exists()  # nothing on the old checklist

    conflict.locator("[data-action=use-new-checklist]").click()
    expect(item("M06")).to_be_visible()
    expect(item("M05")).to_have_count(0)
    expect(item("M01")).to_have_attribute("data-outcome", "fail")
    item("M06").locator("label[data-outcome=pass]").click()
    page.locator("#field-submit").click()
    expect(waiting(page)).to_have_attribute("data-waiting", "0")

    inspection = Inspection.objects.get(round_point=round_point)
    assert inspection.status == InspectionStatus.SUBMITTED
    assert list(inspection.checklist_version.items.values_list("code", flat=True).order_by("code")) == [
        "M01", "M02", "M03", "M04", "M06"]
    assert dict(ItemResult.objects.filter(inspection=inspection).values_list("item__code", "outcome")) == {
        "M01": Outcome.FAIL, "M02": Outcome.PASS, "M03": Outcome.PASS, "M04": Outcome.PASS, "M06": Outcome.PASS,
    }
    assert Problem.objects.count() == 1


def test_a_phone_hq_cut_off_stops_sending_and_signing_out_clears_the_phone(live_server, phone, city):
    problem = record(city)
    problem = ledger_services.problem_assign(problem=problem, unit=city.office_a, by=city.district_lead)
    page = phone.new_page()
    sign_in(page, live_server.url, "unit_handler")
    open_app_online(page, live_server.url)
    device = FieldDevice.objects.get(user=city.unit_handler)  # the phone registered itself

    phone.set_offline(True)
    page.goto(f"{live_server.url}/field/#/task/{problem.pk}")
    page.locator("#field-ack-button").click()
    expect(waiting(page)).to_have_attribute("data-waiting", "1")

    # The phone is reported lost: HQ cuts it off.
    device_revoke(device=device, by=city.hq, reason="手机遗失")
    # The signal returns: the phone's first request is refused, and it says so.
    phone.set_offline(False)
    banner = page.locator("#field-banner")
    expect(banner).to_have_attribute("data-reason", "revoked")
    expect(banner).to_contain_text("停用")
    expect(page.locator("#field-send-now")).to_be_disabled()
    # Nothing was recorded, and nothing was dropped on the phone.
    expect(waiting(page)).to_have_attribute("data-waiting", "1")
    assert Problem.objects.get().status == Status.ASSIGNED

    # Signing out (asked twice: something is unsent) leaves nothing of this person on the phone.
    logout = page.locator("#field-logout button")
    logout.click()
    expect(page.locator("#field-banner")).to_have_attribute("data-reason", "logout")
    logout.click()
    page.wait_for_url(re.compile(r".*/login/.*|.*/$"))
    left = page.evaluate("""async () => ({
        databases: (await indexedDB.databases()).map(d => d.name),
        caches: await caches.keys(),
        workers: (await navigator.serviceWorker.getRegistrations()).length })""")
    assert "hc-field" not in left["databases"]
    assert left["caches"] == [] and left["workers"] == 0


def test_a_point_reassigned_while_the_phone_was_offline_keeps_the_work_until_the_person_discards_it(
    live_server, phone, city
):
    inspection_round = this_weeks_round(city, quota=1)
    round_point = RoundPoint.objects.get(round=inspection_round)
    colleague = make_user("inspector_two", Role.INSPECTOR, district=city.district_a)
    page = phone.new_page()
    sign_in(page, live_server.url, "inspector")
    open_app_online(page, live_server.url)

    phone.set_offline(True)
    page.goto(f"{live_server.url}/field/#/point/{round_point.pk}")
    page.locator(".field-item[data-code=M01] label[data-outcome=fail]").click()
    expect(waiting(page)).to_have_attribute("data-waiting", "2")
    # Meanwhile the point goes to a colleague.
    round_point_reassign(round_point=round_point, inspector=colleague, by=city.hq)

    phone.set_offline(False)
    page.locator("#field-send-now").click()
    conflict = page.locator("#field-point .field-conflict[data-code=round_point_reassigned]")
    expect(conflict).to_be_visible()
    # The work is still shown (the point left the fresh copy, not the phone).
    expect(page.locator(".field-item[data-code=M01]")).to_have_attribute("data-outcome", "fail")
    expect(waiting(page)).to_have_attribute("data-waiting", "2")
    assert not Inspection.objects.exists()

    discard = conflict.locator("[data-action^=discard]")
    discard.click()
    discard.click()
    expect(waiting(page)).to_have_attribute("data-waiting", "0")
    page.goto(f"{live_server.url}/field/#/points")
    page.reload()
    expect(page.locator("#field-points .field-empty")).to_be_visible()
    assert not Inspection.objects.exists()


QUEUED = """async () => { const rows = await new Promise(r => { const o = indexedDB.open('hc-field');
    o.onsuccess = () => { const g = o.result.transaction('queue').objectStore('queue').getAll();
      g.onsuccess = () => { o.result.close(); r(g.result); }; }; });
  return rows.filter(e => e.state !== 'sent').length; }"""
DATABASES = "async () => (await indexedDB.databases()).map(d => d.name)"


def log_out_from_an_ordinary_page(page):
    # The menu's "Log out" button (the phone's collapsed menu aside): the form is submitted as a click would.
    page.locator("#user-menu form[data-signout]").evaluate("form => form.requestSubmit()")


def test_signing_out_from_an_ordinary_page_warns_about_unsent_entries_and_stays_by_default(live_server, phone, city):
    problem = record(city)
    problem = ledger_services.problem_assign(problem=problem, unit=city.office_a, by=city.district_lead)
    page = phone.new_page()
    sign_in(page, live_server.url, "unit_handler")
    open_app_online(page, live_server.url)
    phone.set_offline(True)
    page.goto(f"{live_server.url}/field/#/task/{problem.pk}")
    page.locator("#field-ack-button").click()
    expect(waiting(page)).to_have_attribute("data-waiting", "1")
    # Back in signal, but the entry is not sent yet (the server cannot be reached for writes).
    phone.route(re.compile(r".*/api/.*"), lambda route: route.abort() if route.request.method != "GET" else route.continue_())
    phone.set_offline(False)
    page.goto(f"{live_server.url}/notifications/")
    assert page.evaluate(QUEUED) == 1

    log_out_from_an_ordinary_page(page)
    guard = page.locator("dialog#signout-guard")
    expect(guard).to_be_visible()
    expect(guard).to_contain_text("1")
    expect(guard).to_contain_text("unit_handler")
    # "Stay signed in" is the default: Enter keeps the person signed in and the entry on the phone.
    page.keyboard.press("Enter")
    expect(guard).to_have_count(0)
    assert "/login/" not in page.url
    assert page.evaluate(QUEUED) == 1

    # Confirming signs out, and the server's Clear-Site-Data deletes the queue.
    log_out_from_an_ordinary_page(page)
    page.locator("dialog#signout-guard [data-choice=delete]").click()
    page.wait_for_url(re.compile(r".*/login/.*|.*/$"))
    page.wait_for_function("async () => !(await indexedDB.databases()).some(d => d.name === 'hc-field')")
    assert "hc-field" not in page.evaluate(DATABASES)
    phone.unroute(re.compile(r".*/api/.*"))


def test_signing_out_on_a_phone_that_never_used_the_field_app_asks_nothing(live_server, phone, city):
    page = phone.new_page()
    sign_in(page, live_server.url, "unit_handler")
    log_out_from_an_ordinary_page(page)
    page.wait_for_url(re.compile(r".*/login/.*|.*/$"))
    expect(page.locator("dialog#signout-guard")).to_have_count(0)
    # The check did not create the field app's database.
    assert "hc-field" not in page.evaluate(DATABASES)


def test_a_different_person_signing_in_never_gets_the_previous_persons_thumbnails_or_copy(live_server, phone, city):
    problem = record(city, photos=[stored_photo()])
    problem = ledger_services.problem_assign(problem=problem, unit=city.office_a, by=city.district_lead)
    other = make_user("unit_handler_b", Role.UNIT_HANDLER, unit=city.office_b)
    page = phone.new_page()
    sign_in(page, live_server.url, "unit_handler")
    open_app_online(page, live_server.url)
    mine = f"field-thumbs-{city.unit_handler.pk}"
    page.wait_for_function(f"async () => (await (await caches.open('{mine}')).keys()).length === 1")
    thumb = page.evaluate(f"async () => (await (await caches.open('{mine}')).keys())[0].url")
    # While A is signed in, offline, the worker answers A's thumbnail and copy from the phone.
    phone.set_offline(True)
    answered = "async (url) => { try { return (await fetch(url)).status; } catch (e) { return 'network error'; } }"
    assert page.evaluate(answered, thumb) == 200
    assert page.evaluate(answered, "/api/field/offline/?days=3") == 200
    # The field page is left first, so its own requests when the signal returns cannot race the sign-in.
    page.goto("about:blank")
    phone.set_offline(False)

    # A's session ends without signing out; B signs in on the same phone.
    phone.clear_cookies()
    sign_in(page, live_server.url, "unit_handler_b")
    page.wait_for_function(f"async () => !(await caches.keys()).includes('{mine}')")
    # Online, B's request for A's thumbnail goes to the server, which refuses it.
    assert page.evaluate(answered, thumb) != 200
    # Offline, neither A's thumbnail nor A's stored copy is given to B.
    phone.set_offline(True)
    assert page.evaluate(answered, thumb) == "network error"
    assert page.evaluate(answered, "/api/field/offline/?days=3") == 503
    phone.set_offline(False)
    # A's queue and copy stay on the phone for A (only the worker refuses them to B).
    assert "hc-field" in page.evaluate(DATABASES)
    assert other.pk != city.unit_handler.pk
