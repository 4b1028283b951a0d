"""Communities come in from Excel through the one import path: every bad row named by row and
column, all or nothing, HQ only; the pages preview first and write on confirm."""

import pytest
from django.utils import translation

from campaign.importing.communities import plan_communities
from campaign.models import Community
from campaign.services.communities import CommunityImportError, communities_import
from campaign.tests.files.builders import csv_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["名称", "区县", "街道", "编号"]


def test_a_good_file_is_imported_whole_with_generated_codes(city):
    plan = plan_communities(xlsx_bytes([HEADER, ["甲一社区", "甲区", "甲街道办", ""], ["乙一社区", "B", "", "B-X1"]]))
    assert plan.ok, plan.errors
    made = communities_import(actor=city.hq, plan=plan)
    assert {(c.name, c.district.code, c.street_office, c.code) for c in made} == {
        ("甲一社区", "A", "甲街道办", "A-C001"), ("乙一社区", "B", "", "B-X1")}
    assert all(c.imported_by == city.hq for c in made)


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(city):
    Community.objects.create(district=city.district_a, name="已有社区", code="A-OLD")
    data = xlsx_bytes([
        ["社区名称 list"],  # a title line above the header
        ["名称", "区县", "街道", "编号"],
        ["甲一社区", "丙区", "", ""],        # row 3: unknown district
        ["甲二社区", "甲区", "", "A-OLD"],   # row 4: code already recorded
        ["甲三社区", "甲区", "", ""],        # row 5: fine
        ["甲三社区", "A", "", ""],           # row 6: same name in the same district as row 5
        ["", "甲区", "", ""],                # row 7: no name
        ["已有社区", "甲区", "", ""],        # row 8: already recorded in district A
    ])
    plan = plan_communities(data)
    assert not plan.ok
    assert {(e["row"], e["column"]) for e in plan.errors} == {
        (3, "区县"), (4, "编号"), (6, "名称"), (7, "名称"), (8, "名称")}
    assert [e["value"] for e in plan.errors if e["row"] == 3] == ["丙区"]
    with pytest.raises(CommunityImportError):
        communities_import(actor=city.hq, plan=plan)
    assert list(Community.objects.values_list("name", flat=True)) == ["已有社区"]


def test_a_file_without_a_district_column_or_unreadable_is_refused(city):
    with translation.override("en"):
        assert plan_communities(csv_bytes([["名称"], ["甲一社区"]])).errors[0]["message"] == (
            "The file has no District (区县) column.")
    assert plan_communities(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest").errors
    assert plan_communities(csv_bytes([["名称", "区县"], ["甲\x07社区", "甲区"]])).errors[0]["row"] == 2


def test_only_hq_imports(city):
    plan = plan_communities(xlsx_bytes([HEADER, ["甲一社区", "甲区", "", ""]]))
    with pytest.raises(CommunityImportError):
        communities_import(actor=city.district_lead, plan=plan)
    assert not Community.objects.exists()


def test_the_page_previews_then_imports_on_confirm(city, login):
    client = login(city.hq)
    data = xlsx_bytes([HEADER, ["甲一社区", "甲区", "", ""], ["乙一社区", "乙区", "", ""]])
    preview = client.post("/programme/pairing/communities/import/", {"file": upload("c.xlsx", data)})
    assert preview.status_code == 200
    assert 'id="import-preview"' in preview.content.decode()
    assert not Community.objects.exists()  # the preview writes nothing
    token = preview.context["token"]
    confirmed = client.post("/programme/pairing/communities/import/", {"token": token})
    assert confirmed.status_code == 302
    assert Community.objects.count() == 2
    # The same file again: every row is now "already recorded", nothing is written twice.
    again = client.post("/programme/pairing/communities/import/", {"token": token})
    assert again.status_code == 200 and Community.objects.count() == 2
    assert {e["row"] for e in again.context["plan"].errors} == {2, 3}


def test_the_page_lists_errors_and_offers_no_confirm(city, login):
    client = login(city.hq)
    data = xlsx_bytes([HEADER, ["甲一社区", "丙区", "", ""]])
    page = client.post("/programme/pairing/communities/import/", {"file": upload("c.xlsx", data)})
    body = page.content.decode()
    assert 'id="import-errors"' in body and "丙区" in body and 'id="import-confirm"' not in body


def test_a_forged_token_is_refused(city, login):
    page = login(city.hq).post("/programme/pairing/communities/import/", {"token": "forged"})
    assert page.status_code == 302 and not Community.objects.exists()


@pytest.mark.parametrize("role", ["district_lead", "unit_handler", "leader", "inspector"])
def test_others_do_not_find_the_import_page(city, login, role):
    assert login(getattr(city, role)).get("/programme/pairing/communities/import/").status_code == 404
