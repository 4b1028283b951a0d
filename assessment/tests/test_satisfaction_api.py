"""The survey's API: HQ writes through the services, results scoped, no answer endpoint."""

import pytest
from rest_framework.test import APIClient

from assessment.models import SurveyChange
from assessment.services.satisfaction import survey_answer_submit

from .satisfaction_factories import make_survey

pytestmark = pytest.mark.django_db

SURVEYS = "/api/assessment/satisfaction/surveys/"
QUESTIONS = "/api/assessment/satisfaction/questions/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_hq_creates_a_survey_and_a_question(city):
    hq = city.users["hq"]
    response = api(hq).post(SURVEYS, {"slug": "q2", "title": "二季度满意度", "target_rate": "85.5",
                                      "opens_on": "2026-04-01"}, format="json")
    assert response.status_code == 201, response.json()
    survey_id = response.json()["id"]
    response = api(hq).post(QUESTIONS, {"survey": survey_id, "text": "您最关心哪方面？", "kind": "choice",
                                        "options": [{"zh": "市场", "en": "Markets"}, {"zh": "公厕"}], "active": False,
                                        "order": 3}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["options"] == [{"zh": "市场", "en": "Markets"}, {"zh": "公厕", "en": ""}]
    assert (response.json()["active"], response.json()["order"]) == (False, 3)
    assert SurveyChange.objects.filter(survey_id=survey_id).count() == 2


def test_bad_input_is_a_400_naming_the_field(city):
    hq = city.users["hq"]
    survey = make_survey(hq)[0]
    response = api(hq).patch(f"{SURVEYS}{survey.pk}/", {"closes_on": "2025-01-01"}, format="json")
    assert response.status_code == 400 and "closes_on" in response.json()
    response = api(hq).post(QUESTIONS, {"survey": survey.pk, "text": "?", "kind": "choice", "options": [{"zh": "一"}]},
                            format="json")
    assert response.status_code == 400 and "options" in response.json()


@pytest.mark.parametrize("role,read,write", [("hq", 200, 201), ("leader", 200, 403), ("district_lead", 200, 403),
                                             ("inspector", 403, 403), ("public", 403, 403)])
def test_who_reads_and_who_writes(city, role, read, write):
    make_survey(city.users["hq"])
    client = api(city.users[role])
    assert client.get(SURVEYS).status_code == read
    assert client.post(SURVEYS, {"slug": f"s-{role}", "title": "t", "target_rate": 80, "opens_on": "2026-01-01"},
                       format="json").status_code == write
    assert client.get(QUESTIONS).status_code == (200 if role == "hq" else 403)


def test_anonymous_is_refused(city):
    assert api().get(SURVEYS).status_code in (401, 403)


def test_results_are_scoped(city):
    survey, rating, _yes_no, _choice = make_survey(city.users["hq"])
    survey_answer_submit(survey=survey, district=city.district_a, place_category=None, answers={rating.pk: 5},
                         device_token="a" * 40, client_address=None)
    survey_answer_submit(survey=survey, district=city.district_b, place_category=None, answers={rating.pk: 1},
                         device_token="b" * 40, client_address=None)
    city_wide = api(city.users["leader"]).get(f"{SURVEYS}{survey.pk}/results/").json()
    assert city_wide["overall"]["rate"] == 50.0 and len(city_wide["districts"]) == 2
    own = api(city.users["district_lead"]).get(f"{SURVEYS}{survey.pk}/results/",
                                               {"district": city.district_b.pk}).json()
    assert own["overall"]["rate"] == 100.0 and [d["district_id"] for d in own["districts"]] == [city.district_a.pk]
    assert api(city.users["hq"]).get(f"{SURVEYS}{survey.pk}/results/", {"since": "soon"}).status_code == 400
