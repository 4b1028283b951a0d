"""The class suggestion (ledger/class_suggest.py): hand-made cases, the problem page's accept
button, and precision@1 on real Chinese citizen messages against a baseline."""

import collections
import re
from pathlib import Path

import pytest
from django.urls import reverse

from ledger import services
from ledger.class_suggest import ClassProfile, rank, suggest_classes, tokens
from ledger.models import Problem
from ledger.tests.api_support import client_for
from ledger.tests.factories import record

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"


# --- The rule on hand-made cases -------------------------------------------------------------------


def test_tokens_are_chinese_bigrams_and_latin_words():
    assert tokens("油烟扰民，A3区") == collections.Counter({"油烟": 1, "烟扰": 1, "扰民": 1, "a3": 1, "区": 1})


def _profiles():
    return [
        ClassProfile(key="poultry", text=tokens("活禽交易宰杀 市场内活禽宰杀 活禽摊位现场宰杀"), category_id=1,
                     point_ids={10}, district_ids={1}),
        ClassProfile(key="water", text=tokens("容器积水孑孓阳性 废旧水缸积水 路面积水"), category_id=2,
                     district_ids={2}),
        ClassProfile(key="litter", text=tokens("地面散在垃圾 垃圾桶满溢 暴露垃圾"), category_id=1, district_ids={1}),
    ]


def test_the_text_picks_the_class_and_says_which_words():
    best = rank(description="市场内发现活禽现场宰杀", profiles=_profiles())[0]
    assert best.key == "poultry" and "活禽" in best.words and "宰杀" in best.words
    assert not best.same_category  # no category given: no boost


def test_the_category_and_place_break_a_tie_and_are_named():
    # "垃圾" alone: litter by text; at the poultry class's sample point, in its category, the
    # boosts are named in the answer.
    plain = rank(description="积水", profiles=_profiles())
    assert plain[0].key == "water"
    boosted = rank(description="发现宰杀", category_id=1, point_id=10, district_id=1, profiles=_profiles())[0]
    assert (boosted.key, boosted.same_category, boosted.same_point, boosted.same_district) == (
        "poultry", True, True, True)


def test_nothing_is_suggested_for_unrelated_text_in_another_category():
    assert rank(description="学校门口交通拥堵", category_id=99, profiles=_profiles()) == []
    assert rank(description="任何", profiles=[]) == []


# --- In the ledger ------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_the_problem_page_suggests_a_class_and_accepting_classifies_it(city, login, media):
    poultry = services.problem_class_create(code="C01", name="活禽宰杀", category=city.market, by=city.hq)
    services.problem_class_create(code="C02", name="垃圾满溢", by=city.hq)
    for text in ("活禽交易点现场宰杀", "市场内活禽宰杀未封闭"):
        services.problem_classify(problem=record(city, description=text), problem_class=poultry, by=city.hq)
    new = record(city, description="发现活禽宰杀")
    client = login(city.hq)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(reverse("ledger:problem_detail", args=[new.pk])).content.decode()
    block = re.search(r'<div class="card card-body p-2 mt-1 small d-print-none" id="class-suggestions">(.*?)</div>\s*</dd>',
                      html, re.S).group(1)
    assert 'data-class="C01"' in block and "活禽" in block and "same category" in block
    assert 'data-class="C02"' not in block
    response = client.post(reverse("ledger:problem_act", args=[new.pk, "classify"]),
                           {"classify-version": new.version, "classify-problem_class": poultry.pk})
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.problem_class == poultry
    assert new.events.filter(action="classify").exists()
    # Once in a class, no suggestion.
    assert 'id="class-suggestions"' not in client.get(reverse("ledger:problem_detail", args=[new.pk])).content.decode()


@pytest.mark.django_db
def test_suggestions_come_only_from_classes_the_user_sees(city, media):
    theirs = services.problem_class_create(code="CB", name="活禽宰杀", by=city.other_district_lead)
    services.problem_classify(problem=record(city, point=city.points_b[0], description="活禽宰杀"),
                              problem_class=theirs, by=city.hq)
    assert [s.key for s in suggest_classes(user=city.hq, description="活禽宰杀")] == [theirs]
    assert suggest_classes(user=city.district_lead, description="活禽宰杀") == []


