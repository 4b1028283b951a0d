"""The demo city: a fictional prefecture-level city, 南湖市 (Nanhu), set up the way the seed
cities run their campaigns (Hengyang 2019, Guangfeng 2020, Kaifeng 2022).

This module is the seeding service for ``manage.py seed_demo``: ``demo_city_build`` writes the
whole city in one transaction through plain ORM calls. Every row is found by its code (or its
natural key where the model has no code) with ``update_or_create``, so running it again updates
the same rows instead of adding new ones. Everything random comes from ``random.Random`` with a
fixed seed per part, so two runs on the same day write the same city.

The data sits in module-level tuples and dicts below; one builder function per part.
"""

import datetime
import os
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .choices import CampaignKind, CategoryKind, DistrictKind, IndicatorDirection, Role, UnitKind
from .models import (
    Campaign,
    Category,
    District,
    Grid,
    Indicator,
    IndicatorValue,
    Road,
    SamplePoint,
    Team,
    Unit,
    User,
)

DEFAULT_PASSWORD = "demo"  # noqa: S105 - the published demo password, not a secret
PASSWORD_ENV = "DEMO_PASSWORD"  # noqa: S105 - the name of the variable
SEED = 2019_2020_2022  # the seed years; any fixed number keeps the city the same

CITY = "南湖市"
CITY_EN = "Nanhu"
# The city centre (the municipal square); the districts lie a few kilometres around it.
CITY_CENTRE = (Decimal("27.912000"), Decimal("112.586000"))

# --- Categories ---------------------------------------------------------------------------------

# The 8 categories of the national standard (2021 edition): code, Chinese, English.
STANDARD_CATEGORIES = (
    ("STD1", "爱国卫生组织管理", "Patriotic health organisation and management"),
    ("STD2", "健康教育和健康促进", "Health education and health promotion"),
    ("STD3", "市容环境卫生", "City appearance and environmental sanitation"),
    ("STD4", "生态环境", "Ecological environment"),
    ("STD5", "重点场所卫生", "Hygiene of key places"),
    ("STD6", "食品和生活饮用水安全", "Food and drinking-water safety"),
    ("STD7", "疾病防控与卫生健康服务", "Disease prevention and health services"),
    ("STD8", "病媒生物预防控制", "Vector control"),
)

# Key-place categories (重点场所): code, Chinese, English.
KEY_PLACE_CATEGORIES = (
    ("KP-MARKET", "农贸市场", "Farmers' markets"),
    ("KP-SITE", "建筑工地", "Construction sites"),
    ("KP-VILLAGE", "城中村和城乡结合部", "Urban villages and the urban-rural fringe"),
    ("KP-OLDRES", "老旧小区", "Old residential areas"),
    ("KP-ALLEY", "背街小巷", "Back streets and alleys"),
    ("KP-SIX", "“六小”行业", "The \"six small\" industries"),
    ("KP-CATER", "餐饮服务单位", "Catering"),
    ("KP-STATION", "车站", "Stations"),
    ("KP-TOILET", "公共厕所", "Public toilets"),
    ("KP-HOSPITAL", "医疗机构", "Hospitals"),
    ("KP-SCHOOL", "学校", "Schools"),
    ("KP-WATER", "河湖水系", "Rivers and waters"),
    ("KP-ORG", "机关企事业单位", "Organs, enterprises and institutions"),
)

# How many sample points of each key-place category (172 over 8 categories, as in Guangfeng).
SAMPLE_POINT_COUNTS = {
    "KP-MARKET": 18,
    "KP-SITE": 16,
    "KP-VILLAGE": 12,
    "KP-OLDRES": 24,
    "KP-ALLEY": 28,
    "KP-SIX": 40,
    "KP-CATER": 16,
    "KP-TOILET": 18,
}

# --- Districts, their street offices, roads and places ------------------------------------------

