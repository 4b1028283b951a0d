"""Who may write what in the ledger: every role of the test city × every writable foreign key of
recording (API and page) and assigning (API and page) × every object of the city. In scope is
accepted, out of scope is a 400 naming the field, a role that writes nothing is refused as a
whole, never a 500. The spec is campaign/tests/write_scope_cases.py; the rule
campaign/write_scope.py."""

import pytest
from django.urls import reverse
from django.utils import translation

from campaign.choices import ImportStatus
from campaign.tests.factories import add_other_team
from campaign.tests.write_scope_cases import HOME_DISTRICT, WRITES, city_objects, names_of
from campaign.write_scope import OutOfScope
from ledger import services
from ledger.choices import Source, Status
from ledger.models import Problem
from ledger.tests.api_support import ROLES, action_url, client_for, problems_url
from ledger.tests.excel_helpers import ZH, ledger_row, xlsx_bytes
from ledger.transfer import services as transfer
from ledger.transfer.planning import build_plan

RECORDERS = {"hq", "team_lead", "district_lead", "other_district_lead", "inspector"}
ASSIGNERS = {"hq", "district_lead", "other_district_lead"}
RECORD_FIELDS = {"category": "category", "sample_point": "sample_point", "district": "district",
                 "responsible_unit": "unit", "team": "team", "grid": "grid", "road": "road"}
FORM_FIELDS = ("category", "sample_point", "district", "grid", "road")


@pytest.fixture
def city(city):
    add_other_team(city)
    return city


def _record_payload(city, role: str, field: str, obj) -> dict:
    payload = {"description": "摊位周边污水横流", "source": Source.ROUTINE_SUPERVISION, "category": city.market.pk}
    if field not in ("district", "sample_point"):
        payload["district"] = city_objects(city)[HOME_DISTRICT.get(role, "district_a")].pk
    if field in ("grid", "road") and obj.district_id != payload["district"] and role in ("hq", "team_lead"):
        payload["district"] = obj.district_id  # a cell is named with its own district, where they may write
    payload[field] = obj.pk
    return payload


def _cases(fields):
    return [(role, field, name) for role in ROLES for field, kind in fields for name in names_of(kind)]


# --- The defect ------------------------------------------------------------------------------------


def test_team_lead_cannot_record_problem_for_another_team(city):
    payload = {"description": "摊位周边污水横流", "source": "routine", "category": city.market.pk,
               "district": city.district_b.pk, "team": city.other_team.pk}

    response = client_for(city.team_lead).post(problems_url(), payload, format="json")

    assert response.status_code == 400, response.content
    assert "team" in response.json()
    assert not Problem.objects.exists()


def test_a_team_leads_problem_is_their_teams_and_they_see_it(city):
    payload = {"description": "路面破损", "source": "routine", "category": city.standard.pk,
               "district": city.district_b.pk}

    response = client_for(city.team_lead).post(problems_url(), payload, format="json")

    assert response.status_code == 201, response.content
    assert Problem.objects.get(pk=response.json()["id"]).team == city.team


# --- Recording over the API -------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "field", "name"), _cases(RECORD_FIELDS.items()))
def test_recording_over_the_api_names_only_what_the_role_may_write_for(city, role, field, name):
    obj = city_objects(city)[name]
    user = getattr(city, role)

    response = client_for(user).post(problems_url(), _record_payload(city, role, field, obj), format="json")

    if role not in RECORDERS:
        assert response.status_code == 403, response.content
        assert not Problem.objects.exists()
    elif name in WRITES[role]:
        assert response.status_code == 201, response.content
        problem = Problem.objects.get(pk=response.json()["id"])
        assert getattr(problem, field) == obj
        assert Problem.objects.visible_to(user).filter(pk=problem.pk).exists()
    else:
        assert response.status_code == 400, response.content
        assert list(response.json()) == [field]
        assert not Problem.objects.exists()


# --- Recording on the page --------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "field", "name"), _cases((f, f) for f in FORM_FIELDS))
def test_the_record_form_offers_and_accepts_only_what_the_role_may_write_for(city, login, role, field, name):
    obj = city_objects(city)[name]
    client = login(getattr(city, role))
    url = reverse("ledger:problem_record")
    data = {**_record_payload(city, role, field, obj), "severity": "general"}

    page = client.get(url)
    response = client.post(url, data)

    if role not in RECORDERS:
        assert (page.status_code, response.status_code) == (403, 403)
        assert not Problem.objects.exists()
        return
    offered = {choice.value for choice, _label in page.context["form"].fields[field].choices if choice}
    assert (obj.pk in offered) == (name in WRITES[role])
    if name in WRITES[role]:
        assert response.status_code == 302, response.content
        assert getattr(Problem.objects.get(), field) == obj
    else:
        assert response.status_code == 400
        assert list(response.context["form"].errors) == [field]
        assert not Problem.objects.exists()


