"""Defects 2 and 5 (issue 8): a control character in any input is a 400 naming the field.

NUL and the other C0/C1 control characters except tab, line feed and carriage return are
refused at every boundary (campaign/control_characters.py): every API body (walked from the
OpenAPI schema, not listed by hand), query strings, every form (on the field), imports.
"""

import importlib
import inspect
import json
import pkgutil
import re
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.urls import resolve
from django.utils import timezone, translation
from django_filters import FilterSet
from drf_spectacular.generators import SchemaGenerator

from assessment.services.standard import standard_load
from assessment.tests import vector_factories
from assessment.tests.satisfaction_factories import make_survey
from campaign.control_characters import ControlCharactersRefused
from campaign.models import Indicator
from inspections import services as inspection_services
from inspections.tests.factories import inspect as start_inspection
from inspections.tests.factories import market_checklist
from ledger import services as ledger_services
from ledger.choices import Status
from ledger.models import Problem
from ledger.tests.api_support import client_for
from ledger.tests.factories import problem_in
from programme.models import ModelSite
from programme.tests import pairing_factories
from public_reports.tests.factories import report as public_report
from public_reports.tests.reward_factories import reward

pytestmark = pytest.mark.django_db

ROLES_TO_TRY = ("hq", "inspector", "district_lead", "unit_handler")


def _body_fields(schema: dict, operation: dict) -> tuple[str, list[str]]:
    """(content type, every property name of the request body)."""
    content = operation.get("requestBody", {}).get("content", {})
    media_type = "application/json" if "application/json" in content else "multipart/form-data"
    body = content[media_type]["schema"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    return media_type, list(body.get("properties", {}))


def _write_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch") and operation.get("requestBody"):
                media_type, fields = _body_fields(schema, operation)
                yield path, method, media_type, fields


@pytest.fixture
def objects(city):
    """One object behind every {id} of the API, and an inspection's item for {item_id}."""
    market_checklist(city)
    inspection, _findings = start_inspection(city, outcomes={}, submit=False)
    inspection_round = inspection_services.round_create(
        name="暗访", kind="unannounced", starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 22),
        quotas={city.market: 1}, by=city.hq,
    )
    problem_in(city, Status.FOUND)
    ledger_services.problem_class_create(code="C01", name="活禽宰杀", by=city.hq)  # a problem class's actions
    public_report(city)  # received: before the reward's accepted one, so {id} finds it first
    reward(city)
    Indicator.objects.create(code="I01", name="病媒密度", name_en="Vector density", target=5)
    standard_load(use=True)  # the standard's parts, articles and materials (assessment)
    make_survey(city.hq)  # a satisfaction survey with its questions
    vector_factories.load_thresholds()
    vector_factories.survey(city, by=city.hq)
    from programme.services.cycle import round_plan_create
    from programme.tests.actions_factories import add_target, make_action

    add_target(city, make_action(city))  # a special action with one object

    round_plan_create(by=city.hq, name="两周例行督查", kind="routine", anchor=date(2026, 11, 16), every_weeks=2,
                      quotas={city.market: 1}, inspectors=[city.inspector])
    ModelSite.objects.create(sample_point=city.points_a[0], reason="示范", marked_by=city.hq,  # programme
                             marked_at=timezone.now(), status_changed_at=timezone.now())
    pairing_factories.sample_pair(city)  # a community, a pair with a task and a visit (programme)
    return {"inspection": inspection, "round": inspection_round,
            "item": inspection.checklist_version.items.first()}


def _concrete(path: str, objects: dict) -> str:
    url = path.replace("{item_id}", str(objects["item"].pk))
    if "{id}" not in url:
        return url
    view = resolve(url.replace("{id}", "1")).func
    model = view.cls.queryset.model
    return url.replace("{id}", str(model.objects.order_by("pk").first().pk))


def test_every_api_write_refuses_a_nul_in_any_field_with_400_naming_it(city, objects):
    operations = list(_write_operations())
    assert len(operations) > 30  # the walk found the API
    clients = {role: client_for(getattr(city, role)) for role in ROLES_TO_TRY}
    unreached = []
    for path, method, media_type, fields in operations:
        url = _concrete(path, objects)
        for field in fields:
            for role in ROLES_TO_TRY:
                body = {field: "a\x00b"}
                if media_type == "application/json":
                    response = getattr(clients[role], method)(url, json.dumps(body), content_type=media_type)
                else:
                    response = getattr(clients[role], method)(url, body, format="multipart")
                assert response.status_code < 500, (method, url, field, role, response.status_code)
                if response.status_code in (403, 404):
                    continue  # this role may not reach the endpoint: try the next
                assert response.status_code == 400, (method, url, field, role, response.content[:300])
                assert field in response.json(), (method, url, field, response.json())
                assert "U+0000" in response.json()[field][0]
                break
            else:
                unreached.append((method, path, field))
    assert not unreached, unreached


