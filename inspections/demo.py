"""The demo inspections: a checklist for every key-place category of the demo city
(campaign/demo.py), a few weeks of submitted inspections by the demo inspector, and this week's
unannounced-visit round half done — for ``manage.py seed_demo``.

The checklist items follow the wording of the national standard's key-place checklists
(国家卫生城市标准 2021 版 and its assessment method) and the problems the assessors write down
on an unannounced visit (``shared/realdata/fengxian_unannounced_visit/problem_summary.txt``:
捕蝇笼饵料干, 容器积水孑孓阳性, 三防不到位, 活禽交易宰杀点, 未见禁烟标识…). Points are those
lost on failure; a veto item fails the point outright (score 0).

Everything is written through the inspection services (``checklist_revise``,
``inspection_start``/``_record_result``/``_submit``, ``round_create``/``_draw``/``_assign``), so
failed items reach the ledger through its services, with its no-duplicate rule. Idempotent:
a checklist is revised only when its items differ from these; inspections and the round are
added only while no inspection exists. Everything random comes from ``random.Random`` with a
fixed seed, so two runs on the same day write the same.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from campaign import demo as city
from campaign.demo_steps import DemoReport
from campaign.models import Category, SamplePoint, User
from ledger.choices import Severity
from ledger.demo import _where

from . import services
from .choices import InspectionKind, Outcome
from .models import Checklist, Inspection, Round

SEED = 2021_47  # the standard's edition and a week number; any fixed number keeps it the same
G, S, U = Severity.GENERAL, Severity.SERIOUS, Severity.URGENT


def _item(code: str, text_zh: str, text_en: str, points: int, severity: str = G, veto: bool = False) -> dict:
    return {"code": code, "text_zh": text_zh, "text_en": text_en, "points": points, "severity": severity,
            "veto": veto}


# Category code -> (checklist name, items). A veto item costs no points: failing it gives 0.
CHECKLISTS = {
    "KP-MARKET": ("农贸市场卫生检查表", (
        _item("MKT-01", "活禽经营区域相对独立，封闭隔离，设独立通风设施",
              "Live poultry area separate, closed off and separately ventilated", 8, S),
        _item("MKT-02", "市场内无活禽现场宰杀", "No live poultry slaughtered on site", 0, U, veto=True),
        _item("MKT-03", "摊位整洁，商品摆放整齐，无占道经营",
              "Stalls clean and tidy, goods in order, no trading in the aisles", 5),
        _item("MKT-04", "地面清洁，无散在垃圾，无积水，排水沟通畅",
              "Floors clean: no litter, no standing water, drains clear", 5),
        _item("MKT-05", "防蝇防鼠防尘（三防）设施到位完好",
              "Fly, rodent and dust proofing (screens, rodent boards, covers) in place", 8, S),
        _item("MKT-06", "捕蝇笼设置规范，饵料有效，无破损倒伏",
              "Fly cages set properly and baited, none broken or knocked over", 3),
        _item("MKT-07", "毒鼠盒设置规范，有饵料和警示标识",
              "Rat bait boxes set properly, baited and with warning signs", 3),
        _item("MKT-08", "无积水容器，孑孓阴性", "No water-holding containers, no mosquito larvae", 5, S),
        _item("MKT-09", "垃圾收集容器加盖密闭，垃圾日产日清", "Refuse bins lidded, refuse cleared daily", 4),
        _item("MKT-10", "市场公厕清洁无异味，设洗手设施",
              "Market toilet clean and odour-free, with hand washing", 5),
        _item("MKT-11", "健康教育宣传栏设置规范，内容定期更新",
              "Health-education board posted and kept up to date", 3),
        _item("MKT-12", "市场内设禁烟标识，无吸烟现象", "No-smoking signs posted, nobody smoking", 3),
    )),
    "KP-SITE": ("建筑工地卫生检查表", (
        _item("SITE-01", "施工现场封闭管理，围挡连续完好", "Site enclosed, hoarding continuous and intact", 5),
        _item("SITE-02", "出入口设车辆冲洗设施，车辆冲洗干净出场，不带泥上路",
              "Wheel washing at the gate; vehicles leave clean, no mud on the road", 8, S),
        _item("SITE-03", "裸露土方和易扬尘材料覆盖到位", "Bare soil and dusty materials covered", 5),
        _item("SITE-04", "建筑垃圾集中堆放，及时清运，不与生活垃圾混堆",
              "Construction waste stacked in one place and removed, not mixed with household waste", 5),
        _item("SITE-05", "主要道路硬化，定时洒水降尘", "Main roads paved and watered against dust", 3),
        _item("SITE-06", "生活区宿舍整洁，通风良好，无乱搭乱建",
              "Living quarters tidy and ventilated, no makeshift structures", 3),
        _item("SITE-07", "工地食堂持证经营，三防到位，生熟分开",
              "Site canteen licensed, pest-proofed, raw and cooked food kept apart", 8, S),
        _item("SITE-08", "工地厕所有专人保洁，无粪便外溢", "Site toilets cleaned by named staff, no overflow", 3),
        _item("SITE-09", "捕蝇笼、毒鼠盒等病媒生物防制设施设置规范",
              "Vector control in place: fly cages and bait boxes set properly", 3),
        _item("SITE-10", "无积水，积水容器及时清理，孑孓阴性",
              "No standing water or containers with mosquito larvae", 5, S),
        _item("SITE-11", "设健康教育宣传栏和禁烟标识", "Health-education board and no-smoking signs posted", 2),
    )),
    "KP-VILLAGE": ("城中村和城乡结合部卫生检查表", (
        _item("VIL-01", "道路平整，无散在垃圾，无乱堆乱放", "Lanes even, no litter, no piles of rubbish", 5),
        _item("VIL-02", "垃圾收集点设置合理，垃圾日产日清，无暴露垃圾",
              "Refuse points in place and cleared daily, no exposed refuse", 5),
        _item("VIL-03", "无违章搭建，无占道经营", "No illegal structures, no trading on the road", 3),
        _item("VIL-04", "房前屋后无积水容器（废旧水缸、轮胎等），孑孓阴性",
              "No water-holding containers (old vats, tyres) around houses, no larvae", 5, S),
        _item("VIL-05", "水沟、明沟通畅，无积水", "Ditches and open drains clear, no standing water", 3),
        _item("VIL-06", "公厕（旱厕）环境整洁，无粪便暴露", "Public and dry toilets clean, no exposed excrement", 5, S),
        _item("VIL-07", "无活禽散养和活禽交易点", "No free-range poultry, no live poultry trading", 5, S),
        _item("VIL-08", "捕蝇笼、毒鼠盒等病媒防制设施设置规范",
              "Fly cages and bait boxes set properly", 3),
        _item("VIL-09", "无占绿堆物、毁绿种菜", "No piles on green space, no vegetables planted in it", 3),
        _item("VIL-10", "设健康教育宣传栏", "Health-education board posted", 2),
    )),
    "KP-OLDRES": ("老旧小区卫生检查表", (
        _item("RES-01", "小区道路地面干净，无散在垃圾，无卫生死角",
              "Paths clean, no litter, no neglected corners", 5),
        _item("RES-02", "垃圾箱房整洁，分类收集，日产日清，无满溢",
              "Refuse rooms tidy, sorted, cleared daily, never overflowing", 5),
        _item("RES-03", "楼道整洁，无乱堆杂物", "Stairwells tidy, nothing stored in them", 3),
        _item("RES-04", "绿地无占绿堆物、毁绿种菜", "Green space free of piles and vegetable plots", 3),
        _item("RES-05", "无积水容器，花盆、废旧容器无积水，孑孓阴性",
              "No water in flower pots or old containers, no mosquito larvae", 5, S),
        _item("RES-06", "雨水井、窨井无积水或已投药", "Gullies and manholes dry or treated", 3),
        _item("RES-07", "捕蝇笼设置规范，饵料有效，无破损倒伏",
              "Fly cages set properly and baited, none broken or knocked over", 3),
        _item("RES-08", "毒鼠盒（站）设置规范，有饵料和警示标识",
              "Rat bait boxes set properly, baited and with warning signs", 3),
        _item("RES-09", "无乱搭乱建、乱拉乱挂", "No makeshift structures or lines strung across", 3),
        _item("RES-10", "设健康教育宣传栏或公益广告", "Health-education board or public-service posters", 2),
    )),
    "KP-ALLEY": ("背街小巷卫生检查表", (
        _item("ALY-01", "路面平整，无坑洼积水", "Surface even, no potholes holding water", 3),
        _item("ALY-02", "路面干净，无散在垃圾、烟头、污水污迹",
              "Surface clean: no litter, cigarette ends or sewage stains", 5),
        _item("ALY-03", "无乱堆物，无占道经营", "No piles of goods, no trading on the street", 3),
        _item("ALY-04", "垃圾桶摆放规范，无满溢", "Litter bins in place, not overflowing", 3),
        _item("ALY-05", "无卫生死角", "No neglected corners", 3),
        _item("ALY-06", "明沟、排水沟通畅，无积水孑孓", "Open drains clear, no standing water or larvae", 5, S),
        _item("ALY-07", "沿街立面整洁，无乱贴乱画", "Façades clean, no fly-posting or graffiti", 2),
        _item("ALY-08", "病媒生物防制设施设置规范，捕蝇笼饵料有效",
              "Vector control set properly, fly cages baited", 3),
    )),
    "KP-SIX": ("“六小”行业卫生检查表", (
        _item("SIX-01", "证照齐全有效（营业执照、卫生许可证或食品经营许可证）",
              "Valid business licence and hygiene or food permit", 0, U, veto=True),
        _item("SIX-02", "证照在醒目位置公示", "Licences displayed where customers see them", 3),
        _item("SIX-03", "从业人员持有效健康证明", "Staff hold valid health certificates", 5, S),
        _item("SIX-04", "防蝇防鼠防尘（三防）设施到位", "Fly, rodent and dust proofing in place", 8, S),
        _item("SIX-05", "公共用品用具（毛巾、杯具、理发工具等）一客一换一消毒",
              "Shared items (towels, cups, clippers) changed and disinfected for every customer", 5, S),
        _item("SIX-06", "店内环境整洁，无乱堆物", "Premises tidy, nothing piled up", 3),
        _item("SIX-07", "设禁烟标识，室内无吸烟现象", "No-smoking signs posted, nobody smoking inside", 3),
        _item("SIX-08", "门前三包落实，门前无散在垃圾", "Frontage kept clean, no litter outside", 3),
        _item("SIX-09", "张贴健康教育宣传资料", "Health-education material on display", 2),
    )),
    "KP-CATER": ("餐饮服务单位卫生检查表", (
        _item("CAT-01", "持有效食品经营许可证", "Valid food business permit", 0, U, veto=True),
        _item("CAT-02", "许可证和量化分级标识在醒目位置公示", "Permit and hygiene rating displayed", 3),
        _item("CAT-03", "从业人员持有效健康证明，穿戴整洁工作衣帽",
              "Staff hold health certificates and wear clean work clothes and caps", 5, S),
        _item("CAT-04", "原料、半成品、成品生熟分开存放和加工",
              "Raw, semi-finished and cooked food stored and prepared apart", 8, S),
        _item("CAT-05", "餐饮具清洗消毒设施（消毒柜）正常使用，消毒后保洁存放",
              "Dishwashing and disinfection cabinet in use, clean tableware stored covered", 8, S),
        _item("CAT-06", "防蝇防鼠防尘设施（纱窗、门帘、挡鼠板）到位",
              "Fly, rodent and dust proofing (screens, curtains, rodent boards) in place", 8, S),
        _item("CAT-07", "后厨地面墙面整洁，无油污积水", "Kitchen floors and walls clean, no grease or water", 5),
        _item("CAT-08", "油烟净化设施正常运行", "Oil-fume purifier working", 5),
        _item("CAT-09", "餐厨垃圾、泔水桶加盖密闭，交有资质单位收运",
              "Kitchen waste in lidded bins, collected by a licensed hauler", 5),
        _item("CAT-10", "无超过保质期或腐败变质食品", "No expired or spoiled food", 8, S),
        _item("CAT-11", "设禁烟标识，无吸烟现象", "No-smoking signs posted, nobody smoking", 3),
    )),
    "KP-STATION": ("车站卫生检查表", (
        _item("STA-01", "候车厅地面、座椅清洁，无散在垃圾", "Waiting hall floors and seats clean, no litter", 5),
        _item("STA-02", "站前广场整洁，无乱停乱放、占道经营",
              "Forecourt tidy: no disorderly parking, no street trading", 3),
        _item("STA-03", "候车室通风良好，空气清新", "Waiting rooms ventilated, air fresh", 3),
        _item("STA-04", "公共厕所清洁无异味，设洗手设施", "Toilets clean and odour-free, with hand washing", 5),
        _item("STA-05", "室内全面禁烟，禁烟标识规范，无吸烟现象",
              "Smoke-free indoors: signs posted, nobody smoking", 5, S),
        _item("STA-06", "设健康教育宣传栏或电子屏", "Health-education board or screen", 3),
        _item("STA-07", "捕蝇笼、毒鼠盒等病媒防制设施设置规范", "Fly cages and bait boxes set properly", 3),
        _item("STA-08", "站内餐饮、商店证照齐全，三防到位",
              "Food outlets in the station licensed and pest-proofed", 5, S),
        _item("STA-09", "饮水设施卫生，定期清洗消毒", "Drinking-water points clean and disinfected", 3),
    )),
    "KP-TOILET": ("公共厕所卫生检查表", (
        _item("WC-01", "厕所内外清洁，地面无积水、无污物", "Clean inside and out, floor dry and free of dirt", 5),
        _item("WC-02", "无明显异味", "No noticeable odour", 5),
        _item("WC-03", "便器清洁，无粪便、尿垢", "Toilets and urinals clean, no faeces or scale", 5),
        _item("WC-04", "洗手设施完好，有洗手液", "Hand washing works, with soap", 5),
        _item("WC-05", "指引标志、男女标识清晰规范", "Direction signs and men/women signs clear", 3),
        _item("WC-06", "照明、通风、冲水设施完好", "Lighting, ventilation and flushing work", 3),
        _item("WC-07", "保洁制度和保洁人员公示", "Cleaning schedule and cleaner named on a board", 2),
        _item("WC-08", "捕蝇笼、毒鼠盒设置规范，饵料有效", "Fly cages and bait boxes set properly and baited", 3),
        _item("WC-09", "周边无积水容器，孑孓阴性", "No water-holding containers around, no larvae", 5, S),
        _item("WC-10", "地面无烟头", "No cigarette ends on the floor", 2),
    )),
    "KP-HOSPITAL": ("医疗机构卫生检查表", (
        _item("HOS-01", "医疗废物分类收集，未混入生活垃圾", "Medical waste sorted, never mixed with household waste",
              0, U, veto=True),
        _item("HOS-02", "医疗废物暂存点设施、警示标识、交接登记规范",
              "Medical waste store equipped and signed, handovers logged", 5, S),
        _item("HOS-03", "预检分诊和发热门诊设置规范", "Triage and fever clinic set up properly", 5, S),
        _item("HOS-04", "院内环境整洁，无卫生死角", "Grounds clean, no neglected corners", 3),
        _item("HOS-05", "全面禁烟，禁烟标识规范，无吸烟现象", "Smoke-free: signs posted, nobody smoking", 5),
        _item("HOS-06", "设健康教育宣传栏，提供健康教育处方", "Health-education board and leaflets", 3),
        _item("HOS-07", "卫生间清洁，洗手设施完好", "Toilets clean, hand washing works", 3),
        _item("HOS-08", "污水处理设施正常运行，消毒记录完整",
              "Wastewater treatment running, disinfection records complete", 5, S),
        _item("HOS-09", "捕蝇笼、毒鼠盒等病媒防制设施设置规范", "Fly cages and bait boxes set properly", 3),
    )),
    "KP-SCHOOL": ("学校卫生检查表", (
        _item("SCH-01", "学校食堂持有效许可证，三防设施到位", "Canteen licensed and pest-proofed", 8, S),
        _item("SCH-02", "食品留样规范（每样不少于125克，保存48小时）",
              "Food samples kept properly (125 g each, 48 hours)", 5, S),
        _item("SCH-03", "饮水设施卫生，定期清洗消毒", "Drinking-water points clean and disinfected", 5, S),
        _item("SCH-04", "校园环境整洁，无卫生死角", "Campus clean, no neglected corners", 3),
        _item("SCH-05", "开设健康教育课，设健康教育宣传栏", "Health-education lessons given, board posted", 3),
        _item("SCH-06", "校园全面禁烟，无吸烟现象", "Smoke-free campus, nobody smoking", 5),
        _item("SCH-07", "厕所清洁，洗手设施完好", "Toilets clean, hand washing works", 3),
        _item("SCH-08", "晨午检和因病缺勤追踪登记完整", "Morning checks and sick-absence follow-up logged", 3),
        _item("SCH-09", "教室采光照明、课桌椅符合卫生要求", "Classroom lighting and desks meet hygiene rules", 2),
        _item("SCH-10", "捕蝇笼、毒鼠盒等病媒防制设施设置规范", "Fly cages and bait boxes set properly", 3),
    )),
    "KP-WATER": ("河湖水系卫生检查表", (
        _item("WAT-01", "水面清洁，无漂浮垃圾", "Water surface clean, no floating rubbish", 5),
        _item("WAT-02", "岸坡整洁，无垃圾堆积", "Banks tidy, no rubbish dumped", 5),
        _item("WAT-03", "水体无黑臭", "Water neither black nor foul-smelling", 8, S),
        _item("WAT-04", "无污水直排入河", "No sewage discharged straight into the water", 10, S),
        _item("WAT-05", "河长公示牌设置规范，信息准确", "River-chief board posted and correct", 2),
        _item("WAT-06", "沿岸无乱搭乱建、毁绿种菜", "No structures or vegetable plots on the banks", 3),
        _item("WAT-07", "岸边无积水容器，孑孓阴性", "No water-holding containers on the banks, no larvae", 3),
    )),
    "KP-ORG": ("机关企事业单位卫生检查表", (
        _item("ORG-01", "爱国卫生组织健全，有专人负责", "Patriotic-health committee in place, a named person in charge",
              3),
        _item("ORG-02", "室内外环境整洁，无卫生死角", "Inside and outside clean, no neglected corners", 5),
        _item("ORG-03", "室内全面禁烟，禁烟标识规范，无烟头", "Smoke-free indoors: signs posted, no cigarette ends", 5),
        _item("ORG-04", "设健康教育宣传栏", "Health-education board posted", 3),
        _item("ORG-05", "单位食堂持证经营，三防到位", "Canteen licensed and pest-proofed", 5, S),
        _item("ORG-06", "生活垃圾分类收集", "Household waste sorted", 3),
        _item("ORG-07", "病媒生物防制设施规范，有定期消杀记录", "Vector control in place, pest-control visits logged",
              3),
        _item("ORG-08", "厕所清洁，洗手设施完好", "Toilets clean, hand washing works", 3),
    )),
}

# What goes wrong at each kind of place and how the inspector writes it down, most frequent
# first: item code -> the real list's phrases for it (ledger/demo.py's PHRASES, from the Fengxian
# unannounced visit), so a failure reads like the assessors' list and the ledger's demo problems.
FAILURES = {
    "KP-MARKET": {
        "MKT-06": ("捕蝇笼饵料干",), "MKT-04": ("地面不洁散在垃圾", "多处路面积水", "明沟堵塞不洁", "路面大量积水"),
        "MKT-12": ("见吸烟现象", "地面烟头较多"), "MKT-08": ("容器积水孑孓阳性",), "MKT-05": ("三防不到位",),
        "MKT-09": ("垃圾桶满溢",), "MKT-07": ("毒鼠盒未见警示标识",), "MKT-01": ("活禽交易点",),
        "MKT-02": ("活禽交易宰杀点",),
    },
    "KP-SITE": {
        "SITE-03": ("裸土未覆盖",), "SITE-02": ("出入口车辆未冲洗带泥上路",),
        "SITE-04": ("建筑垃圾乱堆放", "垃圾乱堆，成蝇密度高"), "SITE-10": ("积水容器孑孓阳性",),
        "SITE-07": ("工棚食堂三防不到位",), "SITE-01": ("围挡破损",),
    },
    "KP-VILLAGE": {
        "VIL-04": ("废旧水缸积水孑孓阳性", "容器积水孑孓阳性", "积水容器4处"), "VIL-01": ("乱堆物",),
        "VIL-09": ("占绿堆物",), "VIL-02": ("生活垃圾堆积", "暴露垃圾"), "VIL-05": ("水沟积水孑孓阳性",),
        "VIL-08": ("垃圾房周边未见病媒防制设施",), "VIL-06": ("旱厕环境脏乱",), "VIL-07": ("活禽交易点",),
    },
    "KP-OLDRES": {
        "RES-07": ("捕蝇笼饵料干", "捕蝇笼无饵料", "捕蝇笼破损", "捕蝇笼倒伏"),
        "RES-05": ("容器积水孑孓阳性", "积水容器3处", "废旧轮胎积水孑孓阳性"),
        "RES-02": ("生活垃圾堆积", "垃圾桶满溢", "垃圾堆积成蝇密度高"),
        "RES-04": ("占绿堆物", "大件垃圾占绿乱堆放", "绿化带脏乱"),
        "RES-08": ("毒鼠盒设置不规范", "毒鼠点未见毒鼠盒", "毒鼠点无警示标志", "毒鼠盒无饵料"),
        "RES-01": ("散在垃圾", "卫生死角", "地面污水污迹"), "RES-06": ("雨水井积水孑孓阳性", "明沟积水"),
    },
    "KP-ALLEY": {
        "ALY-02": ("散在垃圾", "地面污水污迹", "油泥污染地面"), "ALY-05": ("卫生死角", "卫生死角散在垃圾，成蝇密度高"),
        "ALY-03": ("建筑垃圾乱堆放", "占绿堆物"), "ALY-06": ("容器积水孑孓阳性", "明沟积水，路面积水"),
        "ALY-08": ("捕蝇笼饵料干",), "ALY-04": ("垃圾桶满溢",),
    },
    "KP-SIX": {
        "SIX-04": ("三防不到位",), "SIX-07": ("未见禁烟标识", "地面烟头较多"), "SIX-08": ("散在垃圾", "垃圾桶满溢"),
        "SIX-06": ("乱堆物",),
    },
    "KP-CATER": {
        "CAT-06": ("三防不到位",), "CAT-07": ("地面油污", "卫生死角"), "CAT-09": ("泔水桶未加盖", "垃圾桶满溢"),
        "CAT-11": ("未见禁烟标识",),
    },
    "KP-TOILET": {
        "WC-08": ("捕蝇笼饵料干", "捕蝇笼饵料干，未见毒鼠盒", "捕蝇笼无饵料，毒鼠盒设置不规范", "周边未见病媒防制设施"),
        "WC-09": ("容器积水孑孓阳性",), "WC-10": ("地面有烟头",), "WC-02": ("地面污水异味重",),
        "WC-01": ("卫生死角", "明沟积水"),
    },
}

INSPECTIONS = 30  # submitted over the last weeks
WEEKS = 6


@dataclass
class DemoInspections:
    """What the builder wrote (or found), for the command's summary and for tests."""

    checklists_revised: int = 0
    inspections: int = 0
    problems: dict = field(default_factory=dict)  # outcome ("new", "found_again", "rebound") -> count
    round: Round | None = None


