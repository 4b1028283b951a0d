"""The checklist pages: everyone on staff reads them, only HQ edits; editing a used checklist
makes a new version and old inspections keep theirs."""

import pytest

from inspections.choices import Outcome
from inspections.models import Checklist, ChecklistVersion
from inspections.tests.factories import MARKET_ITEMS, inspect, market_checklist

pytestmark = pytest.mark.django_db

LIST = "/inspections/checklists/"


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def detail(category, suffix="") -> str:
    return f"/inspections/checklists/{category.pk}/{suffix}"


def formset_data(items, *, initial: int, name="农贸市场检查表", note="", extra: int = 1) -> dict:
    data = {"name": name, "note": note, "items-TOTAL_FORMS": str(len(items) + extra),
            "items-INITIAL_FORMS": str(initial), "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "1000"}
    for index, item in enumerate(items):
        data.update({
            f"items-{index}-code": item["code"], f"items-{index}-text_zh": item["text_zh"],
            f"items-{index}-text_en": item.get("text_en", ""), f"items-{index}-points": str(item["points"]),
            f"items-{index}-severity": item.get("severity", "general"),
        })
        if item.get("veto"):
            data[f"items-{index}-veto"] = "on"
        if item.get("delete"):
            data[f"items-{index}-DELETE"] = "on"
    for index in range(len(items), len(items) + extra):
        data[f"items-{index}-severity"] = "general"  # an untouched blank row
    return data


# --- Who may do what -------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_checklist_page(client, city):
    market_checklist(city)
    for path in (LIST, detail(city.market), detail(city.market, "edit/"), detail(city.market, "import/"),
                 detail(city.market, "export.xlsx")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/")


def test_member_of_the_public_may_not_read_checklists(city, login):
    market_checklist(city)
    client = login(city.public)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(city.market)).status_code == 403


@pytest.mark.parametrize("role", ["inspector", "district_lead", "other_district_lead", "leader", "unit_handler"])
def test_staff_read_checklists_but_only_hq_edits(city, login, role):
    market_checklist(city)
    client = login(getattr(city, role))
    page = client.get(detail(city.market))
    assert page.status_code == 200
    assert "活禽销售区域独立设置并封闭" in page.content.decode()
    assert f'href="{detail(city.market, "edit/")}"' not in page.content.decode()
    assert client.get(detail(city.market, "edit/")).status_code == 403
    items = [{**item, "points": 1} for item in MARKET_ITEMS]
    assert client.post(detail(city.market, "edit/"), formset_data(items, initial=5)).status_code == 403
    assert client.get(detail(city.market, "import/")).status_code == 403
    assert ChecklistVersion.objects.get().items.get(code="M01").points == 10


def test_unknown_category_is_404(city, login):
    assert login(city.hq).get("/inspections/checklists/99999/").status_code == 404


def test_list_shows_every_category_with_its_checklist_and_version(city, login):
    market_checklist(city)
    html = login(city.inspector).get(LIST).content.decode()
    for category in (city.market, city.restaurant, city.standard):
        assert f'data-category="{category.code}"' in html
    market_row = html[html.index(f'data-category="{city.market.code}"'):]
    market_row = market_row[:market_row.index("</tr>")]
    assert "农贸市场检查表" in market_row and "v1" in market_row and ">5<" in market_row
    restaurant_row = html[html.index(f'data-category="{city.restaurant.code}"'):]
    assert "None yet" in restaurant_row[:restaurant_row.index("</tr>")]


def test_checklist_list_runs_a_bounded_number_of_queries(city, login, django_assert_max_num_queries):
    market_checklist(city)
    client = login(city.hq)
    with django_assert_max_num_queries(8):
        assert client.get(LIST).status_code == 200


# --- Editing ---------------------------------------------------------------------------------------


def test_editing_an_unused_checklist_changes_it_in_place(city, login):
    market_checklist(city)
    client = login(city.hq)
    assert f'href="{detail(city.market, "edit/")}"' in client.get(detail(city.market)).content.decode()
    page = client.get(detail(city.market, "edit/")).content.decode()
    assert "changes it in place" in page
    items = [{**MARKET_ITEMS[0], "points": 12}, *MARKET_ITEMS[1:]]
    response = client.post(detail(city.market, "edit/"), formset_data(items, initial=5))
    assert response.status_code == 302
    version = ChecklistVersion.objects.get()
    assert version.number == 1
    assert version.items.get(code="M01").points == 12


def test_editing_a_used_checklist_makes_a_new_version_and_old_inspections_keep_theirs(city, login):
    market_checklist(city)
    inspection, _ = inspect(city, outcomes={"M01": Outcome.FAIL})
    client = login(city.hq)
    page = client.get(detail(city.market, "edit/")).content.decode()
    assert "Version 1 was used by 1 inspection, so saving makes a new version 2" in page
    items = [{**item} for item in MARKET_ITEMS]
    items[1]["delete"] = True  # drop M02
    items.append({"code": "M06", "text_zh": "无积水", "text_en": "No standing water", "points": 4})
    response = client.post(detail(city.market, "edit/"), formset_data(items, initial=5, note="加积水"), follow=True)
    assert "Version 2 of the checklist" in response.content.decode()
    current = Checklist.objects.get().current_version
    assert current.number == 2
    assert current.note == "加积水"
    assert list(current.items.values_list("code", flat=True)) == ["M01", "M03", "M04", "M05", "M06"]
    inspection.refresh_from_db()
    assert inspection.checklist_version.number == 1
    assert "M02" in inspection.checklist_version.items.values_list("code", flat=True)
    # The page shows both versions and the old one on request.
    html = client.get(detail(city.market)).content.decode()
    assert 'data-version="2"' in html and 'data-version="1"' in html
    old = client.get(detail(city.market), {"version": 1}).content.decode()
    assert "older version" in old and 'data-item="M02"' in old
    assert client.get(detail(city.market), {"version": 9}).status_code == 404


def test_hq_writes_a_first_checklist_for_a_category(city, login):
    client = login(city.hq)
    page = client.get(detail(city.restaurant, "edit/")).content.decode()
    assert "Saving makes version 1" in page
    items = [{"code": "R01", "text_zh": "证照齐全", "points": 10, "severity": "serious"},
             {"code": "R02", "text_zh": "生熟分开", "points": 20, "veto": True}]
    response = client.post(detail(city.restaurant, "edit/"), formset_data(items, initial=0, name="小餐饮检查表", extra=3))
    assert response.status_code == 302
    checklist = Checklist.objects.get(category=city.restaurant)
    assert checklist.name == "小餐饮检查表"
    r02 = checklist.current_version.items.get(code="R02")
    assert r02.veto and r02.points == 20


def test_a_code_used_twice_is_refused_and_nothing_changes(city, login):
    market_checklist(city)
    items = [{**item} for item in MARKET_ITEMS]
    items[1]["code"] = "M01"
    response = login(city.hq).post(detail(city.market, "edit/"), formset_data(items, initial=5))
    assert response.status_code == 400
    assert "This code is used twice." in response.content.decode()
    assert ChecklistVersion.objects.get().items.filter(code="M02").exists()


def test_points_must_be_between_0_and_100(city, login):
    market_checklist(city)
    items = [{**MARKET_ITEMS[0], "points": 120}, *MARKET_ITEMS[1:]]
    response = login(city.hq).post(detail(city.market, "edit/"), formset_data(items, initial=5))
    assert response.status_code == 400
    assert ChecklistVersion.objects.get().items.get(code="M01").points == 10


def test_deleting_every_item_is_refused(city, login):
    market_checklist(city)
    items = [{**item, "delete": True} for item in MARKET_ITEMS]
    response = login(city.hq).post(detail(city.market, "edit/"), formset_data(items, initial=5))
    assert response.status_code == 400
    assert "at least one item" in response.content.decode()
    assert ChecklistVersion.objects.get().items.count() == 5
