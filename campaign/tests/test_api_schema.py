"""The OpenAPI schema is valid without warnings, and the API docs work offline."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def test_schema_generates_and_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    paths = schema["paths"]
    for expected in (
        "/api/auth/token/", "/api/districts/", "/api/grids/{id}/", "/api/roads/", "/api/units/",
        "/api/teams/", "/api/categories/", "/api/sample-points/{id}/", "/api/indicators/",
    ):
        assert expected in paths
    # No delete over the API: the ledger refers to the structure.
    assert "delete" not in paths["/api/sample-points/{id}/"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_token_endpoint_is_documented_with_its_request_and_answer(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target))
    operation = yaml.safe_load(target.read_text(encoding="utf-8"))["paths"]["/api/auth/token/"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "429"}
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("TokenRequestRequest")


def _assets(html: str) -> list[str]:
    return ASSET.findall(html)


def test_swagger_docs_page_uses_only_local_static_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    # The start-up script is served by the docs view itself (the CSP refuses inline scripts).
    startup = "/api/docs/?script="
    assets = [a for a in _assets(html) if a != startup]
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not shipped"
    assert "http://" not in html and "https://" not in html
    assert 'url: "/api/schema/"' in client.get(startup).content.decode()


def test_schema_endpoint_answers_for_the_docs_page(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/sample-points/" in response.json()["paths"]


def test_swagger_ui_does_not_call_the_online_validator(client):
    startup = client.get("/api/docs/?script=").content.decode()
    assert '"validatorUrl": null' in startup


def test_no_docs_page_loads_fonts_from_the_internet(client):
    # Redoc's stock page pulls Google Fonts, so it is not served; Swagger UI is the docs page.
    assert client.get("/api/redoc/").status_code == 404


def test_the_schema_is_generated_once_per_language_even_when_asked_for_in_several_threads_at_once(
        client, monkeypatch):
    """gunicorn's gthread workers answer requests of one process in threads: drf-spectacular's
    generation, run twice at once, answered 500 (its extensions' class attributes rewritten
    under each other). The schema is generated once per language behind a lock and kept."""
    import threading

    from django.conf import settings
    from drf_spectacular.generators import SchemaGenerator

    from config.schema_view import SchemaView

    monkeypatch.setattr(SchemaView, "_schemas", {})
    generated = []
    original = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        generated.append(threading.get_ident())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    answers, start = [], threading.Barrier(4)

    def ask():
        start.wait()
        answers.append(client.get("/api/schema/", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [200] * 4
    assert len({answer.content for answer in answers}) == 1 and len(generated) == 1

    english = client.get("/api/schema/", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="en").json()
    unknown = client.get("/api/schema/?lang=xx", HTTP_ACCEPT="application/json").json()
    assert len(generated) == 2  # English once; an unknown language is the default one, already kept
    assert english["paths"]["/api/problems/"]["get"]["summary"] == "The ledger"
    assert answers[0].json()["paths"]["/api/problems/"]["get"]["summary"] != "The ledger"
    assert settings.LANGUAGE_CODE == "zh-hans" and unknown == answers[0].json()