def demo_checklists_build(*, by: User) -> int:
    """Write the demo checklists for every key-place category of the demo city that exists.

    Rule: idempotent — a checklist whose current items already equal these is left alone; one
    that differs is revised through ``checklist_revise`` (a new version when inspections used
    it). Returns how many checklists were written or revised."""
    categories = {c.code: c for c in Category.objects.filter(code__in=CHECKLISTS)}
    revised = 0
    for code, (name, items) in CHECKLISTS.items():
        category = categories.get(code)
        if category is None:
            continue
        if _same_items(category, name, items):
            continue
        services.checklist_revise(category=category, items=list(items), by=by, name=name,
                                  note="演示检查表" if revised == 0 else "")
        revised += 1
    return revised


def _same_items(category: Category, name: str, items) -> bool:
    checklist = Checklist.objects.filter(category=category).first()
    if checklist is None or checklist.name != name:
        return False
    version = checklist.current_version
    if version is None:
        return False
    stored = [(i.code, i.text_zh, i.text_en, i.points, i.severity, i.veto) for i in version.items.order_by("order")]
    wanted = [(i["code"], i["text_zh"], i["text_en"], Decimal(str(i["points"])), i["severity"], i["veto"])
              for i in items]
    return stored == wanted


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    minutes = rng.choice((rng.randint(8 * 60 + 40, 11 * 60 + 30), rng.randint(14 * 60 + 10, 17 * 60)))
    naive = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=minutes)
    return timezone.make_aware(naive)