# offset: the district centre from the city centre, in degrees (lat, lon); 0.01° ≈ 1 km.
# roads: (name, from, to) — one section each, written "X路—Y路".
DISTRICTS = (
    {
        "code": "D01",
        "name": "东湖区",
        "name_en": "Donghu District",
        "kind": DistrictKind.DISTRICT,
        "chief": "刘建华（副区长）",
        "offset": (Decimal("0.004"), Decimal("0.006")),
        "offices": (
            ("东风街道办事处", "Dongfeng Subdistrict Office"),
            ("人民路街道办事处", "Renminlu Subdistrict Office"),
            ("湖滨街道办事处", "Hubin Subdistrict Office"),
        ),
        "roads": (
            ("人民路", "解放路", "湖滨路"),
            ("解放路", "人民路", "五一路"),
            ("东风路", "人民路", "胜利路"),
            ("湖滨路", "东风路", "滨江大道"),
            ("胜利路", "解放路", "东湖大道"),
            ("五一路", "东风路", "青年路"),
            ("青年路", "五一路", "湖滨路"),
        ),
        "places": ("东风", "湖滨", "五一", "胜利", "东湖", "青年", "人民"),
        "estates": ("纺织厂宿舍", "机械厂家属院", "供销社宿舍", "粮食局宿舍", "邮电局宿舍", "东湖新村"),
        "villages": ("张家湾", "李家坪", "东湖"),
    },
    {
        "code": "D02",
        "name": "南城区",
        "name_en": "Nancheng District",
        "kind": DistrictKind.DISTRICT,
        "chief": "黄志明（副区长）",
        "offset": (Decimal("-0.021"), Decimal("-0.008")),
        "offices": (
            ("南门街道办事处", "Nanmen Subdistrict Office"),
            ("火车站街道办事处", "Huochezhan Subdistrict Office"),
            ("书院街道办事处", "Shuyuan Subdistrict Office"),
        ),
        "roads": (
            ("中山路", "南门大街", "车站路"),
            ("南门大街", "中山路", "书院路"),
            ("书院路", "文化路", "南门大街"),
            ("车站路", "中山路", "建设南路"),
            ("文化路", "书院路", "建设南路"),
            ("建设南路", "车站路", "南环路"),
        ),
        "places": ("南门", "中山", "书院", "站前", "文化", "南环"),
        "estates": ("肉联厂宿舍", "火车站铁路新村", "搪瓷厂家属院", "二轻局宿舍", "书院小区"),
        "villages": ("王家桥", "南塘", "石门坎"),
    },
    {
        "code": "D03",
        "name": "北塘区",
        "name_en": "Beitang District",
        "kind": DistrictKind.DISTRICT,
        "chief": "陈红梅（副区长）",
        "offset": (Decimal("0.024"), Decimal("-0.012")),
        "offices": (
            ("北塘街道办事处", "Beitang Subdistrict Office"),
            ("纺织街道办事处", "Fangzhi Subdistrict Office"),
            ("建设街道办事处", "Jianshe Subdistrict Office"),
            ("和平街道办事处", "Heping Subdistrict Office"),
        ),
        "roads": (
            ("北塘路", "和平路", "红旗路"),
            ("和平路", "北塘路", "工农路"),
            ("建设北路", "纺织路", "北环路"),
            ("工农路", "和平路", "建设北路"),
            ("纺织路", "红旗路", "建设北路"),
            ("红旗路", "北塘路", "纺织路"),
        ),
        "places": ("北塘", "和平", "红旗", "工农", "纺织", "建设"),
        "estates": ("棉纺厂生活区", "化肥厂宿舍", "电厂宿舍", "轴承厂家属院", "红旗小区", "和平新村"),
        "villages": ("周家冲", "北塘", "杨柳湾"),
    },
    {
        "code": "D04",
        "name": "清河县",
        "name_en": "Qinghe County",
        "kind": DistrictKind.COUNTY,
        "chief": "杨立新（副县长）",
        "offset": (Decimal("-0.006"), Decimal("0.038")),
        "offices": (
            ("清河县城关镇人民政府", "Chengguan Town Government, Qinghe County"),
            ("清河街道办事处", "Qinghe Subdistrict Office"),
        ),
        "roads": (
            ("清河大道", "县前街", "新华路"),
            ("县前街", "清河大道", "西门街"),
            ("城关路", "新华路", "西门街"),
            ("新华路", "清河大道", "城关路"),
            ("西门街", "县前街", "城关路"),
        ),
        "places": ("城关", "县前", "新华", "西门", "清河"),
        "estates": ("县农机厂宿舍", "县粮站宿舍", "城关供销社宿舍", "新华小区"),
        "villages": ("河西", "刘家铺"),
    },
    {
        "code": "D05",
        "name": "南湖高新区",
        "name_en": "Nanhu Hi-tech Industrial Development Zone",
        "kind": DistrictKind.DEVELOPMENT_ZONE,
        "chief": "许振宇（管委会副主任）",
        "offset": (Decimal("0.012"), Decimal("0.027")),
        "offices": (
            ("科技城街道办事处", "Kejicheng Subdistrict Office"),
            ("创业街道办事处", "Chuangye Subdistrict Office"),
        ),
        "roads": (
            ("高新大道", "科技路", "长岭路"),
            ("科技路", "高新大道", "创业路"),
            ("创业路", "科技路", "金港路"),
            ("长岭路", "高新大道", "金港路"),
            ("金港路", "创业路", "长岭路"),
        ),
        "places": ("科技城", "创业", "长岭", "金港", "高新"),
        "estates": ("长岭安置小区", "原乡农机站宿舍", "创业新村"),
        "villages": ("长岭", "金港"),
    },
)

