"""manage.py import_citizen_messages: the 2,816 real citizen messages as historical public
reports, their category suggested by the keyword rule (public list + category tree), all or
nothing, and never twice. Reads ../shared/realdata (skipped when absent)."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from campaign.tests.files.builders import xlsx_bytes
from conftest import REALDATA
from public_reports.choices import Channel, ReportStatus
from public_reports.defaults import PUBLIC_CATEGORIES, TREE_LEAVES
from public_reports.importing import MESSAGES_FILE, TREE_FILE, plan_messages, read_tree
from public_reports.models import PublicCategory, PublicReport, PublicReportEvent

FOLDER = REALDATA / "cn_citizen_messages"
HEADER = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间"]
TREE = [["一级分类", "二级分类", "三级分类"], ["城乡建设", "城市建设和市政管理", "环境卫生"]]


def _categories():
    """The default public list in memory (the rule needs only codes, keywords and ids)."""
    return [PublicCategory(pk=n, code=row.code, name=row.name, keywords="\n".join(row.keywords))
            for n, row in enumerate(PUBLIC_CATEGORIES, start=1)]


@pytest.fixture(scope="module")
def real_plan():
    return plan_messages((FOLDER / MESSAGES_FILE).read_bytes(), (FOLDER / TREE_FILE).read_bytes(),
                         categories=_categories())


def _suggested(plan) -> dict[str, str | None]:
    return {m.ref: (m.public_category.code if m.public_category else None) for m in plan.messages}


@pytest.mark.realdata
def test_all_2816_messages_are_read_without_errors(real_plan):
    assert real_plan.errors == [] and real_plan.warnings == []
    assert len(real_plan.messages) == 2816
    assert real_plan.leaves == 517


@pytest.mark.realdata
def test_every_mapped_tree_leaf_is_in_the_real_tree():
    errors = []
    tree = read_tree((FOLDER / TREE_FILE).read_bytes(), errors)
    assert errors == [] and set(TREE_LEAVES) <= tree


@pytest.mark.realdata
@pytest.mark.parametrize("ref,code", [
    ("87916", "catering"),  # 反映J3县煲仔当道饭店噪音和油烟扰民问题
    ("126597", "street_vending"),  # 投诉L5县长乐坊四组鑫源百货旁的夜宵摊严重扰民
    ("7156", "garbage"),  # A3区锦绣家园小区垃圾泛滥无人管理，请求政府帮助！
    ("74589", "sewage"),  # 反映F1区东方红小学后门下水道问题
    ("124107", "toilet"),  # 投诉L市汽车西站公共厕所乱收费！
    ("114517", "pets"),  # 请求规范K9县塔下寺教师村的养狗问题
    ("117104", "smoking"),  # 强烈呼吁K3县乡镇卫生院的公共场所禁烟
    ("6700", "ads"),  # 举报A市观沙岭街道土城社区随意张贴广告纸破坏文明成果
    ("92476", "market"),  # 再次反映东江农贸市场管理混乱亟待整顿
    ("121460", "construction"),  # 请求严厉查处L1区阳塘村擅自消纳建筑垃圾的行为
])
def test_real_messages_get_the_right_suggestion(real_plan, ref, code):
    assert _suggested(real_plan)[ref] == code


@pytest.mark.realdata
@pytest.mark.parametrize("ref", [
    "2555",  # 请加快提高A市民营幼儿园老师的待遇
    "2554",  # A3区潇楚南路洋湖段怎么还没修好？
    "56003",  # 投诉D1区衡州大道佳源罗马都市拖延结算民工工资 (names a building site once)
    "4706",  # 投诉A1区政务中心工作人员工作怠慢，态度恶劣
])
def test_unrelated_real_messages_get_no_suggestion(real_plan, ref):
    assert _suggested(real_plan)[ref] is None


@pytest.mark.realdata
def test_the_rule_suggests_a_category_for_a_few_percent_of_the_messages(real_plan):
    # Measured: 166 of 2,816 (5.9%); most messages are about housing, wages, schools or roads.
    assert 120 <= real_plan.with_category <= 250
    assert set(real_plan.suggested) >= {"garbage", "sewage", "catering", "street_vending", "construction"}


@pytest.mark.realdata
def test_a_message_keeps_its_text_date_reply_and_reference(real_plan):
    message = next(m for m in real_plan.messages if m.ref == "2549")
    assert message.description.startswith("A2区景蓉华苑物业管理有问题\n\n2019年4月以来")
    assert "\t" not in message.description
    assert message.official_reply.startswith("现将网友在平台")
    assert (message.submitted_at.year, message.submitted_at.month, message.submitted_at.day) == (2019, 4, 25)
    assert message.attributes["user"] == "A00045581"
    assert message.attributes["replied_at"].startswith("2019-05-10T14:56:53")


@pytest.mark.realdata
@pytest.mark.django_db
def test_the_command_imports_every_message_once(city):
    out = io.StringIO()
    call_command("import_citizen_messages", "--path", str(FOLDER), stdout=out, stderr=io.StringIO())
    assert "2816 imported" in out.getvalue() and "a category suggested for" in out.getvalue()
    imported = PublicReport.objects.filter(channel=Channel.IMPORTED)
    assert imported.count() == 2816
    assert imported.filter(status=ReportStatus.RECEIVED, latitude__isnull=True, photos__isnull=True).count() == 2816
    assert PublicReportEvent.objects.filter(report__channel=Channel.IMPORTED).count() == 2816
    sample = imported.get(imported_ref="87916")
    assert sample.public_category.code == "catering" and sample.official_reply
    assert sample.code.startswith(f"JB-{sample.submitted_at.year}-")
    again = io.StringIO()
    call_command("import_citizen_messages", "--path", str(FOLDER), stdout=again, stderr=io.StringIO())
    assert "0 imported, 2816 already there" in again.getvalue()
    assert imported.count() == 2816
    assert len(set(imported.values_list("code", flat=True))) == 2816


# --- Bad files: the whole file refused, each error with its row and column -----------------------


def _folder(tmp_path: Path, rows, tree=TREE) -> Path:
    (tmp_path / MESSAGES_FILE).write_bytes(xlsx_bytes([HEADER, *rows]))
    (tmp_path / TREE_FILE).write_bytes(xlsx_bytes(tree))
    return tmp_path


GOOD = [1, "A1", "小区垃圾成堆", "2019/4/25 9:32:09", "垃圾桶满了没人管", "已清运", "2019/5/1 10:00:00"]


@pytest.mark.django_db
def test_a_bad_row_refuses_the_whole_file_naming_its_row_and_column(city, tmp_path):
    folder = _folder(tmp_path, [GOOD, [2, "A2", "主题", "昨天", "内容", "", ""], [1, "A3", "重复", "2019/4/25", "x", "", ""]])
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 errors: nothing was written"):
        call_command("import_citizen_messages", "--path", str(folder), stdout=io.StringIO(), stderr=err)
    assert "row 3, column 留言时间 [昨天]" in err.getvalue()
    assert "row 4, column 留言编号 [1]" in err.getvalue()
    assert not PublicReport.objects.exists()


@pytest.mark.django_db
def test_a_missing_column_is_named(city, tmp_path):
    (tmp_path / MESSAGES_FILE).write_bytes(xlsx_bytes([HEADER[:-1], GOOD[:-1]]))
    (tmp_path / TREE_FILE).write_bytes(xlsx_bytes(TREE))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_citizen_messages", "--path", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert "答复时间" in err.getvalue()


@pytest.mark.django_db
def test_a_small_file_is_imported_with_its_suggestion(city, tmp_path):
    folder = _folder(tmp_path, [GOOD, [2, "A2", "请求提高教师工资", "2019/4/26", "教师待遇太低", "", ""]])
    call_command("import_citizen_messages", "--path", str(folder), stdout=io.StringIO(), stderr=io.StringIO())
    suggestions = dict(PublicReport.objects.values_list("imported_ref", "public_category__code"))
    assert suggestions == {"1": "garbage", "2": None}


def test_the_command_needs_both_files(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_citizen_messages", "--path", str(tmp_path))


@pytest.mark.django_db
def test_the_command_needs_the_city_s_categories(tmp_path):
    folder = _folder(tmp_path, [GOOD])
    with pytest.raises(CommandError, match="no ledger categories"):
        call_command("import_citizen_messages", "--path", str(folder), stdout=io.StringIO())
