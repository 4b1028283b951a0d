"""HQ sets up a survey and its questions through the services; every change is recorded; others
cannot; the QR code is a real SVG of the public link."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessment.models import SatisfactionSurvey, SurveyChange, SurveyQuestion
from assessment.models.satisfaction import QuestionKind
from assessment.services import satisfaction as services
from assessment.services.satisfaction import survey_answer_submit

from .satisfaction_factories import make_survey

pytestmark = pytest.mark.django_db


def test_hq_creates_a_survey_and_a_question_on_the_pages(city, login):
    client = login(city.users["hq"])
    response = client.post(reverse("assessment:survey_create"), {
        "title": "2026年群众满意度", "slug": "pulse-2026", "target_rate": "85", "opens_on": "2026-01-01",
        "active": "on"})
    survey = SatisfactionSurvey.objects.get(slug="pulse-2026")
    assert response.status_code == 302
    response = client.post(reverse("assessment:survey_detail", args=[survey.pk]), {
        "add_question": "1", "q-order": "", "q-text": "您最关心哪方面？", "q-kind": QuestionKind.CHOICE,
        "q-options_text": "农贸市场 | Markets\n公共厕所", "q-required": "on", "q-active": "on"})
    assert response.status_code == 302
    question = survey.questions.get()
    assert question.order == 1  # blank: after the last (none yet)
    assert question.options == [{"zh": "农贸市场", "en": "Markets"}, {"zh": "公共厕所", "en": ""}]
    assert list(SurveyChange.objects.values_list("action", flat=True).order_by("pk")) == ["create", "question_add"]


def test_a_one_choice_question_needs_two_options_named_on_the_page(city, login):
    survey = make_survey(city.users["hq"])[0]
    response = login(city.users["hq"]).post(reverse("assessment:survey_detail", args=[survey.pk]), {
        "add_question": "1", "q-order": "9", "q-text": "哪个？", "q-kind": QuestionKind.CHOICE, "q-options_text": "只有一个"})
    assert response.status_code == 400
    assert response.context["question_form"].errors["options_text"] == ["A one-choice question needs at least two options."] \
        or "至少" in response.context["question_form"].errors["options_text"][0]


def test_bad_settings_are_refused_naming_the_field(city):
    hq = city.users["hq"]
    with pytest.raises(ValidationError) as refused:
        services.survey_create(by=hq, slug="x", title="t", target_rate=120, opens_on=date(2026, 1, 1))
    assert "target_rate" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.survey_create(by=hq, slug="x", title="t", target_rate=80, opens_on=date(2026, 2, 1),
                               closes_on=date(2026, 1, 1))
    assert "closes_on" in refused.value.message_dict
    make_survey(hq)
    with pytest.raises(ValidationError) as refused:
        services.survey_create(by=hq, slug="city-2026", title="t", target_rate=80, opens_on=date(2026, 1, 1))
    assert "slug" in refused.value.message_dict


def test_an_update_records_each_field_from_and_to(city):
    hq = city.users["hq"]
    survey = make_survey(hq)[0]
    services.survey_update(survey=survey, by=hq, target_rate=90, active=False)
    change = SurveyChange.objects.filter(action="update").get()
    assert change.by == hq and change.changes == {"target_rate": ["80.00", "90"], "active": [True, False]}


def test_an_answered_question_keeps_its_kind_and_options(city):
    hq = city.users["hq"]
    survey, rating, _yes_no, choice = make_survey(hq)
    survey_answer_submit(survey=survey, district=city.district_a, place_category=None,
                         answers={rating.pk: 5, choice.pk: 2}, device_token="d" * 40, client_address=None)
    with pytest.raises(ValidationError) as refused:
        services.question_update(question=rating, by=hq, kind=QuestionKind.YES_NO)
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.question_update(question=choice, by=hq, options=["农贸市场", "背街小巷"])
    assert "options" in refused.value.message_dict
    services.question_update(question=choice, by=hq, options=["农贸市场", "背街小巷", "公厕", "其他"], active=False)
    choice.refresh_from_db()
    assert len(choice.options) == 4 and not choice.active


@pytest.mark.parametrize("role", ["leader", "district_lead", "inspector"])
def test_only_hq_sets_up_surveys(city, login, role):
    survey = make_survey(city.users["hq"])[0]
    client = login(city.users[role])
    for name, args in [("survey_create", []), ("survey_detail", [survey.pk]), ("survey_qr", [survey.pk]),
                       ("survey_poster", [survey.pk])]:
        assert client.get(reverse(f"assessment:{name}", args=args)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.survey_update(survey=survey, by=city.users[role], active=False)
    assert SurveyQuestion.objects.count() == 3


def test_the_qr_code_is_an_svg_of_the_public_link(city, login, settings):
    settings.PUBLIC_SURVEY_BASE_URL = "https://cw.example.gov.cn"
    survey = make_survey(city.users["hq"])[0]
    client = login(city.users["hq"])
    response = client.get(reverse("assessment:survey_qr", args=[survey.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg")
    detail = client.get(reverse("assessment:survey_detail", args=[survey.pk])).content.decode()
    assert "https://cw.example.gov.cn/survey/city-2026/" in detail


def test_the_admin_creates_through_the_service_and_shows_bad_settings_on_the_form(city, login):
    client = login(city.users["hq"])
    data = {"title": "后台新建", "slug": "admin-made", "target_rate": "88", "opens_on": "2026-03-01",
            "closes_on": "2026-02-01", "active": "on",
            "questions-TOTAL_FORMS": "0", "questions-INITIAL_FORMS": "0"}
    refused = client.post("/admin/assessment/satisfactionsurvey/add/", data)
    assert refused.status_code == 200 and not SatisfactionSurvey.objects.filter(slug="admin-made").exists()
    data["closes_on"] = ""
    assert client.post("/admin/assessment/satisfactionsurvey/add/", data).status_code == 302
    survey = SatisfactionSurvey.objects.get(slug="admin-made")
    assert SurveyChange.objects.filter(survey=survey, action="create", by=city.users["hq"]).exists()
