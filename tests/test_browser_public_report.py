"""A resident's report from a phone to a paid reward, in Chromium: the resident reports with a
photo and the phone's location and gets a tracking code; HQ accepts it, the unit rectifies with
an after-photo, the district lead verifies; the resident follows the link, sees it closed with
the after-photo, rates it, and later sees the reward paid."""

import re
from decimal import Decimal

import pytest
from PIL import Image
from playwright.sync_api import expect

from ledger import services as ledger
from ledger.photos import photo_store
from ledger.tests.factories import jpeg_upload
from public_reports import services
from public_reports.choices import RewardStatus
from public_reports.models import PublicReport, Reward, RewardRule
from public_reports.tests.factories import public_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Inside the test city's bounds (below), as the phone's GPS reports it.
POSITION = {"latitude": 31.2304, "longitude": 121.4737, "accuracy": 18}


@pytest.fixture(autouse=True)
def public_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CITY_BOUNDS = (30.6, 120.8, 31.9, 122.1)


@pytest.fixture
def resident_phone(browser):
    """A resident's phone: 390×844, touch, Chinese, location allowed for the page."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN", geolocation=POSITION, permissions=["geolocation"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "garbage.jpg"
    Image.new("RGB", (1200, 900), (110, 90, 60)).save(path, format="JPEG")
    return path


def watch(page) -> list[str]:
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    return problems


def test_a_resident_reports_from_a_phone_follows_it_to_closing_rates_it_and_sees_the_reward_paid(
        live_server, resident_phone, city, photo):
    category = public_category(city)
    category.hint = "路边、小区内垃圾堆放未清运"
    category.save()
    RewardRule.objects.create(amount=Decimal("50"))
    page = resident_phone
    problems = watch(page)

    # The resident reports: category, a photo from the gallery, the phone's location.
    page.goto(f"{live_server.url}/report/")
    expect(page.locator("h1")).to_have_text("举报脏乱差")
    page.get_by_label(re.compile("垃圾乱堆")).check()
    gallery = page.locator("#field-photos input[type=file]").nth(1)
    gallery.set_input_files(str(photo))
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.locator("[data-place-status]")).to_have_text("已获取位置（精度约 18 米）。")
    assert page.locator("input[name=place_source]").input_value() == "gps"
    page.fill("#id_description", "小区北门垃圾桶满溢三天无人清运")
    page.fill("#id_reporter_mobile", "138 0013 8000")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="提交举报").click()

    # The answer: the tracking code and the follow link.
    expect(page.locator("h1")).to_have_text("感谢您的举报，我们已收到")
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"JB-\d{4}-\d{6}", code)
    follow = page.locator("#follow-link").input_value()
    report = PublicReport.objects.get(code=code)
    assert follow.endswith(f"/report/track/{code}/?k={report.follow_secret}")
    assert (round(float(report.latitude), 4), round(float(report.longitude), 4)) == (31.2304, 121.4737)
    assert report.location_accuracy_m == 18 and report.photos.count() == 1
    assert report.reporter_mobile == "13800138000"

    # HQ accepts it into the ledger for district A's office; the office rectifies with an
    # after-photo; the district lead verifies it on the spot.
    report = services.public_report_accept(report=report, by=city.hq, district=city.district_a, unit=city.office_a)
    problem = ledger.problem_acknowledge(problem=report.problem, by=city.unit_handler)
    after = photo_store(jpeg_upload("after.jpg", size=(800, 600), color=(30, 160, 80)), problem_id=problem.pk)
    problem = ledger.problem_apply_close(problem=problem, note="垃圾已清运，垃圾桶已清洗", photos=[after],
                                         by=city.unit_handler)
    ledger.problem_verify(problem=problem, approved=True, note="现场核实已整改", by=city.district_lead)

    # The resident follows the link: closed, with the after-photo.
    page.goto(follow)
    expect(page.locator("#tracking-stage")).to_have_attribute("data-stage", "closed")
    expect(page.locator("#tracking-stage")).to_have_text("已销号")
    image = page.locator("#after-photos img").first
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    steps = page.locator("#tracking-steps li.pub-step-done").evaluate_all("items => items.map(i => i.dataset.step)")
    assert steps == ["received", "accepted", "rectifying", "rectified", "closed"]
    content = page.content()
    assert "13800138000" not in content and "138****8000" not in content

    # They rate it.
    page.get_by_label("满意", exact=True).check()
    page.fill("#id_comment", "清理得很干净，谢谢")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#rating-given")).to_have_text("您对处理结果表示满意。")
    report.refresh_from_db()
    assert report.satisfied is True

    # The worker's sweep makes the reward due; HQ approves it and records the payment.
    assert services.rewards_create_due() == 1
    reward = Reward.objects.get(report=report)
    expect(page.locator("#reward")).to_have_count(0)  # the page as loaded before the sweep
    page.reload()
    expect(page.locator("[data-reward-status]")).to_have_attribute("data-reward-status", "pending")
    reward = services.reward_approve(reward=reward, by=city.hq)
    services.reward_pay(reward=reward, by=city.hq, payment_reference="PAY-2026-0001")
    page.reload()
    expect(page.locator("[data-reward-status]")).to_have_attribute("data-reward-status", RewardStatus.PAID)
    expect(page.locator("#reward")).to_contain_text("已发放")
    expect(page.locator("#reward")).to_contain_text("50.00")
    assert problems == []


def test_a_double_tap_on_send_makes_one_report_and_the_language_switch_gives_english(
        live_server, resident_phone, city, photo):
    public_category(city)
    page = resident_phone
    problems = watch(page)
    page.goto(f"{live_server.url}/report/")
    page.locator("button[name=language][value=en]").click()
    expect(page.locator("h1")).to_have_text("Report a dirty, messy or bad place")
    page.locator("input[name=public_category]").first.check()
    page.locator("#field-photos input[type=file]").nth(1).set_input_files(str(photo))
    page.fill("#id_address", "人民路12号")
    page.fill("#id_description", "Rubbish piled at the gate")
    page.locator("#id_consent").check()
    page.locator("[data-submit]").dblclick()
    expect(page.locator("h1")).to_have_text("Thank you: your report was received")
    assert PublicReport.objects.count() == 1
    # A refresh of the answer (the browser sends the same form again) is the same report.
    page.reload()
    expect(page.locator("#tracking-code")).to_have_text(PublicReport.objects.get().code)
    assert PublicReport.objects.count() == 1
    assert problems == []


def test_a_large_photo_is_made_smaller_on_the_phone_before_sending(live_server, resident_phone, city, tmp_path):
    import os

    public_category(city)
    big = tmp_path / "big.jpg"
    Image.frombytes("RGB", (3000, 2250), os.urandom(3000 * 2250 * 3)).save(big, format="JPEG", quality=95)
    original = big.stat().st_size
    assert original > 3_000_000
    page = resident_phone
    problems = watch(page)
    sent = []
    page.on("request", lambda request: sent.append(len(request.post_data_buffer or b""))
            if request.method == "POST" and request.url.endswith("/report/") else None)
    page.goto(f"{live_server.url}/report/")
    page.locator("input[name=public_category]").first.check()
    page.locator("#field-photos input[type=file]").nth(1).set_input_files(str(big))
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.locator("input[name=place_source]")).to_have_value("gps")
    page.fill("#id_description", "路边垃圾")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="提交举报").click()
    expect(page.locator("#tracking-code")).to_be_visible()
    assert sent and sent[-1] < original / 2
    stored = PublicReport.objects.get().photos.get()
    assert max(stored.width, stored.height) == 2048
    assert problems == []


def test_a_point_tapped_on_a_gcj02_city_map_is_stored_in_wgs84(live_server, resident_phone, city, photo, settings):
    from campaign.geo import gcj02_to_wgs84

    public_category(city)
    # A tile server of the page's own origin (so the CSP admits it); its tiles need not exist.
    settings.MAP_TILE_URL = f"{live_server.url}/no-tiles/{{z}}/{{x}}/{{y}}.png"
    settings.MAP_TILE_CRS = "gcj02"
    page = resident_phone
    problems = watch(page)
    page.goto(f"{live_server.url}/report/")
    page.locator("input[name=public_category]").first.check()
    page.locator("#field-photos input[type=file]").nth(1).set_input_files(str(photo))
    canvas = page.locator("[data-pick-map]")
    expect(canvas).to_be_visible()
    canvas.click()
    expect(page.locator("input[name=place_source]")).to_have_value("map")
    expect(page.locator("[data-place-status]")).to_have_text("已在地图上选定地点。")
    picked = (float(page.locator("input[name=latitude]").input_value()),
              float(page.locator("input[name=longitude]").input_value()))
    page.fill("#id_description", "路边垃圾")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="提交举报").click()
    expect(page.locator("#tracking-code")).to_be_visible()
    report = PublicReport.objects.get()
    expected = gcj02_to_wgs84(*picked)
    assert abs(float(report.latitude) - expected[0]) < 2e-6 and abs(float(report.longitude) - expected[1]) < 2e-6
    assert abs(float(report.latitude) - picked[0]) > 1e-4  # the shift was applied
    assert [p for p in problems if "Failed to load resource" not in p] == []