def test_the_service_refuses_what_a_page_might_let_through(city):
    with pytest.raises(OutOfScope) as refused:
        services.problem_record(by=city.team_lead, category=city.market, district=city.district_b,
                                team=city.other_team, description="x", source=Source.ROUTINE_SUPERVISION)
    assert list(refused.value.message_dict) == ["team"]


# --- Assigning -----------------------------------------------------------------------------------


def _found_problem(city, role):
    # A problem the role sees: the road chief's lies on road A (A's restaurant).
    point = {"other_district_lead": city.points_b[1], "road_chief": city.points_a[1]}.get(role, city.points_a[0])
    return services.problem_record(by=city.hq, category=point.category, sample_point=point,
                                   description="垃圾满溢", source=Source.ROUTINE_SUPERVISION)


@pytest.mark.parametrize(("role", "name"), [(role, name) for role in ROLES for name in names_of("unit")])
def test_assigning_over_the_api_names_only_a_unit_the_role_may_write_for(city, role, name):
    unit = city_objects(city)[name]
    problem = _found_problem(city, role)

    response = client_for(getattr(city, role)).post(action_url(problem, "assign"), {"unit": unit.pk}, format="json")

    problem.refresh_from_db()
    if role not in ASSIGNERS:
        # Refused as a whole (403), unless the unit named is one they cannot even see: the
        # body is checked first, so that is "does not exist", a 400 naming the field.
        assert response.status_code in (400, 403), response.content
        if response.status_code == 400:
            assert list(response.json()) == ["unit"]
    elif name in WRITES[role]:
        assert response.status_code == 200, response.content
        assert (problem.status, problem.responsible_unit) == (Status.ASSIGNED, unit)
        return
    else:
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["unit"]
    assert problem.status == Status.FOUND


@pytest.mark.parametrize(("role", "name"), [(role, name) for role in ROLES for name in names_of("unit")])
def test_the_assign_form_offers_and_accepts_only_a_unit_the_role_may_write_for(city, login, role, name):
    unit = city_objects(city)[name]
    problem = _found_problem(city, role)
    client = login(getattr(city, role))

    response = client.post(reverse("ledger:problem_act", args=[problem.pk, "assign"]),
                           {"assign-version": problem.version, "assign-unit": unit.pk})

    problem.refresh_from_db()
    if role not in ASSIGNERS:
        assert response.status_code == 403
    elif name in WRITES[role]:
        assert response.status_code == 302
        assert problem.responsible_unit == unit
        return
    else:
        assert response.status_code == 400
        form = next(f["form"] for f in response.context["actions"] if f["form"].prefix == "assign")
        assert list(form.errors) == ["unit"]
        offered = {choice.value for choice, _label in form.fields["unit"].choices if choice}
        assert unit.pk not in offered
    assert problem.status == Status.FOUND


# --- Importing -----------------------------------------------------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_an_import_row_naming_what_the_importer_may_not_write_for_is_an_error_at_its_row_and_column(city, english):
    data = xlsx_bytes([ZH,
                       ledger_row(description="甲区的问题"),
                       ledger_row(district="乙区", description="乙区的问题"),
                       ledger_row(responsible_unit="市城管局", status="已交办", description="市级单位"),
                       ledger_row(district="乙区", sample_point="乙农贸市场", description="乙区的点")])

    plan = build_plan(data, user=city.district_lead)

    assert [(e["row"], e["column"], e["value"]) for e in plan.errors] == [(3, "区县", "乙区"), (5, "区县", "乙区")]
    assert all("outside your scope" in e["message"] for e in plan.errors)
    assert build_plan(data, user=city.hq).errors == []


def test_an_import_run_after_the_importer_lost_the_scope_writes_nothing_and_says_row_and_column(
        city, english, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    uploader = city.hq
    data = xlsx_bytes([ZH, ledger_row(description="甲区的问题"), ledger_row(district="乙区", description="乙区的问题")])
    record, plan = transfer.ledger_import_preview(user=uploader, file_name="台账.xlsx", data=data)
    assert plan.errors == []
    # Before it runs, the uploader becomes district A's lead (a role and scope change).
    type(uploader).objects.filter(pk=uploader.pk).update(role="district_lead", district=city.district_a)
    other_hq = type(uploader).objects.create(username="hq2", role="hq")

    done = transfer.ledger_import_confirm(user=other_hq, record=record, run_now=True)

    assert done.status == ImportStatus.FAILED
    assert [(e["row"], e["column"], e["value"]) for e in done.errors] == [(3, "区县", "乙区")]
    assert not Problem.objects.exists()