# The district that the demo district lead, unit handler and inspector work in, and their office.
DEMO_DISTRICT = "D01"
DEMO_STREET_OFFICE = "东风街道办事处"

# --- City units ---------------------------------------------------------------------------------

# City departments: name, English name.
DEPARTMENTS = (
    ("市城市管理局", "City Administration Bureau"),
    ("市市场监督管理局", "Market Supervision Administration"),
    ("市卫生健康委员会", "Health Commission"),
    ("市住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    ("市生态环境局", "Ecology and Environment Bureau"),
    ("市教育局", "Education Bureau"),
    ("市交通运输局", "Transport Bureau"),
    ("市商务局", "Commerce Bureau"),
    ("市文化广电和旅游局", "Culture, Radio, Television and Tourism Bureau"),
    ("市水利局", "Water Resources Bureau"),
    ("市爱国卫生运动委员会办公室", "Patriotic Health Campaign Committee Office"),
    ("市公安局", "Public Security Bureau"),
    ("市疾病预防控制中心", "Centre for Disease Control and Prevention"),
    ("市委宣传部", "Publicity Department of the Municipal Party Committee"),
)

ENTERPRISES = (
    ("南湖市公共交通集团有限公司", "Nanhu Public Transport Group"),
    ("南湖市水务集团有限公司", "Nanhu Water Group"),
    ("南湖市环境卫生服务有限公司", "Nanhu Sanitation Services Co."),
)

# --- Special teams ------------------------------------------------------------------------------

# code, Chinese, English, leader, leader's post, lead unit, member units, categories covered.
# A member "*districts" stands for every district government (the street offices answer to them).
TEAMS = (
    ("T01", "市容环境卫生组", "City appearance and sanitation team", "王志刚", "常务副市长",
     "市城市管理局", ("市住房和城乡建设局", "市交通运输局", "南湖市环境卫生服务有限公司", "*districts"),
     ("STD3", "KP-ALLEY", "KP-TOILET")),
    ("T02", "食品安全组", "Food safety team", "李晓梅", "副市长",
     "市市场监督管理局", ("市卫生健康委员会", "市教育局", "市商务局", "市公安局"),
     ("STD6", "KP-CATER")),
    ("T03", "农贸市场组", "Farmers' markets team", "李晓梅", "副市长",
     "市商务局", ("市市场监督管理局", "市城市管理局", "*districts"),
     ("KP-MARKET",)),
    ("T04", "建筑工地组", "Construction sites team", "赵国强", "副市长",
     "市住房和城乡建设局", ("市城市管理局", "市生态环境局", "*districts"),
     ("KP-SITE",)),
    ("T05", "病媒生物防制组", "Vector control team", "孙慧敏", "副市长",
     "市爱国卫生运动委员会办公室", ("市卫生健康委员会", "市疾病预防控制中心", "*districts"),
     ("STD1", "STD8")),
    ("T06", "健康教育组", "Health education team", "孙慧敏", "副市长",
     "市卫生健康委员会", ("市委宣传部", "市教育局", "市疾病预防控制中心"),
     ("STD2", "STD7", "KP-HOSPITAL", "KP-SCHOOL")),
    ("T07", "重点场所组", "Key places team", "周文博", "副市长",
     "市文化广电和旅游局", ("市交通运输局", "南湖市公共交通集团有限公司", "市公安局", "市教育局"),
     ("STD5", "KP-STATION", "KP-ORG")),
    ("T08", "水环境与生态组", "Water and ecology team", "吴海涛", "副市长",
     "市生态环境局", ("市水利局", "南湖市水务集团有限公司", "*districts"),
     ("STD4", "KP-WATER")),
    ("T09", "城中村和老旧小区整治组", "Urban villages and old residential areas team", "赵国强", "副市长",
     "市住房和城乡建设局", ("市城市管理局", "*districts"),
     ("KP-VILLAGE", "KP-OLDRES")),
    ("T10", "“六小”行业整治组", "\"Six small\" industries team", "郑雅琴", "副市长",
     "市市场监督管理局", ("市卫生健康委员会", "市公安局", "市文化广电和旅游局", "*districts"),
     ("KP-SIX",)),
)

# Who answers for a sample point of each category: a street office of its district, or a department.
RESPONSIBLE_UNIT_BY_CATEGORY = {
    "KP-MARKET": "*office",
    "KP-SITE": "市住房和城乡建设局",
    "KP-VILLAGE": "*office",
    "KP-OLDRES": "*office",
    "KP-ALLEY": "*office",
    "KP-SIX": "*office",
    "KP-CATER": "市市场监督管理局",
    "KP-TOILET": "*office",
}

# --- Names for places ---------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗梁宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹熊白孟秦邱侯江尹薛段雷黎龙陶贺顾毛郝龚邵万严覃戴莫"
GIVEN_NAMES = (
    "建国", "建军", "卫东", "国庆", "志强", "志勇", "海燕", "丽娟", "晓明", "红梅", "永刚", "秀英",
    "文杰", "俊峰", "雪梅", "立新", "德胜", "春燕", "振华", "思远", "小红", "建平", "玉兰", "桂芳",
    "伟", "敏", "勇", "磊", "涛", "芳", "洁", "军", "静", "斌", "浩", "婷",
)
SITE_PROJECTS = (
    "{place}安置房项目", "{place}棚户区改造项目", "{place}学校新建工程", "{road}地下综合管廊工程",
    "{road}提质改造工程", "{place}商业综合体项目", "{place}保障性住房项目", "{place}公园配套工程",
    "{place}社区卫生服务中心新建工程", "{place}片区雨污分流工程",
)
ALLEY_NAMES = (
    "仓前巷", "石板街", "打铜巷", "油榨巷", "花园巷", "福寿巷", "竹篙巷", "柴家巷", "井塘巷", "学前街",
    "米行街", "古井巷", "鼓楼巷", "桂花巷", "衙前巷", "盐店巷", "砖瓦巷", "铁炉巷", "杉木巷", "太平巷",
    "水巷子", "豆腐巷", "马家巷", "半边街", "钟楼巷", "丝瓜巷", "书香巷", "药王巷",
)
SIX_SMALL = (
    ("{name}小吃店", ("老王", "刘记", "湘味", "好再来", "张姐", "阿强", "德顺", "周记")),
    ("{name}副食店", ("便民", "万家", "惠民", "佳佳", "福临", "鑫鑫")),
    ("{name}理发店", ("时尚发艺", "丝域", "名剪", "美丽人生", "快剪")),
    ("{name}浴室", ("清泉", "温泉", "浪花", "百乐")),
    ("{name}旅社", ("如意", "平安", "顺心", "和家", "客来")),
    ("{name}网吧", ("极速", "星空", "网鱼", "蓝天")),
)
CATERING = (
    "{name}酒楼", "{name}餐厅", "{name}火锅店", "{name}大酒店", "{name}快餐店", "{name}饭庄",
)
CATERING_BRANDS = (
    "湘江", "南湖", "福满楼", "聚贤", "老街", "蓉城", "渔家", "金满堂", "香满园", "好食光", "农家乐", "鸿运",
)

# --- Core indicators ----------------------------------------------------------------------------

# code, Chinese, English, standard category, unit, target, direction,
# value 12 months ago, value last month, month-to-month wobble, upper bound (None: none).
INDICATORS = (
    ("IND01", "生活垃圾无害化处理率", "Household garbage harmless treatment rate", "STD3", "%",
     "100", IndicatorDirection.AT_LEAST, "99.40", "100.00", "0.20", "100"),
    ("IND02", "城中村和城乡结合部生活垃圾清运率", "Garbage removal rate in urban villages and the fringe",
     "STD3", "%", "100", IndicatorDirection.AT_LEAST, "97.80", "100.00", "0.40", "100"),
    ("IND03", "城市道路机械化清扫率", "Mechanised street sweeping rate", "STD3", "%",
     "80", IndicatorDirection.AT_LEAST, "74.50", "83.20", "1.00", "100"),
    ("IND04", "城市生活污水集中处理率", "Urban sewage centralised treatment rate", "STD4", "%",
     "95", IndicatorDirection.AT_LEAST, "93.60", "95.90", "0.40", "100"),
    ("IND05", "环境空气质量优良天数比例", "Share of days with good air quality", "STD4", "%",
     "80", IndicatorDirection.AT_LEAST, "78.50", "86.40", "3.00", "100"),
    ("IND06", "居民健康素养水平", "Residents' health literacy level", "STD2", "%",
     "25", IndicatorDirection.AT_LEAST, "21.30", "24.10", "0.30", "100"),
    ("IND07", "二类以上公共厕所比例", "Share of public toilets of class II or better", "STD3", "%",
     "90", IndicatorDirection.AT_LEAST, "81.00", "88.70", "0.80", "100"),
    ("IND08", "集中式饮用水水源地水质达标率", "Drinking-water source quality compliance rate",
     "STD6", "%", "100", IndicatorDirection.AT_LEAST, "100.00", "100.00", "0.00", "100"),
    ("IND09", "适龄儿童免疫规划疫苗接种率", "Childhood immunisation coverage", "STD7", "%",
     "90", IndicatorDirection.AT_LEAST, "92.10", "96.30", "0.60", "100"),
    ("IND10", "室内鼠迹阳性率", "Indoor rodent trace positive rate", "STD8", "%",
     "3", IndicatorDirection.AT_MOST, "4.60", "2.40", "0.30", None),
)

# --- Demo users ---------------------------------------------------------------------------------

# username, role, full name, post, scope (team code, district code, unit name, grid code or a road
# of the demo district), is_staff.
DEMO_USERS = (
    ("hq", Role.HQ_STAFF, "周敏", "市创卫指挥部办公室副主任", None, True),
    ("leader", Role.LEADER, "陈国栋", "市长、市创卫指挥部指挥长", None, False),
    ("team", Role.TEAM_LEAD, "孙丽华", "市容环境卫生组办公室主任", ("team", "T01"), False),
    ("district", Role.DISTRICT_LEAD, "何伟", "东湖区创卫办主任", ("district", DEMO_DISTRICT), False),
    ("unit", Role.UNIT_HANDLER, "吴晓燕", "东风街道办事处创卫专干", ("unit", DEMO_STREET_OFFICE), False),
    ("inspector", Role.INSPECTOR, "罗志勇", "市创卫督查组督查员", ("district", DEMO_DISTRICT), False),
    ("grid", Role.GRID_CHIEF, "郑红梅", "东风街道第一网格网格长", ("grid", f"{DEMO_DISTRICT}-G01"), False),
    ("road", Role.ROAD_CHIEF, "马建军", "人民路路长", ("road", "人民路"), False),
)


# --- Building -----------------------------------------------------------------------------------


@dataclass
class DemoCity:
    """What the builder wrote, for the command's summary and for tests."""

    campaign: Campaign
    districts: dict = field(default_factory=dict)  # code -> District
    offices: dict = field(default_factory=dict)  # district code -> [Unit]
    units: dict = field(default_factory=dict)  # name -> Unit
    categories: dict = field(default_factory=dict)  # code -> Category
    teams: dict = field(default_factory=dict)  # code -> Team
    grids: dict = field(default_factory=dict)  # district code -> [Grid]
    grids_by_office: dict = field(default_factory=dict)  # unit name -> [Grid]
    roads: dict = field(default_factory=dict)  # district code -> {road name: Road}
    sample_points: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    users: list = field(default_factory=list)


class DemoConflict(Exception):
    """The database holds another city's current campaign: the demo would mix into real data."""


def demo_password() -> tuple[str, str]:
    """The demo password and where it came from: DEMO_PASSWORD if set, else the default."""
    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value, PASSWORD_ENV
    return DEFAULT_PASSWORD, "default"


@transaction.atomic
def demo_city_build(*, password: str, today: datetime.date | None = None) -> DemoCity:
    """Write the demo city (campaign, structure, sample points, indicators, demo users).

    Rule: idempotent — rows are matched by code or natural key and updated in place, so a second
    run adds nothing. It refuses (DemoConflict) to write next to another city's current campaign.
    """
    today = today or timezone.localdate()
    demo = DemoCity(campaign=build_campaign(today=today))
    build_categories(demo)
    build_districts(demo)
    build_units(demo)
    build_grids_and_roads(demo)
    build_teams(demo)
    build_sample_points(demo)
    build_indicators(demo, today=today)
    build_users(demo, password=password)
    return demo


def _first_of_month(day: datetime.date, months_back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def build_campaign(*, today: datetime.date) -> Campaign:
    other = Campaign.objects.filter(is_current=True).exclude(city=CITY).first()
    if other is not None:
        raise DemoConflict(f"The current campaign is {other.name!r} ({other.city}), not the demo city's.")
    # The review assessment is due about four months from now, in the middle of a month.
    assessment = _first_of_month(today + datetime.timedelta(days=120)) + datetime.timedelta(days=14)
    campaign, _ = Campaign.objects.update_or_create(
        city=CITY,
        is_current=True,
        defaults={
            "name": f"{CITY}{assessment.year}年国家卫生城市复审",
            "kind": CampaignKind.REVIEW,
            "assessment_date": assessment,
            "started_on": _first_of_month(today, 9),
        },
    )
    return campaign


def build_categories(demo: DemoCity) -> None:
    for kind, rows in ((CategoryKind.STANDARD, STANDARD_CATEGORIES), (CategoryKind.KEY_PLACE, KEY_PLACE_CATEGORIES)):
        for order, (code, name_zh, name_en) in enumerate(rows, start=1):
            demo.categories[code], _ = Category.objects.update_or_create(
                code=code, defaults={"kind": kind, "name_zh": name_zh, "name_en": name_en, "order": order}
            )


def build_districts(demo: DemoCity) -> None:
    for row in DISTRICTS:
        demo.districts[row["code"]], _ = District.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "name_en": row["name_en"], "kind": row["kind"], "chief_name": row["chief"]},
        )


