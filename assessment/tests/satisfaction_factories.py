"""A survey with a rating, a yes/no and a one-choice question, made through the services."""

from datetime import date
from decimal import Decimal

from assessment.models.satisfaction import QuestionKind
from assessment.services import satisfaction as services


def make_survey(hq, *, slug="city-2026", target=Decimal("80"), opens_on=date(2026, 1, 1)):
    survey = services.survey_create(by=hq, slug=slug, title="群众满意度调查", title_en="Satisfaction survey",
                                    target_rate=target, opens_on=opens_on)
    rating = services.question_add(survey=survey, by=hq, text="您对街道环境卫生满意吗？", text_en="Street cleanliness?",
                                   kind=QuestionKind.RATING)
    yes_no = services.question_add(survey=survey, by=hq, text="您知道本市在创建国家卫生城市吗？",
                                   text_en="Do you know about the campaign?", kind=QuestionKind.YES_NO)
    choice = services.question_add(survey=survey, by=hq, text="您最关心哪方面？", text_en="What matters most?",
                                   kind=QuestionKind.CHOICE, options=["农贸市场", "背街小巷", "公共厕所"],
                                   required=False)
    return survey, rating, yes_no, choice