def _inspect(point: SamplePoint, *, kind: str, by: User, at: datetime.datetime, rng: random.Random,
             now: datetime.datetime, round_point=None, submit: bool = True, answered: float = 1.0):
    """One inspection through the services: most items pass, one to four of the likely ones fail
    (a tenth of the visits find nothing wrong)."""
    inspection = services.inspection_start(sample_point=point, kind=kind, by=by, round_point=round_point,
                                           started_at=at, latitude=point.latitude, longitude=point.longitude,
                                           location_accuracy_m=rng.randint(5, 30))
    category = point.category.code
    likely = tuple(FAILURES.get(category, {}))
    failing = set()
    if likely and rng.random() > 0.1:
        count = rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0]
        # The first items are the most frequent ones (a veto item comes last: rarely).
        weights = [len(likely) - n for n in range(len(likely))]
        failing = {rng.choices(likely, weights=weights)[0] for _ in range(count)}
    items = list(inspection.checklist_version.items.all())
    for item in items[: max(1, round(len(items) * answered))]:
        failed = item.code in failing
        note = f"{_where(category, rng)}{rng.choice(FAILURES[category][item.code])}" if failed else ""
        services.inspection_record_result(inspection=inspection, item=item, by=by,
                                          outcome=Outcome.FAIL if failed else Outcome.PASS, note=note)
    if not submit:
        return inspection, []
    # Never after now: the ledger's history holds nothing from the future.
    ended = min(at + datetime.timedelta(minutes=rng.randint(15, 45)), now - datetime.timedelta(seconds=1))
    return services.inspection_submit(inspection=inspection, by=by, ended_at=ended, at=ended)


