"""The standard's data file and load_standard: all or nothing, idempotent, editions side by side."""

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from assessment.models import (
    MaterialRequirement,
    StandardArticle,
    StandardChange,
    StandardEdition,
    StandardPart,
)
from assessment.services import standard as standard_service
from campaign.choices import CategoryKind
from campaign.models import Category, Indicator

from .standard_support import english  # noqa: F401 (autouse: messages in English)

pytestmark = pytest.mark.django_db

DATA = standard_service.DEFAULT_DATA_FILE


def _counts():
    return (StandardEdition.objects.count(), StandardPart.objects.count(), StandardArticle.objects.count(),
            MaterialRequirement.objects.count(), Category.objects.count())


def _write(tmp_path: Path, data: dict, name="edition.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _data() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def test_the_shipped_file_has_eight_parts_on_std1_to_std8_and_no_pasted_article_text():
    data = _data()
    assert data["edition"]["code"] == "2021"
    assert [p["number"] for p in data["parts"]] == list(range(1, 9))
    assert [p["category"] for p in data["parts"]] == [f"STD{n}" for n in range(1, 9)]
    numbers = [a["number"] for p in data["parts"] for a in p["articles"]]
    assert numbers == [str(n) for n in range(1, 41)]
    # No cited source for the article wording: every title is left for HQ.
    assert all(a["title"] == "" and a["title_en"] == "" for p in data["parts"] for a in p["articles"])
    codes = [m["code"] for p in data["parts"] for a in p["articles"] for m in a["materials"]]
    assert len(codes) == len(set(codes)) and all(a["materials"] for p in data["parts"] for a in p["articles"])
    assert "scholarmate.com" in DATA.read_text(encoding="utf-8")  # the header cites its source


def test_load_keeps_the_existing_category_and_its_indicators(city):
    indicator = Indicator.objects.create(code="IND01", name="生活垃圾无害化处理率", category=city.standard, target=100)
    report = standard_service.standard_load()
    part3 = StandardPart.objects.get(edition=report.edition, number=3)
    assert part3.category == city.standard  # STD3 of the city, not a copy
    assert part3.team == city.team  # T01 exists in this city
    assert list(part3.category.indicators.all()) == [indicator]
    assert Category.objects.filter(kind=CategoryKind.STANDARD).count() == 8
    assert StandardArticle.objects.filter(part__edition=report.edition).count() == 40
    # Teams this city does not have are left blank, with a warning naming the entry.
    assert StandardPart.objects.get(edition=report.edition, number=1).team is None
    assert any(w.startswith("parts[0].team") and "T05" in w for w in report.warnings)


def test_loading_twice_changes_nothing(city):
    first = standard_service.standard_load()
    assert first.created > 0
    before = _counts()
    changes = StandardChange.objects.count()
    second = standard_service.standard_load()
    assert not second.changed
    assert _counts() == before
    assert StandardChange.objects.count() == changes  # nothing recorded when nothing changed


def test_a_changed_file_updates_titles_and_deactivates_instead_of_deleting(city, tmp_path):
    standard_service.standard_load()
    data = _data()
    data["parts"][0]["articles"][0]["title"] = "爱国卫生工作纳入议事日程"
    dropped_material = data["parts"][0]["articles"][1]["materials"].pop()
    dropped_article = data["parts"][7]["articles"].pop()
    before = _counts()
    report = standard_service.standard_load(path=_write(tmp_path, data))
    assert report.updated >= 1 and report.deactivated >= 2
    assert _counts() == before  # nothing deleted
    assert StandardArticle.objects.get(part__number=1, number="1").title == "爱国卫生工作纳入议事日程"
    assert not MaterialRequirement.objects.get(code=dropped_material["code"]).active
    article = StandardArticle.objects.get(part__number=8, number=dropped_article["number"])
    assert not article.active and not article.materials.filter(active=True).exists()
    change = StandardChange.objects.filter(action="loaded").first()
    assert change.details["count"] >= 3
    # Putting them back makes them active again.
    standard_service.standard_load()
    assert MaterialRequirement.objects.get(code=dropped_material["code"]).active
    assert StandardArticle.objects.get(pk=article.pk).active


def test_a_bad_file_is_refused_naming_the_entry_and_nothing_is_written(city, tmp_path):
    data = _data()
    data["parts"][1]["articles"][2]["materials"][0]["code"] = data["parts"][0]["articles"][0]["materials"][0]["code"]
    data["parts"][2]["number"] = "three"
    data["parts"][4]["articles"][0]["materials"][1]["title"] = ""
    before = _counts()
    with pytest.raises(standard_service.StandardDataError) as refused:
        standard_service.standard_load(path=_write(tmp_path, data))
    problems = "\n".join(refused.value.problems)
    assert "parts[1].articles[2].materials[0].code" in problems and "parts[0].articles[0].materials[0]" in problems
    assert "parts[2].number" in problems
    assert "parts[4].articles[0].materials[1].title" in problems
    assert _counts() == before


def test_a_category_of_another_kind_is_refused(city, tmp_path):
    data = _data()
    data["parts"][0]["category"] = city.market.code
    with pytest.raises(standard_service.StandardDataError, match=r"parts\[0\]\.category"):
        standard_service.standard_load(path=_write(tmp_path, data))


def test_a_new_edition_loads_beside_the_old_and_use_switches(city, tmp_path):
    old = standard_service.standard_load(use=True).edition
    assert old.in_use
    material = MaterialRequirement.objects.filter(article__part__edition=old).first()
    standard_service.material_requirement_assign(material=material, actor=city.hq, responsible_unit=city.office_a,
                                                 due_date=None)
    data = _data()
    data["edition"].update(code="2031", name="国家卫生城市标准（测试版）")
    new = standard_service.standard_load(path=_write(tmp_path, data, "e2031.json".replace(".json", ".yaml"))).edition
    assert not StandardEdition.objects.get(pk=new.pk).in_use and StandardEdition.objects.get(pk=old.pk).in_use
    standard_service.standard_edition_use(edition=new, actor=city.hq)
    assert list(StandardEdition.objects.filter(in_use=True)) == [new]
    # The old edition's parts, articles and materials stay, with their assignments.
    material.refresh_from_db()
    assert material.responsible_unit == city.office_a
    assert StandardArticle.objects.filter(part__edition=old).count() == 40
    assert StandardPart.objects.filter(edition=new).count() == 8
    # Both editions' parts point to the same categories (so indicators link to both).
    assert set(StandardPart.objects.filter(edition=new).values_list("category", flat=True)) == set(
        StandardPart.objects.filter(edition=old).values_list("category", flat=True))
    switch = StandardChange.objects.filter(action="switched", edition=new).get()
    assert switch.actor == city.hq and switch.details == {"in_use": ["2021", "2031"]}


def test_non_hq_cannot_load_or_switch(city):
    edition = standard_service.standard_load().edition
    for name in ("leader", "team_lead", "unit_handler", "district_lead"):
        with pytest.raises(standard_service.StandardPermissionError):
            standard_service.standard_edition_use(edition=edition, actor=city.users[name])
        with pytest.raises(standard_service.StandardPermissionError):
            standard_service.standard_load(actor=city.users[name])
    assert not StandardEdition.objects.filter(in_use=True).exists()


def test_the_command_is_idempotent_and_reports_errors(city, tmp_path):
    out = io.StringIO()
    call_command("load_standard", "--use", stdout=out, stderr=io.StringIO())
    assert "created" in out.getvalue() and "in use" in out.getvalue()
    out = io.StringIO()
    call_command("load_standard", stdout=out, stderr=io.StringIO())
    assert "nothing to change" in out.getvalue()
    bad = tmp_path / "bad.yaml"
    bad.write_text("edition: {code: '2040'}\nparts: []\n", encoding="utf-8")
    with pytest.raises(CommandError, match="edition.name"):
        call_command("load_standard", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_standard", str(tmp_path / "missing.yaml"), stdout=io.StringIO(), stderr=io.StringIO())
    assert StandardEdition.objects.count() == 1