def _unit(name: str, name_en: str, kind: str, district: District | None, contact: str) -> Unit:
    unit, _ = Unit.objects.update_or_create(
        name=name, defaults={"name_en": name_en, "kind": kind, "district": district, "contact_name": contact}
    )
    return unit


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def build_units(demo: DemoCity) -> None:
    """City departments and enterprises (no district), and per district its government and offices."""
    rng = random.Random(SEED + 1)
    for name, name_en in DEPARTMENTS:
        demo.units[name] = _unit(name, name_en, UnitKind.DEPARTMENT, None, _person(rng))
    for name, name_en in ENTERPRISES:
        demo.units[name] = _unit(name, name_en, UnitKind.ENTERPRISE, None, _person(rng))
    for row in DISTRICTS:
        district = demo.districts[row["code"]]
        government = "人民政府" if row["kind"] != DistrictKind.DEVELOPMENT_ZONE else "管理委员会"
        government_en = "Government" if row["kind"] != DistrictKind.DEVELOPMENT_ZONE else "Administrative Committee"
        name = f"{row['name']}{government}"
        demo.units[name] = _unit(
            name, f"{row['name_en']} {government_en}", UnitKind.DISTRICT_GOVERNMENT, district, _person(rng)
        )
        demo.offices[row["code"]] = []
        for office_name, office_en in row["offices"]:
            office = _unit(office_name, office_en, UnitKind.STREET_OFFICE, district, _person(rng))
            demo.units[office_name] = office
            demo.offices[row["code"]].append(office)