@pytest.mark.django_db
def test_the_api_suggests_with_reasons(city, media):
    poultry = services.problem_class_create(code="C01", name="活禽宰杀", category=city.market, by=city.hq)
    services.problem_classify(problem=record(city, description="活禽宰杀点"), problem_class=poultry, by=city.hq)
    api = client_for(city.hq)
    rows = api.get(reverse("problemclass-suggest"), {"description": "活禽宰杀", "category": city.market.pk}).json()
    assert rows[0]["code"] == "C01" and rows[0]["same_category"] and "活禽" in rows[0]["words"]
    assert api.get(reverse("problemclass-suggest")).status_code == 400
    assert Problem.objects.count() == 1


# --- Real data: precision@1 on a held-out split ----------------------------------------------------

# Classes of citizen messages, each labelled by keywords in the message's SUBJECT line (留言主题),
# each class under a category; the rule sees only the message's DETAIL text (留言详情).
REAL_CLASSES = {
    "油烟": (("油烟",), "餐饮"), "噪音": (("噪音", "噪声"), "餐饮"),
    "垃圾": (("垃圾",), "环卫"), "厕所": (("厕所", "公厕"), "环卫"),
    "积水": (("积水", "下水道", "排水", "污水"), "市政"), "停车": (("停车",), "市政"),
    "占道": (("占道", "摆摊", "摊贩"), "市容"), "违建": (("违建", "违章建筑", "违法建筑"), "市容"),
}
KEYWORDS = [word for words, _category in REAL_CLASSES.values() for word in words]


def _labelled_messages():
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(REALDATA / "cn_citizen_messages" / "messages_with_replies.xlsx", read_only=True)
    rows = list(book.active.iter_rows(values_only=True))[1:]
    book.close()
    labelled = []
    for row in rows:
        subject, detail = str(row[2] or ""), re.sub(r"\s+", "", str(row[4] or ""))
        hits = [name for name, (words, _c) in REAL_CLASSES.items() if any(word in subject for word in words)]
        if len(hits) == 1 and detail:
            labelled.append((hits[0], REAL_CLASSES[hits[0]][1], detail))
    return labelled


def _precision(labelled, *, clean=lambda text: text):
    """precision@1 of the rule and of the baseline (the most frequent class of the message's
    category in the training part) on every third message (held out)."""
    train = [row for index, row in enumerate(labelled) if index % 3]
    test = [row for index, row in enumerate(labelled) if index % 3 == 0]
    profiles: dict[str, ClassProfile] = {}
    by_category: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for name, category, detail in train:
        profile = profiles.setdefault(name, ClassProfile(key=name, text=collections.Counter(), category_id=category))
        profile.text.update(tokens(clean(detail)))
        by_category[category][name] += 1
    hits = baseline = 0
    for name, category, detail in test:
        best = rank(description=clean(detail), category_id=category, profiles=list(profiles.values()), limit=1)
        hits += bool(best) and best[0].key == name
        baseline += by_category[category].most_common(1)[0][0] == name
    return len(test), hits / len(test), baseline / len(test)


@pytest.mark.realdata
def test_precision_at_1_on_real_citizen_messages_beats_the_category_baseline():
    labelled = _labelled_messages()
    assert len(labelled) >= 150  # 178 messages name exactly one of the classes in their subject
    held_out, precision, baseline = _precision(labelled)
    assert held_out >= 50
    # Measured: 0.95 against 0.77 for "the most frequent class of the category".
    assert precision >= 0.85 and precision >= baseline + 0.1, (precision, baseline)


@pytest.mark.realdata
def test_precision_holds_without_the_labelling_keywords():
    """The words that labelled the messages are cut out of every text: the rule must still
    beat the baseline from the rest of the wording (measured: 0.83 against 0.77)."""

    def clean(text):
        for word in KEYWORDS:
            text = text.replace(word, "")
        return text

    _held_out, precision, baseline = _precision(_labelled_messages(), clean=clean)
    assert precision > baseline, (precision, baseline)
