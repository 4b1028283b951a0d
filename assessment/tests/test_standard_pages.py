"""The standard's pages: staff read, HQ writes (edition switch, a material's unit and date, Excel import)."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from assessment.models import MaterialRequirement, StandardArticle, StandardChange, StandardEdition
from assessment.services import standard as standard_service
from campaign.models import AuditEntry, Indicator, IndicatorValue

from .standard_support import english  # noqa: F401 (autouse: messages in English)

pytestmark = pytest.mark.django_db

STAFF = ("hq", "leader", "team_lead", "district_lead", "unit_handler", "inspector", "grid_chief", "road_chief")
NOT_HQ = ("leader", "team_lead", "district_lead", "unit_handler", "inspector")


@pytest.fixture
def edition(city):
    return standard_service.standard_load(use=True).edition


def test_staff_read_the_standard_page_with_parts_articles_and_materials(city, edition, login):
    Indicator.objects.create(code="IND03", name="城市道路机械化清扫率", category=city.standard, target=80)
    IndicatorValue.objects.create(indicator=Indicator.objects.get(code="IND03"), month=datetime.date(2026, 11, 1),
                                  value=79)
    for name in STAFF:
        page = login(city.users[name]).get(reverse("assessment:standard"))
        assert page.status_code == 200, name
        html = page.content.decode()
        assert all(f'id="part-{n}"' in html for n in range(1, 9))
        assert html.count('id="article-') == 40
        assert "城市道路机械化清扫率" in html and "79" in html
        assert ("title to fill in" in html) or ("待填写" in html)
        assert ("Import an edited workbook" in html) == (name == "hq")


def test_the_public_and_anonymous_cannot_read_it(city, edition, login):
    assert login(city.users["public"]).get(reverse("assessment:standard")).status_code == 403
    assert login(None).get(reverse("assessment:standard")).status_code == 302


def test_filters_narrow_the_materials(city, edition, login):
    material = MaterialRequirement.objects.filter(article__part__number=2).first()
    standard_service.material_requirement_assign(material=material, actor=city.hq, responsible_unit=city.office_a,
                                                 due_date=datetime.date(2026, 12, 1))
    client = login(city.hq)
    html = client.get(reverse("assessment:standard"), {"edition": "2021", "responsible_unit": city.office_a.pk}).content.decode()
    assert html.count('id="article-') == 1 and material.code in html
    html = client.get(reverse("assessment:standard"), {"edition": "2021", "part": 3}).content.decode()
    assert 'id="part-3"' in html and 'id="part-2"' not in html
    html = client.get(reverse("assessment:standard"), {"edition": "2021", "q": material.code}).content.decode()
    assert html.count('id="article-') == 1


def test_a_parameter_that_is_no_filter_still_shows_the_page(city, edition, login):
    assert login(city.hq).get(reverse("assessment:standard"), {"foo": "1"}).status_code == 200


def test_hq_switches_the_edition_others_cannot(city, edition, login, tmp_path):
    path = tmp_path / "e.yaml"
    import yaml

    data = yaml.safe_load(standard_service.DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
    data["edition"]["code"] = "2031"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    standard_service.standard_load(path=path)
    url = reverse("assessment:standard_use", args=["2031"])
    for name in NOT_HQ:
        assert login(city.users[name]).post(url).status_code == 404
    assert StandardEdition.objects.get(in_use=True).code == "2021"
    page = login(city.hq).get(reverse("assessment:standard"), {"edition": "2031"})
    assert url in page.content.decode()
    assert login(city.hq).post(url).status_code == 302
    assert StandardEdition.objects.get(in_use=True).code == "2031"


def test_hq_sets_a_materials_unit_and_due_date_others_cannot(city, edition, login):
    material = MaterialRequirement.objects.first()
    url = reverse("assessment:standard_material", args=[material.pk])
    for name in NOT_HQ:
        client = login(city.users[name])
        assert client.get(url).status_code == 404
        assert client.post(url, {"responsible_unit": city.office_a.pk, "due_date": "2027-01-31"}).status_code == 404
    client = login(city.hq)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"responsible_unit": city.office_a.pk, "due_date": "31/31/2027"})
    assert bad.status_code == 200
    material.refresh_from_db()
    assert material.due_date is None
    assert client.post(url, {"responsible_unit": city.office_a.pk, "due_date": "2027-01-31"}).status_code == 302
    material.refresh_from_db()
    assert material.responsible_unit == city.office_a and material.due_date == datetime.date(2027, 1, 31)
    change = StandardChange.objects.get(action="material_changed")
    assert change.actor == city.hq and change.details["changed"]["due_date"] == [None, "2027-01-31"]


def test_excel_download_is_audited_and_import_previews_then_confirms(city, edition, login):
    client = login(city.team_lead)
    response = client.get(reverse("assessment:standard_workbook", args=["2021"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert AuditEntry.objects.filter(action="export", target="standard 2021", actor=city.team_lead).exists()
    data = b"".join(response.streaming_content)
    assert client.get(reverse("assessment:standard_import", args=["2021"])).status_code == 404

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    sheet.cell(row=2, column=7, value="爱卫工作纳入议事日程")
    out = io.BytesIO()
    workbook.save(out)
    client = login(city.hq)
    url = reverse("assessment:standard_import", args=["2021"])
    upload = io.BytesIO(out.getvalue())
    upload.name = "edited.xlsx"
    preview = client.post(url, {"file": upload})
    html = preview.content.decode()
    assert preview.status_code == 200 and 'name="confirm"' in html
    assert StandardArticle.objects.get(part__number=1, number="1").title == ""  # nothing written yet
    fields = dict(re.findall(r'name="(data|token|name)" value="([^"]*)"', html))
    # A preview of another file is refused.
    tampered = client.post(url, {**fields, "data": fields["data"][:-8] + "AAAAAAA=", "confirm": "1"})
    assert tampered.status_code == 302
    assert StandardArticle.objects.get(part__number=1, number="1").title == ""
    done = client.post(url, {**fields, "confirm": "1"})
    assert done.status_code == 302
    assert StandardArticle.objects.get(part__number=1, number="1").title == "爱卫工作纳入议事日程"


def test_a_bad_workbook_shows_row_and_column_and_writes_nothing(city, edition, login):
    workbook = openpyxl.load_workbook(io.BytesIO(standard_service.standard_workbook(edition=edition)))
    workbook.active.cell(row=4, column=14, value="不存在的单位")
    out = io.BytesIO()
    workbook.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "bad.xlsx"
    html = login(city.hq).post(reverse("assessment:standard_import", args=["2021"]), {"file": upload}).content.decode()
    assert 'name="confirm"' not in html
    assert re.search(r'<td class="num">4</td>\s*<td>N</td>', html)
    assert not MaterialRequirement.objects.filter(responsible_unit__isnull=False).exists()


def test_the_page_in_chinese_marks_titles_to_fill_in(city, edition, login):
    html = login(city.hq).get(reverse("assessment:standard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "标题待填写" in html and "第 3 部分" in html and "导入修改后的工作簿" in html