def build_grids_and_roads(demo: DemoCity) -> None:
    """Two grids per street office, each with its grid chief; each road section with its road chief."""
    rng = random.Random(SEED + 2)
    numerals = "一二三四五六七八九十"
    for row in DISTRICTS:
        code = row["code"]
        district = demo.districts[code]
        demo.grids[code] = []
        number = 0
        for office in demo.offices[code]:
            short = office.name.removesuffix("办事处").removesuffix("人民政府")
            demo.grids_by_office[office.name] = []
            for index in range(2):
                number += 1
                grid, _ = Grid.objects.update_or_create(
                    code=f"{code}-G{number:02d}",
                    defaults={
                        "district": district,
                        "name": f"{short}第{numerals[index]}网格",
                        "chief_name": f"{_person(rng)}（社区党支部书记）",
                    },
                )
                demo.grids[code].append(grid)
                demo.grids_by_office[office.name].append(grid)
        demo.roads[code] = {}
        for name, start, end in row["roads"]:
            office = rng.choice(demo.offices[code])
            road, _ = Road.objects.update_or_create(
                district=district,
                name=name,
                section=f"{start}—{end}",
                defaults={"chief_name": f"{_person(rng)}（{office.name}主任）"},
            )
            demo.roads[code][name] = road


def _members(spec: tuple[str, ...], demo: DemoCity) -> list[Unit]:
    units = []
    for name in spec:
        if name == "*districts":
            units.extend(u for u in demo.units.values() if u.kind == UnitKind.DISTRICT_GOVERNMENT)
        else:
            units.append(demo.units[name])
    return units