def demo_inspections_build(*, today: datetime.date | None = None) -> DemoInspections:
    """Checklists, ~30 inspections by the demo inspector over the last six weeks (failures go to
    the ledger through the services) and this week's unannounced-visit round, drawn with quotas,
    assigned and partly done.

    Rule: idempotent — the checklists as ``demo_checklists_build``; inspections and the round only
    while the database holds no inspection. Needs the demo city; one transaction."""
    hq = User.objects.get(username="hq")
    inspector = User.objects.get(username="inspector")
    result = DemoInspections()
    with transaction.atomic():
        result.checklists_revised = demo_checklists_build(by=hq)
        if Inspection.objects.exists():
            result.inspections = Inspection.objects.count()
            return result
        now = timezone.now()
        today = today or timezone.localdate(now)
        rng = random.Random(SEED)
        # The demo inspector works in the demo district (the district the ledger's inspector covers).
        points = list(
            SamplePoint.objects.filter(district__code=city.DEMO_DISTRICT, active=True, category__checklist__isnull=False)
            .select_related("category", "responsible_unit", "district").order_by("code")
        )
        first_day = today - datetime.timedelta(days=WEEKS * 7)
        visits = []
        for _n in range(INSPECTIONS):
            day = first_day + datetime.timedelta(days=rng.randrange(WEEKS * 7))
            while day.weekday() >= 5:  # inspections on working days
                day -= datetime.timedelta(days=1)
            visits.append((_moment(day, rng), rng.choice(points), rng.choice(
                (InspectionKind.ROUTINE, InspectionKind.ROUTINE, InspectionKind.UNANNOUNCED, InspectionKind.WOODPECKER))))
        for at, point, kind in sorted(visits, key=lambda v: (v[0], v[1].code)):
            if at >= now:
                continue
            _inspection, findings = _inspect(point, kind=kind, by=inspector, at=at, rng=rng, now=now)
            result.inspections += 1
            for _problem, outcome in findings:
                result.problems[outcome] = result.problems.get(outcome, 0) + 1
        result.round = _demo_round(today=today, now=now, hq=hq, inspector=inspector, rng=rng, result=result)
    return result


