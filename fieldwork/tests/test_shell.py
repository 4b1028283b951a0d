"""The field app's shell, manifest and service worker as served (README "Field work offline")."""

import json

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

pytestmark = pytest.mark.django_db


def test_the_manifest_installs_the_field_app_in_the_language_of_the_request(client):
    answer = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    body = json.loads(answer.content)
    assert body["name"] == "健康城市外勤" and body["short_name"] == "外勤"
    assert body["lang"] == "zh-hans"
    assert body["start_url"] == "/field/" and body["display"] == "standalone"
    assert body["theme_color"] == "#1f6f4a"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in body["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in body["icons"]:  # every icon is really there, at its size
        found = finders.find(icon["src"].removeprefix("/static/"))
        assert found, icon["src"]
        with Image.open(found) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]

    english = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").content)
    assert english["name"] == "Health City field work"


def test_the_service_worker_is_served_from_the_root_uncached_and_names_the_shell_files(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/"
    assert answer["Cache-Control"] == "no-cache"
    text = answer.content.decode()
    precache = json.loads(text.split("var PRECACHE = ", 1)[1].split(";\n", 1)[0])
    assert precache[:2] == ["/field/", "/jsi18n/"]
    assert "/static/js/field/app.js" in precache and "/static/css/field.css" in precache
    assert "/static/field/icon-192.png" in precache
    version = text.split('var VERSION = "', 1)[1].split('"', 1)[0]
    assert len(version) == 12
    # Only the field app's own requests are answered from a cache; nothing else is stored.
    assert "/api/field/offline/" in text
    assert "{{" not in text and "{%" not in text


def test_the_shell_wants_a_signed_in_person_and_says_who(client, city, login):
    answer = client.get("/field/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")

    login(city.inspector)
    answer = client.get("/field/")
    assert answer.status_code == 200
    assert answer["X-Field-User"] == str(city.inspector.pk)
    html = answer.content.decode()
    assert 'data-start="points"' in html
    assert 'rel="manifest"' in html and "/static/js/field/app.js" in html
    # The page's script asks with HEAD who the server sees now.
    assert client.head("/field/")["X-Field-User"] == str(city.inspector.pk)

    login(city.unit_handler)
    assert 'data-start="tasks"' in client.get("/field/").content.decode()


def test_every_page_links_the_manifest_and_field_staff_get_the_worker_and_the_menu_entry(client, city, login):
    login(city.inspector)
    html = client.get("/ledger/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    assert "apple-touch-icon" in html
    assert "js/field/register.js" in html and 'id="nav-field"' in html

    login(city.hq)
    html = client.get("/ledger/").content.decode()
    assert 'rel="manifest"' in html
    assert "js/field/register.js" not in html and 'id="nav-field"' not in html


def test_the_content_security_policy_lets_the_worker_and_photo_previews_in(client, city, login):
    login(city.inspector)
    policy = client.get("/field/")["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    assert "blob:" in policy.split("img-src", 1)[1].split(";", 1)[0]
    assert "script-src 'self'" in policy