def test_recording_a_problem_with_a_control_character_in_the_description_is_refused(city):
    client = client_for(city.inspector)
    point = city.points_a[0]
    response = client.post("/api/problems/", {
        "description": "water leak\u0001 near gate", "category": point.category_id, "sample_point": point.pk,
        "source": "unannounced",
    }, format="json")
    assert response.status_code == 400
    assert "U+0001" in response.json()["description"][0]
    assert not Problem.objects.filter(description__contains="water leak").exists()


def test_tabs_and_line_breaks_are_kept_in_a_description(city):
    client = client_for(city.inspector)
    point = city.points_a[0]
    response = client.post("/api/problems/", {
        "description": "第一行\r\n第二行\t备注", "category": point.category_id, "sample_point": point.pk,
        "source": "unannounced",
    }, format="json")
    assert response.status_code == 201, response.content
    assert Problem.objects.get(pk=response.json()["id"]).description == "第一行\r\n第二行\t备注"


def test_a_control_character_in_a_multipart_field_or_a_file_name_is_refused(city):
    client = client_for(city.hq)
    response = client.post("/api/sample-points/import/", {"district": "甲\x1b区"}, format="multipart")
    assert response.status_code == 400
    assert "district" in response.json()


def test_a_key_that_can_name_no_field_is_ignored_like_any_unknown_key(city):
    # Serializers ignore keys they do not declare (the schema allows additional properties); a
    # key holding a control character can be no field's name, so it is not refused either.
    response = client_for(city.hq).post("/api/problem-classes/", json.dumps({"na\x07me": "x"}),
                                        content_type="application/json")
    assert response.status_code == 400
    assert not any("\\x07" in key for key in response.json())
    assert "name" in response.json()  # judged on its real fields: the name is missing


def test_a_control_character_inside_a_fields_nested_value_is_refused(city):
    response = client_for(city.hq).post("/api/problem-classes/", json.dumps({"name": ["ok", "b\x07d"]}),
                                        content_type="application/json")
    assert response.status_code == 400
    assert any(key.startswith("name") and "U+0007" in str(value) for key, value in response.json().items())


@pytest.mark.postgres
def test_a_nul_as_the_original_of_a_duplicate_is_400_not_500_on_postgresql(city):
    problem = problem_in(city, Status.FOUND)
    response = client_for(city.hq).post(f"/api/problems/{problem.pk}/invalidate/",
                                        {"reason": "x", "duplicate_of": "\u0000"}, format="json")
    assert response.status_code == 400
    assert "duplicate_of" in response.json()
    problem.refresh_from_db()
    assert problem.status == Status.FOUND


@pytest.mark.postgres
@pytest.mark.parametrize("url", ["/api/problems/", "/api/sample-points/", "/api/units/", "/api/districts/"])
def test_a_nul_in_a_search_filter_is_400_naming_it_on_postgresql(city, url):
    response = client_for(city.hq).get(url, {"q": "\u0000"})
    assert response.status_code == 400
    assert "q" in response.json()


@pytest.mark.parametrize("url", ["/api/problems/", "/api/problems/export/"])
def test_a_control_character_in_any_query_parameter_of_the_api_is_400_naming_it(city, url):
    response = client_for(city.hq).get(url, {"q": "leak\x01"})
    assert response.status_code == 400
    assert "U+0001" in response.json()["q"][0]