# This week's round: how many points of each category the assessors' way of drawing asks for.
ROUND_QUOTAS = {"KP-MARKET": 3, "KP-SITE": 2, "KP-VILLAGE": 2, "KP-OLDRES": 3, "KP-ALLEY": 3, "KP-SIX": 4,
                "KP-CATER": 2, "KP-TOILET": 3}


def _demo_round(*, today, now, hq, inspector, rng, result) -> Round:
    """"暗访 第N周": drawn in the whole city, shared between the demo inspector and HQ, the
    inspector's first points done (one left as a draft half-way, to resume)."""
    monday = today - datetime.timedelta(days=today.weekday())
    week = today.isocalendar().week
    categories = {c.code: c for c in Category.objects.filter(code__in=ROUND_QUOTAS)}
    inspection_round = services.round_create(
        name=f"暗访 第{week}周", kind=InspectionKind.UNANNOUNCED, starts_on=monday,
        ends_on=monday + datetime.timedelta(days=6), by=hq, exclude_inspected_days=14,
        quotas={categories[code]: n for code, n in ROUND_QUOTAS.items() if code in categories},
    )
    services.round_draw(inspection_round=inspection_round, by=hq, seed=SEED + week)
    services.round_assign(inspection_round=inspection_round, inspectors=[inspector, hq], by=hq)
    mine = list(inspection_round.points.filter(inspector=inspector).select_related(
        "sample_point__category", "sample_point__responsible_unit", "sample_point__district"))
    done = mine[: len(mine) // 2]
    for index, round_point in enumerate(done):
        # Earlier today (or this week, from Monday on), an hour apart.
        at = max(now - datetime.timedelta(hours=len(done) - index + 1),
                 timezone.make_aware(datetime.datetime.combine(monday, datetime.time(9))))
        at = min(at, now - datetime.timedelta(minutes=30))
        _inspection, findings = _inspect(round_point.sample_point, kind=InspectionKind.UNANNOUNCED, by=inspector,
                                         at=at, rng=rng, now=now, round_point=round_point)
        result.inspections += 1
        for _problem, outcome in findings:
            result.problems[outcome] = result.problems.get(outcome, 0) + 1
    if len(mine) > len(done):
        # Started and left half-way: the field form resumes it.
        _inspect(mine[len(done)].sample_point, kind=InspectionKind.UNANNOUNCED, by=inspector,
                 at=now - datetime.timedelta(minutes=20), rng=rng, now=now, round_point=mine[len(done)],
                 submit=False, answered=0.5)
    inspection_round.refresh_from_db()
    return inspection_round


def demo_inspections_step() -> DemoReport:
    """The demo checklists, inspections and round as a step of ``manage.py seed_demo``."""
    demo = demo_inspections_build()
    if demo.round is None:
        return DemoReport(
            f"Checklists revised: {demo.checklists_revised}; the database already holds "
            f"{demo.inspections} inspections: no demo inspections added.",
            wrote=False,
        )
    problems = ", ".join(f"{n} {outcome.replace('_', ' ')}" for outcome, n in sorted(demo.problems.items()))
    return DemoReport(
        f"Demo inspections seeded in {{seconds:.1f}} s: {demo.checklists_revised} checklists, "
        f"{demo.inspections} inspections submitted (problems: {problems or 'none'}), "
        f"round {demo.round.name} with {demo.round.points.count()} points drawn."
    )


def demo_checklists_step() -> None:
    """With ``seed_demo --without-ledger``: the demo checklists only."""
    demo_checklists_build(by=User.objects.get(username="hq"))
