"""Recording a problem straight into a problem class: the record form offers the classes the
recorder sees (with suggestions fetched from /api/problem-classes/suggest/ as the description is
typed), only to those who may classify; the API's create refuses a class out of sight or role."""

import pytest
from django.urls import reverse

from ledger import services
from ledger.choices import Severity, Source
from ledger.models import Problem
from ledger.tests.api_support import client_for
from ledger.tests.factories import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def classes(city, media):
    poultry = services.problem_class_create(code="C01", name="活禽宰杀", category=city.market, by=city.hq)
    services.problem_classify(problem=record(city, description="活禽交易点现场宰杀"), problem_class=poultry, by=city.hq)
    theirs = services.problem_class_create(code="CB", name="乙区占道", by=city.other_district_lead)
    return poultry, theirs


def form_data(city, **extra):
    point = city.points_a[0]
    return {"category": point.category_id, "sample_point": point.pk, "description": "发现活禽宰杀",
            "source": Source.UNANNOUNCED_VISIT, "severity": Severity.GENERAL, **extra}


def test_hq_records_a_problem_into_a_class_from_the_form(city, login, classes):
    poultry, _theirs = classes
    client = login(city.hq)
    page = client.get(reverse("ledger:problem_record")).content.decode()
    assert 'name="problem_class"' in page and 'id="class-suggest"' in page
    assert reverse("problemclass-suggest") in page
    response = client.post(reverse("ledger:problem_record"), form_data(city, problem_class=poultry.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    problem = Problem.objects.get(description="发现活禽宰杀")
    assert problem.problem_class == poultry


def test_a_district_lead_cannot_choose_another_districts_class(city, login, classes):
    poultry, theirs = classes
    client = login(city.district_lead)
    page = client.get(reverse("ledger:problem_record")).content.decode()
    choices = page.split('name="problem_class"', 1)[1].split("</select>", 1)[0]
    assert "活禽宰杀" in choices and "乙区占道" not in choices
    response = client.post(reverse("ledger:problem_record"), form_data(city, problem_class=theirs.pk))
    assert response.status_code == 400
    assert not Problem.objects.filter(description="发现活禽宰杀").exists()


def test_an_inspector_records_without_the_class_field(city, login, classes):
    poultry, _theirs = classes
    client = login(city.inspector)
    page = client.get(reverse("ledger:problem_record")).content.decode()
    assert 'name="problem_class"' not in page and 'id="class-suggest"' not in page
    # A class sent anyway is ignored by the form (the field is not there).
    assert client.post(reverse("ledger:problem_record"), form_data(city, problem_class=poultry.pk)).status_code == 302
    assert Problem.objects.get(description="发现活禽宰杀").problem_class is None


def test_the_api_refuses_a_class_out_of_sight_or_role(city, classes):
    poultry, theirs = classes
    point = city.points_a[0]
    payload = {"category": point.category_id, "sample_point": point.pk, "description": "活禽宰杀",
               "source": Source.UNANNOUNCED_VISIT}
    refused = client_for(city.district_lead).post(reverse("problem-list"), {**payload, "problem_class": theirs.pk},
                                                  format="json")
    assert refused.status_code == 400 and "problem_class" in refused.json()
    by_inspector = client_for(city.inspector).post(reverse("problem-list"), {**payload, "problem_class": poultry.pk},
                                                   format="json")
    assert by_inspector.status_code == 400 and "problem_class" in by_inspector.json()
    made = client_for(city.hq).post(reverse("problem-list"), {**payload, "problem_class": poultry.pk}, format="json")
    assert made.status_code == 201 and made.json()["problem_class"] == poultry.pk


def test_the_services_refuse_a_class_out_of_sight_whoever_calls_them(city, classes):
    from ledger.services import LedgerForbidden, LedgerInvalid

    poultry, theirs = classes
    point = city.points_a[0]
    with pytest.raises(LedgerInvalid, match="problem class"):
        services.problem_record(by=city.district_lead, category=point.category, sample_point=point,
                                description="活禽宰杀", source=Source.UNANNOUNCED_VISIT, problem_class=theirs)
    with pytest.raises(LedgerForbidden):
        services.problem_record(by=city.inspector, category=point.category, sample_point=point,
                                description="活禽宰杀", source=Source.UNANNOUNCED_VISIT, problem_class=poultry)
    problem = record(city)
    with pytest.raises(LedgerInvalid, match="problem class"):
        services.problem_classify(problem=problem, problem_class=theirs, by=city.district_lead)
    problem.refresh_from_db()
    assert problem.problem_class is None
    assert services.problem_classify(problem=problem, problem_class=poultry, by=city.district_lead).problem_class == poultry
