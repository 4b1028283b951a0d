"""The public survey page: one answer per device and day, the per-address limit, refused input
naming the question, nothing personal stored, a handful of queries."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from assessment.models import SurveyAnswer, SurveyResponse
from assessment.views.satisfaction_public import COOKIE
from campaign.models import PublicActionCount

from .satisfaction_factories import make_survey

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"


@pytest.fixture(autouse=True)
def no_challenge(settings):
    settings.PUBLIC_CHALLENGE_FREE_PER_DAY = 100  # the proof of work has its own tests


@pytest.fixture
def survey(city):
    return make_survey(city.users["hq"])


def answer(client, survey_tuple, city, *, address=ADDRESS, **overrides):
    survey, rating, yes_no, choice = survey_tuple
    url = reverse("survey_answer", args=[survey.slug])
    page = client.get(url, REMOTE_ADDR=address)
    assert page.status_code == 200
    data = {"district": city.district_a.pk, "place_category": "", f"q{rating.pk}": "5", f"q{yes_no.pk}": "1",
            f"q{choice.pk}": "0", "idempotency_key": page.context["form"]["idempotency_key"].value()}
    data.update(overrides)
    return client.post(url, {k: v for k, v in data.items() if v is not None}, REMOTE_ADDR=address)


def test_a_resident_answers_and_sees_thanks(client, survey, city):
    response = answer(client, survey, city)
    assert response.status_code == 200
    assert "survey-thanks" in response.content.decode()
    stored = SurveyResponse.objects.get()
    assert stored.district == city.district_a
    assert {(a.question_id, a.value, a.satisfied) for a in SurveyAnswer.objects.all()} == {
        (survey[1].pk, 5, True), (survey[2].pk, 1, True), (survey[3].pk, 0, None)}


def test_the_device_cookie_is_httponly_and_lax(client, survey):
    response = client.get(reverse("survey_answer", args=[survey[0].slug]))
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/survey/"
    assert response["Cache-Control"].startswith("private") or "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_a_second_answer_from_the_same_device_the_same_day_is_refused_kindly(client, survey, city):
    assert answer(client, survey, city).status_code == 200
    again = client.get(reverse("survey_answer", args=[survey[0].slug]), REMOTE_ADDR=ADDRESS)
    assert "您今天已经填写过本调查" in again.content.decode()
    assert "survey-form" not in again.content.decode()
    # Posting anyway (a form kept open in another tab) is refused too, and stores nothing.
    url = reverse("survey_answer", args=[survey[0].slug])
    second = client.post(url, {"district": city.district_b.pk, f"q{survey[1].pk}": "1", f"q{survey[2].pk}": "0",
                               "idempotency_key": "1" * 32}, REMOTE_ADDR=ADDRESS)
    assert second.status_code == 409
    assert "欢迎明天再来" in second.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_the_database_refuses_a_second_answer_of_a_device_the_same_day(survey, city):
    from assessment.services.satisfaction import AlreadyAnsweredToday, survey_answer_submit

    s, rating, yes_no, _choice = survey
    kwargs = {"survey": s, "district": city.district_a, "place_category": None, "device_token": "t" * 40,
              "client_address": None, "now": datetime(2026, 3, 2, 10, tzinfo=ZoneInfo(settings.TIME_ZONE))}
    survey_answer_submit(answers={rating.pk: 4}, idempotency_key="a" * 32, **kwargs)
    with pytest.raises(AlreadyAnsweredToday):
        survey_answer_submit(answers={rating.pk: 2}, idempotency_key="b" * 32, **kwargs)
    # The next day the same device may answer again.
    kwargs["now"] = datetime(2026, 3, 3, 10, tzinfo=ZoneInfo(settings.TIME_ZONE))
    survey_answer_submit(answers={rating.pk: 2}, idempotency_key="c" * 32, **kwargs)
    assert SurveyResponse.objects.count() == 2


def test_one_device_answers_cannot_be_linked_across_days_or_surveys(survey, city):
    from assessment.services.satisfaction import survey_answer_submit

    s, rating, _yes_no, _choice = survey
    other, other_rating, _y, _c = make_survey(city.users["hq"], slug="other-2026")
    kwargs = {"district": city.district_a, "place_category": None, "device_token": "t" * 40, "client_address": None}
    for index, (on_survey, question, day) in enumerate([(s, rating, 2), (s, rating, 3), (other, other_rating, 3)]):
        survey_answer_submit(survey=on_survey, answers={question.pk: 4}, idempotency_key=f"{index}" * 32,
                             now=datetime(2026, 3, day, 10, tzinfo=ZoneInfo(settings.TIME_ZONE)), **kwargs)
    digests = list(SurveyResponse.objects.values_list("device_digest", flat=True))
    assert len(digests) == 3 and len(set(digests)) == 3


def test_a_double_tap_stores_one_response(client, survey, city):
    s = survey[0]
    url = reverse("survey_answer", args=[s.slug])
    page = client.get(url, REMOTE_ADDR=ADDRESS)
    data = {"district": city.district_a.pk, f"q{survey[1].pk}": "4", f"q{survey[2].pk}": "1",
            "idempotency_key": page.context["form"]["idempotency_key"].value()}
    assert "survey-thanks" in client.post(url, data, REMOTE_ADDR=ADDRESS).content.decode()
    assert "survey-thanks" in client.post(url, data, REMOTE_ADDR=ADDRESS).content.decode()
    assert SurveyResponse.objects.count() == 1


def test_the_per_address_daily_limit_holds_across_devices(settings, survey, city):
    settings.PUBLIC_LIMITS = {**settings.PUBLIC_LIMITS, "survey": {"per_address": 2, "per_mobile": 0}}
    for _device in range(2):
        assert "survey-thanks" in answer(Client(), survey, city).content.decode()
    third = Client()
    page = third.get(reverse("survey_answer", args=[survey[0].slug]), REMOTE_ADDR=ADDRESS, HTTP_ACCEPT_LANGUAGE="en")
    assert "today&#x27;s limit of 2" in page.content.decode()
    assert "survey-form" not in page.content.decode()
    # Another network is not affected.
    assert "survey-thanks" in answer(Client(), survey, city, address="198.51.100.7").content.decode()
    assert SurveyResponse.objects.count() == 3


def test_a_missing_required_answer_is_refused_naming_the_question(client, survey, city):
    response = answer(client, survey, city, **{f"q{survey[2].pk}": None})
    assert response.status_code == 400
    assert "Please answer “您知道本市在创建国家卫生城市吗？”" in response.content.decode() or \
        "请回答“您知道本市在创建国家卫生城市吗？”" in response.content.decode()
    assert SurveyResponse.objects.count() == 0


@pytest.mark.parametrize("value", ["6", "0", "abc", "-1"])
def test_a_value_outside_the_options_is_refused_naming_the_question(client, survey, city, value):
    response = answer(client, survey, city, **{f"q{survey[1].pk}": value})
    assert response.status_code == 400
    assert "您对街道环境卫生满意吗？" in response.content.decode()
    assert "id=\"form-errors\"" in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_an_option_outside_a_choice_question_is_refused(client, survey, city):
    response = answer(client, survey, city, **{f"q{survey[3].pk}": "3"})
    assert response.status_code == 400
    assert "您最关心哪方面？" in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_an_unknown_district_is_refused(client, survey, city):
    response = answer(client, survey, city, district="99999")
    assert response.status_code == 400
    assert SurveyResponse.objects.count() == 0


def test_nothing_personal_is_stored(client, survey, city):
    answer(client, survey, city)
    token = client.cookies[COOKIE].value
    stored = SurveyResponse.objects.values().get()
    text = repr(stored) + repr(list(PublicActionCount.objects.values()))
    assert ADDRESS not in text and token not in text
    assert set(stored) == {"id", "survey_id", "district_id", "place_category_id", "day", "submitted_at",
                           "device_digest", "idempotency_key", "source"}


def test_a_closed_or_unknown_survey(client, survey, city):
    from assessment.services.satisfaction import survey_update

    assert client.get(reverse("survey_answer", args=["nope"])).status_code == 404
    survey_update(survey=survey[0], by=city.users["hq"], active=False)
    page = client.get(reverse("survey_answer", args=[survey[0].slug]))
    assert "not open" in page.content.decode() or "未开放" in page.content.decode()


def test_the_page_needs_a_handful_of_queries(client, survey, django_assert_max_num_queries):
    url = reverse("survey_answer", args=[survey[0].slug])
    client.get(url)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200


def test_answering_after_the_free_one_asks_for_the_proof_of_work(settings, survey, city):
    settings.PUBLIC_CHALLENGE_FREE_PER_DAY = 1
    assert "survey-thanks" in answer(Client(), survey, city).content.decode()
    second = answer(Client(), survey, city)
    assert second.status_code == 400
    assert SurveyResponse.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_from_one_device_store_one(city):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from assessment.services.satisfaction import AlreadyAnsweredToday, survey_answer_submit

    survey, rating, _yes_no, _choice = make_survey(city.users["hq"])

    def attempt(index):
        try:
            survey_answer_submit(survey=survey, district=city.district_a, place_category=None,
                                 answers={rating.pk: 5}, device_token="same-phone-" + "x" * 30,
                                 client_address=ADDRESS, idempotency_key=f"{index:032x}")
            return "stored"
        except AlreadyAnsweredToday:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert sorted(outcomes) == ["refused"] * 5 + ["stored"]
    assert SurveyResponse.objects.count() == 1
    # A refused answer gives its count back: the address counted one answer.
    from campaign.public_guard import actions_today

    assert actions_today("survey", address=ADDRESS) == 1
