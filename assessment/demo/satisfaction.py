"""The public-satisfaction survey in the demo city, a step of ``manage.py seed_demo`` (registered in
apps.py): one survey of six questions opened five months ago, and about four months of answers
with real differences between districts (some above the 90 % target, some well below) and a
slow improvement over time. Every write goes through the services; run again, it adds nothing."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from campaign.choices import CategoryKind, Role
from campaign.demo_steps import DemoReport
from campaign.models import Category, District, User

from ..models import SatisfactionSurvey
from ..models.satisfaction import QuestionKind
from ..services import satisfaction as services

SLUG = "manyidu"
QUESTIONS = (
    ("您对所在区域的整体环境卫生状况满意吗？", "How satisfied are you with the overall cleanliness of your area?", QuestionKind.RATING, ()),
    ("您对农贸市场的卫生状况满意吗？", "How satisfied are you with the cleanliness of farmers' markets?", QuestionKind.RATING, ()),
    ("您对背街小巷和居民小区的环境满意吗？", "How satisfied are you with back streets and residential compounds?", QuestionKind.RATING, ()),
    ("您对公共厕所的卫生状况满意吗？", "How satisfied are you with public toilets?", QuestionKind.RATING, ()),
    ("您知道本市正在创建国家卫生城市吗？", "Do you know the city is working to become a National Health City?", QuestionKind.YES_NO, ()),
    ("您认为最需要改进的是哪方面？", "What most needs improving?", QuestionKind.CHOICE,
     (("农贸市场", "Farmers' markets"), ("背街小巷", "Back streets"), ("公共厕所", "Public toilets"),
      ("餐饮门店", "Restaurants"), ("病媒生物", "Rats, mosquitoes, flies"))),
)
# How satisfied each district's residents tend to be (0..1) at the start; all improve a little a month.
DISTRICT_MOOD = (0.93, 0.82, 0.70, 0.88, 0.76, 0.64)
WEEKS = 17


def _rating(rng: random.Random, mood: float) -> int:
    """A 1–5 rating leaning to satisfied with probability ``mood``."""
    if rng.random() < mood:
        return 5 if rng.random() < 0.45 else 4
    return rng.choice((3, 3, 2, 1))


def demo_satisfaction_step() -> DemoReport:
    if SatisfactionSurvey.objects.filter(slug=SLUG).exists():
        return DemoReport("Satisfaction survey already in place.", wrote=False)
    hq = (User.objects.filter(username="hq", is_active=True).first()
          or User.objects.filter(role=Role.HQ_STAFF, is_active=True).order_by("pk").first())
    districts = list(District.objects.order_by("code"))
    if hq is None or not districts:
        return DemoReport("No satisfaction survey: the demo city has no HQ staff or districts.", wrote=False)
    today = timezone.localdate()
    survey = services.survey_create(
        by=hq, slug=SLUG, title="2026年度群众满意度调查", title_en="Public satisfaction survey 2026",
        intro="本调查匿名进行，约需两分钟。感谢您对创建国家卫生城市工作的支持！",
        intro_en="Anonymous, about two minutes. Thank you for supporting the National Health City campaign!",
        target_rate=Decimal("90"), opens_on=today - timedelta(weeks=WEEKS + 4))
    questions = [services.question_add(survey=survey, by=hq, text=text, text_en=text_en, kind=kind,
                                       options=[{"zh": zh, "en": en} for zh, en in options], order=order,
                                       required=kind != QuestionKind.CHOICE)
                 for order, (text, text_en, kind, options) in enumerate(QUESTIONS, start=1)]
    places = list(Category.objects.filter(kind=CategoryKind.KEY_PLACE).order_by("order"))
    rng = random.Random(20260101)
    zone = timezone.get_current_timezone()
    count = 0
    for week in range(WEEKS, 0, -1):
        monday = today - timedelta(days=today.weekday(), weeks=week)
        for index, district in enumerate(districts):
            mood = min(0.97, DISTRICT_MOOD[index % len(DISTRICT_MOOD)] + (WEEKS - week) * 0.006)
            for person in range(rng.randint(4, 9)):
                day = monday + timedelta(days=rng.randint(0, 6))
                answers = {}
                for question in questions:
                    if question.kind == QuestionKind.RATING:
                        # Markets and toilets lag behind the general view.
                        lag = 0.08 if question.order in (2, 4) else 0.0
                        answers[question.pk] = _rating(rng, mood - lag)
                    elif question.kind == QuestionKind.YES_NO:
                        answers[question.pk] = int(rng.random() < 0.85)
                    elif rng.random() < 0.7:
                        answers[question.pk] = rng.randrange(len(question.options))
                at = datetime.combine(day, time(8 + rng.randint(0, 12), rng.randint(0, 59)), tzinfo=zone)
                services.survey_answer_submit(
                    survey=survey, district=district,
                    place_category=rng.choice(places) if places and rng.random() < 0.5 else None,
                    answers=answers, device_token=f"demo-{week}-{index}-{person}-{rng.random()}",
                    client_address=None, now=at, source="demo")
                count += 1
    return DemoReport(f"Satisfaction survey seeded: {len(questions)} questions, {count} answers over {WEEKS} weeks "
                      f"in {len(districts)} districts (/survey/{SLUG}/).", details=())