def build_teams(demo: DemoCity) -> None:
    for code, name, name_en, leader, post, lead_unit, members, categories in TEAMS:
        team, _ = Team.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "leader_name": leader,
                "leader_title": post,
                "lead_unit": demo.units[lead_unit],
            },
        )
        team.member_units.set(_members(members, demo))
        team.categories.set([demo.categories[c] for c in categories])
        demo.teams[code] = team


def _share(total: int, weights: tuple[int, ...]) -> list[int]:
    """Split total over the weights by largest remainder (deterministic, sums to total)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (exact[i] - counts[i], -i), reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


# The older districts hold most of the places the assessors visit.
DISTRICT_WEIGHTS = (26, 24, 24, 13, 13)


def _point_name(category: str, row: dict, road: str, office: Unit, rng: random.Random) -> str:
    place = rng.choice(row["places"])
    if category == "KP-MARKET":
        return rng.choice((f"{road}农贸市场", f"{place}农贸市场", f"{place}菜市场", f"{road}生鲜市场"))
    if category == "KP-SITE":
        return rng.choice(SITE_PROJECTS).format(place=place, road=road) + "工地"
    if category == "KP-VILLAGE":
        return rng.choice(row["villages"]) + rng.choice(("城中村", "城乡结合部"))
    if category == "KP-OLDRES":
        short = office.name.removesuffix("办事处").removesuffix("人民政府")
        return f"{short}老旧小区·{rng.choice(row['estates'])}"
    if category == "KP-ALLEY":
        return rng.choice(ALLEY_NAMES)
    if category == "KP-SIX":
        pattern, brands = rng.choice(SIX_SMALL)
        return f"{road}·" + pattern.format(name=rng.choice(brands))
    if category == "KP-CATER":
        return rng.choice(CATERING).format(name=rng.choice(CATERING_BRANDS))
    if category == "KP-TOILET":
        return rng.choice((f"{road}{rng.randint(1, 6)}号公厕", f"{place}广场公厕", f"{place}公园公厕"))
    raise ValueError(category)


def _coordinate(centre: Decimal, offset: Decimal, rng: random.Random) -> Decimal:
    jitter = Decimal(str(round(rng.uniform(-0.011, 0.011), 6)))
    return (centre + offset + jitter).quantize(Decimal("0.000001"))


def _sample_point_rows(demo: DemoCity) -> dict[str, dict]:
    """The sample points to write, by code: 172 over 8 key-place categories and 5 districts.

    Each lies on a road of its district, in a grid of the street office that answers for it
    (or a grid of its district when a department answers), covered by the category's team.
    """
    rng = random.Random(SEED + 3)
    team_by_category = {c.code: t for t in demo.teams.values() for c in t.categories.all()}
    rows = {}
    for category_code, total in SAMPLE_POINT_COUNTS.items():
        suffix = category_code.removeprefix("KP-")
        for row, count in zip(DISTRICTS, _share(total, DISTRICT_WEIGHTS), strict=True):
            code = row["code"]
            used: set[str] = set()
            for number in range(1, count + 1):
                office = rng.choice(demo.offices[code])
                road_name = rng.choice(tuple(demo.roads[code]))
                name = _point_name(category_code, row, road_name, office, rng)
                for _attempt in range(20):  # the same place drawn twice: draw again
                    if name not in used:
                        break
                    name = _point_name(category_code, row, road_name, office, rng)
                if name in used:
                    name = f"{name}（{number}）"
                used.add(name)
                responsible = RESPONSIBLE_UNIT_BY_CATEGORY[category_code]
                unit = office if responsible == "*office" else demo.units[responsible]
                grids = demo.grids_by_office[office.name] if unit == office else demo.grids[code]
                rows[f"SP-{code}-{suffix}-{number:02d}"] = {
                    "name": name,
                    "category": demo.categories[category_code],
                    "district": demo.districts[code],
                    "grid": rng.choice(grids),
                    "road": demo.roads[code][road_name],
                    "address": f"{CITY}{row['name']}{road_name}{rng.randint(1, 399)}号",
                    "latitude": _coordinate(CITY_CENTRE[0], row["offset"][0], rng),
                    "longitude": _coordinate(CITY_CENTRE[1], row["offset"][1], rng),
                    "responsible_unit": unit,
                    "team": team_by_category.get(category_code),
                    "active": True,
                }
    return rows


def build_sample_points(demo: DemoCity) -> None:
    rows = _sample_point_rows(demo)
    # A city seeded by an older version of this data may hold a name that another code takes
    # now; park the renamed ones under their own code first so no update hits the
    # one-place-per-district-and-category constraint half-way.
    renamed = [
        point.pk
        for point in SamplePoint.objects.filter(code__in=rows).only("code", "name", "district", "category")
        if (point.name, point.district_id, point.category_id)
        != (rows[point.code]["name"], rows[point.code]["district"].pk, rows[point.code]["category"].pk)
    ]
    SamplePoint.objects.filter(pk__in=renamed).update(name=F("code"))
    for code, values in rows.items():
        point, _ = SamplePoint.objects.update_or_create(code=code, defaults=values)
        demo.sample_points.append(point)


def build_indicators(demo: DemoCity, *, today: datetime.date) -> None:
    """Core indicators, each with a value for the first day of each of the last 12 months.

    The values move from a year ago to last month with a small wobble; last month's value is
    exact, so which indicators still miss their target is fixed by the data above.
    """
    rng = random.Random(SEED + 4)
    cent = Decimal("0.01")
    for (code, name, name_en, category, unit, target, direction,
         start, end, wobble, ceiling) in INDICATORS:
        indicator, _ = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "category": demo.categories[category],
                "unit_of_measure": unit,
                "target": Decimal(target),
                "direction": direction,
            },
        )
        first, last, spread = Decimal(start), Decimal(end), float(wobble)
        for step in range(12):
            month = _first_of_month(today, 12 - step)
            value = first + (last - first) * step / 11
            if step < 11:
                value += Decimal(str(rng.uniform(-spread, spread)))
            if ceiling is not None:
                value = min(value, Decimal(ceiling))
            value = max(value, Decimal("0")).quantize(cent, rounding=ROUND_HALF_UP)
            IndicatorValue.objects.update_or_create(indicator=indicator, month=month, defaults={"value": value})
        demo.indicators.append(indicator)


def demo_person(*, username: str, role: str, full_name: str, post: str, **scope) -> User:
    """A person who appears in another app's demo history (a district lead who verified, a
    unit's handler who rectified), created here so that only the campaign app writes people.

    They get no usable password (HQ gives one if someone wants to sign in as them; the
    demo logins are build_users'); a person already there is returned unchanged, so seeding
    twice is harmless. The scope is checked like any person's (``User.clean``)."""
    person = User.objects.filter(username=username).first()
    if person is not None:
        return person
    person = User(username=username, role=role, full_name=full_name, post=post, is_active=True, **scope)
    person.set_unusable_password()
    person.full_clean()
    person.save()
    return person


def build_users(demo: DemoCity, *, password: str) -> None:
    """The demo logins, one per role. A chief's cell names them as its chief.

    The short demo password skips the password validators on purpose (it is the demo). It is
    hashed once for all of them: a full-strength hash costs about half a second each.
    """
    encoded = make_password(password)
    scopes = {"team": demo.teams, "district": demo.districts, "unit": demo.units,
              "grid": {grid.code: grid for grids in demo.grids.values() for grid in grids},
              "road": demo.roads[DEMO_DISTRICT]}
    for username, role, full_name, post, scope, is_staff in DEMO_USERS:
        values = {"team": None, "district": None, "unit": None, "grid": None, "road": None}
        if scope is not None:
            field_name, key = scope
            values[field_name] = scopes[field_name][key]
            if field_name in ("grid", "road"):
                cell = values[field_name]
                type(cell).objects.filter(pk=cell.pk).update(chief_name=f"{full_name}（{post}）")
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "full_name": full_name,
                "post": post,
                "is_staff": is_staff,
                "is_superuser": False,
                "is_active": True,
                **values,
            },
        )
        user.password = encoded
        user.save(update_fields=["password"])
        demo.users.append(user)