def test_a_control_character_in_a_page_address_is_400_naming_the_parameter(city, login):
    response = login(city.hq).get("/ledger/problems/", {"q": "leak\x02"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert re.search(r"<code>q</code>", response.content.decode())


def test_a_page_form_shows_the_refusal_on_its_field(city, login):
    point = city.points_a[0]
    client = login(city.inspector)
    client.cookies["django_language"] = "en"
    response = client.post("/ledger/problems/new/", {
        "description": "water leak\x01 near gate", "category": point.category_id, "sample_point": point.pk,
        "source": "unannounced", "severity": "general",
    })
    assert response.status_code in (200, 400)
    form = response.context["form"]
    assert "U+0001" in form.errors["description"][0]
    assert not Problem.objects.filter(description__contains="water leak").exists()


def test_a_form_refuses_a_nul_in_a_choice_field_on_the_field():
    class Example(ControlCharactersRefused, forms.Form):
        district = forms.IntegerField()
        note = forms.CharField(required=False)

    form = Example(data={"district": "\x00", "note": "a\nb\tc"})
    assert not form.is_valid()
    assert list(form.errors) == ["district"]
    assert "U+0000" in form.errors["district"][0]


def _project_modules():
    """Every module of the project's own apps (not tests, not migrations)."""
    root = Path(django_settings.BASE_DIR)
    for app in apps.get_app_configs():
        path = Path(app.path)
        if not path.is_relative_to(root) or ".venv" in path.parts:
            continue
        for info in pkgutil.walk_packages([str(path)], prefix=f"{app.name}."):
            if not {"tests", "migrations", "management"} & set(info.name.split(".")):
                yield importlib.import_module(info.name)


def _project_classes(base):
    for module in _project_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == module.__name__:
                yield cls


def test_every_form_of_the_project_refuses_control_characters():
    found = list(_project_classes(forms.BaseForm))
    assert len(found) > 20
    missing = [f"{cls.__module__}.{cls.__name__}" for cls in found if not issubclass(cls, ControlCharactersRefused)]
    assert not missing


def test_every_filter_form_refuses_control_characters(city):
    filtersets = [cls for cls in _project_classes(FilterSet) if cls._meta.model is not None]
    assert filtersets
    for filterset_class in filtersets:
        filterset = filterset_class(data={}, queryset=filterset_class._meta.model.objects.none(),
                                    request=type("R", (), {"user": city.hq})())
        assert isinstance(filterset.form, ControlCharactersRefused), filterset_class


def test_every_api_view_parses_through_the_guarded_parsers():
    from django.urls import get_resolver

    from campaign.api import parsers

    guarded = (parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser)

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern.callback

    for callback in walk(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None)
        if cls is None:
            continue
        view_parsers = list(cls.parser_classes)
        for name in (getattr(callback, "actions", None) or {}).values():
            view_parsers += getattr(getattr(cls, name), "kwargs", {}).get("parser_classes", [])
        for parser in view_parsers:
            assert issubclass(parser, guarded), (cls, parser)



# --- Imports: one check in the reader shared by every importer ------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_sample_point_import_with_a_bell_in_a_cell_is_refused_whole_naming_row_and_column(city, media):
    from campaign.models import SamplePoint
    from campaign.tests.files.builders import ZH, csv_bytes, point_row, upload

    rows = [ZH, point_row(ZH, name="好点", category="MKT", district="A"),
            point_row(ZH, name="坏\x07点", category="MKT", district="A")]
    with translation.override("en"):
        response = client_for(city.hq).post("/api/sample-points/import/",
                                            {"file": upload("points.csv", csv_bytes(rows))}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [(3, "B", "坏\\x07点")]
    assert "U+0007" in errors[0]["message"]
    assert not SamplePoint.objects.filter(name__in=["好点", "坏\x07点"]).exists()


def test_a_ledger_import_with_a_bell_in_a_cell_is_refused_whole_naming_row_and_column(city, media):
    from ledger.tests.excel_helpers import ZH, ledger_row
    from ledger.transfer import columns
    from ledger.transfer import services as transfer

    rows = [ZH, ledger_row(description="地面积水"), ledger_row(description="water leak\x07 near gate")]
    data = "\r\n".join(",".join(str(v) for v in row) for row in rows).encode("utf-8")
    _record, plan = transfer.ledger_import_preview(user=city.hq, file_name="台账.csv", data=data)
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[columns.FIELDS.index("description")]
    assert [(e["row"], e["column"]) for e in plan.errors] == [(3, letter)]
    assert "U+0007" in plan.errors[0]["message"]
    assert not Problem.objects.exists()


def test_a_page_reading_its_body_without_a_form_refuses_a_nul_naming_the_field(city, login):
    response = login(city.hq).post("/ledger/sheets/issue/", {"unit": "\x00", "note": "整改\x01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<code>unit</code>" in html and "<code>note</code>" in html
