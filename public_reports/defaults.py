"""The public channel's defaults: the short list of public categories residents choose from
(each mapped to a ledger category by its code), the keyword rule that suggests a category for
an imported citizen message, and the default reward rules and monthly cap. HQ changes them
afterwards (the admin for categories, the rewards pages for rules and the cap); seeding again
adds what is missing and never overwrites HQ's changes.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from campaign.models import Category
from ledger.choices import Severity

from .models import PublicCategory, RewardPolicy, RewardRule

# The ledger category every public category falls back to when its own is not in the city's
# list (the national standard's "city appearance and environmental sanitation").
GENERAL_CATEGORY = "STD3"


@dataclass(frozen=True)
class PublicCategoryDefault:
    code: str
    name: str
    name_en: str
    hint: str
    category: str  # a ledger Category code (campaign/demo.py's list)
    keywords: tuple[str, ...]


# The keywords are what residents and petitioners write (one per line in the admin). A word
# that occurs in many unrelated messages (施工 alone: every road works complaint) is left out:
# the rule suggests, and a wrong suggestion costs a moderator more than none.
PUBLIC_CATEGORIES = (
    PublicCategoryDefault(
        "garbage", "垃圾乱堆/积存垃圾", "Piled-up or uncollected rubbish",
        "垃圾堆放、垃圾桶满溢、清运不及时、卫生死角", "STD3",
        ("垃圾乱堆", "乱堆乱放", "垃圾堆", "积存垃圾", "垃圾成堆", "垃圾桶", "垃圾清运", "生活垃圾", "垃圾站",
         "垃圾池", "卫生死角", "脏乱差", "乱扔垃圾", "垃圾满溢", "堆满垃圾", "清扫保洁", "环卫")),
    PublicCategoryDefault(
        "street_vending", "占道经营/乱摆摊", "Street vending and trading on the pavement",
        "流动摊贩、出店经营、马路市场", "STD3",
        ("占道经营", "乱摆摊", "摆摊", "流动摊贩", "摊贩", "马路市场", "出店经营", "占道摆", "夜宵摊")),
    PublicCategoryDefault(
        "ads", "乱张贴/小广告", "Fly-posting and small advertisements",
        "墙面、电线杆上的小广告，乱涂乱画", "STD3",
        ("小广告", "乱张贴", "乱涂乱画", "牛皮癣", "张贴广告", "喷涂广告", "乱贴")),
    PublicCategoryDefault(
        "toilet", "公厕脏乱", "Dirty public toilets",
        "公共厕所脏、臭、设施损坏或不开放", "KP-TOILET",
        ("公厕", "公共厕所", "厕所")),
    PublicCategoryDefault(
        "sewage", "污水/积水", "Sewage and standing water",
        "污水外溢、下水道堵塞、路面积水、黑臭水体", "STD4",
        ("污水", "积水", "下水道", "化粪池", "臭水沟", "黑臭", "雨污", "排污", "粪水", "下水管")),
    PublicCategoryDefault(
        "vectors", "病媒生物（老鼠、蟑螂、蚊蝇）", "Rats, cockroaches, mosquitoes and flies",
        "老鼠、蟑螂、蚊子、苍蝇孳生", "STD8",
        ("老鼠", "蟑螂", "蚊子", "苍蝇", "蚊蝇", "病媒", "鼠患", "灭鼠", "消杀", "白蚁")),
    PublicCategoryDefault(
        "smoking", "违规吸烟", "Smoking where it is banned",
        "室内公共场所、公共交通工具上吸烟", "STD2",
        ("吸烟", "抽烟", "二手烟", "控烟", "禁烟")),
    PublicCategoryDefault(
        "pets", "犬只/宠物粪便", "Dogs and pet droppings",
        "遛狗不牵绳、宠物粪便不清理、流浪犬", "STD3",
        ("狗屎", "狗粪", "宠物粪便", "遛狗", "犬只", "养狗", "流浪狗", "流浪犬", "狗患", "恶犬", "宠物")),
    PublicCategoryDefault(
        "catering", "餐饮油烟/后厨卫生", "Restaurant fumes and kitchen hygiene",
        "油烟直排、后厨脏乱、无证经营餐饮", "KP-CATER",
        ("油烟", "餐饮", "后厨", "饭店", "餐馆", "小吃店", "烧烤", "食品卫生", "地沟油")),
    PublicCategoryDefault(
        "market", "农贸市场脏乱", "Dirty farmers' markets",
        "农贸市场、菜市场地面脏乱、活禽宰杀", "KP-MARKET",
        ("农贸市场", "菜市场", "菜场", "集贸市场", "活禽")),
    PublicCategoryDefault(
        "construction", "建筑工地扬尘/渣土", "Construction dust and spoil",
        "工地扬尘、渣土车抛洒、未覆盖的土方", "KP-SITE",
        ("扬尘", "渣土", "建筑垃圾", "渣土车", "粉尘", "灰尘", "工地")),
    PublicCategoryDefault(
        "other", "其他脏乱差问题", "Other dirty, messy or bad conditions",
        "以上都不是的脏乱差问题", "STD3", ()),
)

# Leaves of the citizen messages' three-level category tree (一级/二级/三级, as in
# realdata/cn_citizen_messages/category_tree.xlsx) that name one of the public categories:
# the importer adds each leaf's name to that category's keywords for the suggestion rule
# (a petitioner often names the office's category in the text: "环境卫生", "油烟污染").
# A leaf absent from the file is reported by the importer and not used.
TREE_LEAVES = {
    ("城乡建设", "城市建设和市政管理", "环境卫生"): "garbage",
    ("城乡建设", "城市建设和市政管理", "园林绿化环卫"): "garbage",
    ("环境保护", "环境污染", "固体污染"): "garbage",
    ("城乡建设", "城市建设和市政管理", "城管执法"): "street_vending",
    ("环境保护", "环境污染", "水污染"): "sewage",
    ("卫生计生", "食品药品监管", "食品安全"): "catering",
    ("环境保护", "环境污染", "大气污染"): "construction",
}


# Amounts by severity for every category (HQ adds per-category rules on the rewards pages).
REWARD_AMOUNTS = {Severity.GENERAL: Decimal("20"), Severity.SERIOUS: Decimal("50"), Severity.URGENT: Decimal("100")}
MONTHLY_CAP = Decimal("500")


def _ledger_category(code: str, categories: dict[str, Category]) -> Category | None:
    return categories.get(code) or categories.get(GENERAL_CATEGORY) or next(iter(categories.values()), None)


@transaction.atomic
def public_categories_seed() -> list[PublicCategory]:
    """The default public list, each mapped to its ledger category by code (the general one,
    STD3, when the city has no such category; the first category when it has neither). Existing
    entries (by code) are kept as HQ left them; nothing is written when the city has no ledger
    category yet."""
    categories = {c.code: c for c in Category.objects.order_by("kind", "order", "code")}
    if not categories:
        return []
    existing = {c.code: c for c in PublicCategory.objects.all()}
    seeded = []
    for order, row in enumerate(PUBLIC_CATEGORIES, start=1):
        category = existing.get(row.code)
        if category is None:
            category = PublicCategory.objects.create(
                code=row.code, name=row.name, name_en=row.name_en, hint=row.hint,
                keywords="\n".join(row.keywords), order=order * 10,
                category=_ledger_category(row.category, categories))
        seeded.append(category)
    return seeded


@transaction.atomic
def reward_defaults_seed() -> tuple[list[RewardRule], RewardPolicy]:
    """The default amounts by severity (for any category) and the monthly cap, unless HQ has
    set rules already (then nothing changes)."""
    policy = RewardPolicy.objects.get_or_create(pk=1, defaults={"monthly_cap": MONTHLY_CAP})[0]
    if RewardRule.objects.exists():
        return list(RewardRule.objects.all()), policy
    rules = [RewardRule.objects.create(public_category=None, severity=severity, amount=amount)
             for severity, amount in REWARD_AMOUNTS.items()]
    return rules, policy
