"""Done when: Fengxian's unannounced-visit problems, turned into the template, import into the
ledger and export back unchanged."""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import translation

from campaign.models import Category, District
from campaign.tests.factories import make_category
from ledger.choices import Source, Status
from ledger.integrity import ledger_findings
from ledger.models import Problem
from ledger.tests.excel_helpers import read_rows
from ledger.transfer import columns, fengxian
from ledger.transfer import services as transfer
from ledger.transfer.export import write_ledger

pytestmark = pytest.mark.django_db

CATEGORIES = ["中小道路", "商圈", "居民区", "农贸市场", "小餐饮", "交通枢纽", "公园绿地", "基础环卫"]
SUMMARY = fengxian.summary_path()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("zh-hans"):
        yield


def counted_by_hand(text: str) -> int:
    """Count the problems another way: per line that names a category of the city, the pieces
    between 、 after the place (the place ends at the first space; without one, one problem)."""
    total = 0
    for line in text.splitlines():
        head, hyphen, rest = line.strip().partition("-")
        if not hyphen or head not in CATEGORIES:
            continue
        body = re.split(r"\s+", rest.strip(), maxsplit=1)
        pieces = re.split("[、；;]", body[-1])
        total += sum(1 for piece in pieces if piece.strip())
    return total


@pytest.mark.realdata
def test_fengxian_problems_import_into_the_ledger_and_export_back(city, tmp_path):
    fengxian_district = District.objects.create(code="FX", name="奉贤区", name_en="Fengxian")
    present = set(Category.objects.values_list("name_zh", flat=True))  # the city has 农贸市场 and 小餐饮
    for number, name in enumerate(CATEGORIES):
        if name not in present:
            make_category(f"FX{number}", name, f"Fengxian category {number}")
    expected = counted_by_hand(SUMMARY.read_text(encoding="utf-8"))
    assert expected > 500  # the summary lists several hundred problems
    out = tmp_path / "fengxian.xlsx"

    call_command("fengxian_ledger", str(out), "--district", "奉贤区", "--found-on", "2026-01-06")
    record, plan = transfer.ledger_import_preview(user=city.hq, file_name="fengxian.xlsx", data=out.read_bytes(),
                                                  run_now=True)
    assert plan.errors == []
    done = transfer.ledger_import_confirm(user=city.hq, record=record, run_now=True)

    assert done.created_count == expected
    imported = Problem.objects.filter(district=fengxian_district)
    assert imported.count() == expected
    assert set(imported.values_list("status", flat=True)) == {Status.FOUND}
    assert set(imported.values_list("source", flat=True)) == {Source.UNANNOUNCED_VISIT}
    assert imported.filter(address="贝港花苑", description="垃圾箱房旁捕蝇笼破损").exists()
    assert list(ledger_findings()) == []

    buffer = io.BytesIO()
    write_ledger(imported.order_by("-found_at", "-id"), buffer, language="zh-hans")
    exported = read_rows(buffer.getvalue())
    given = read_rows(out.read_bytes())
    assert exported[0] == given[0]

    sources = columns.source_index()

    def place_and_problem(rows):
        # district, category, address, description, source, status as people read them
        return sorted((r[3], r[4], r[6], r[7], sources[columns.match_key(r[8])]) for r in rows[1:])

    assert len(exported) - 1 == expected
    assert place_and_problem(exported) == place_and_problem(given)
    assert {r[2].date() if hasattr(r[2], "date") else r[2] for r in exported[1:]} == {date(2026, 1, 6)}
