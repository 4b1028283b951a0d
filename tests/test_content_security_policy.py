"""Defect 11: every page carries a Content-Security-Policy that allows scripts, styles, images
and connections only from the site (and the configured map tile server), never inline script
or eval. The browser test (test_browser_csp.py) proves the pages run under it."""

import pytest

from tests.helpers import project_env, run_python

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize("path", ["/login/", "/admin/login/", "/api/docs/"])
def test_every_page_forbids_inline_script_eval_and_foreign_sources(client, city, path):
    client.force_login(city.hq)
    policy = directives(client.get(path))
    assert policy["default-src"] == ["'self'"]
    for name in ("script-src", "style-src"):
        assert policy[name][0] == "'self'" and all(v == "'self'" or v.startswith("'nonce-") for v in policy[name])
    # blob: the field app's previews of photos kept on the phone (README "Field work offline").
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_the_api_docs_start_up_script_is_a_file_of_the_site(client, city):
    client.force_login(city.hq)
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


SHOW_POLICY = (
    "import django; django.setup(); from django.conf import settings; "
    "d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; print(d['img-src'][-1], d['connect-src'][-1])"
)


def test_the_map_tile_servers_origin_is_allowed_for_images_and_connections():
    result = run_python(SHOW_POLICY, project_env(
        DJANGO_SETTINGS_MODULE="config.settings", MAP_TILE_URL="https://tiles.example.gov.cn:8443/{z}/{x}/{y}.png"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://tiles.example.gov.cn:8443"] * 2


def test_a_map_tile_url_that_is_not_http_stops_start_up():
    result = run_python(SHOW_POLICY, project_env(DJANGO_SETTINGS_MODULE="config.settings", MAP_TILE_URL="tiles.local"))
    assert result.returncode != 0
    assert "MAP_TILE_URL" in result.stderr.strip().splitlines()[-1]


SHOW_ORIGINS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'][3:]), settings.MAP_TILE_CRS)"
)


def test_a_tianditu_key_allows_its_eight_tile_hosts_and_means_wgs84():
    result = run_python(SHOW_ORIGINS, project_env(DJANGO_SETTINGS_MODULE="config.settings", TIANDITU_KEY="k",
                                                  MAP_TILE_CRS="gcj02"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"https://t{n}.tianditu.gov.cn" for n in range(8)] + ["wgs84"]


def test_a_subdomain_placeholder_becomes_a_wildcard_origin():
    result = run_python(SHOW_ORIGINS, project_env(DJANGO_SETTINGS_MODULE="config.settings", MAP_TILE_CRS="gcj02",
                                                  MAP_TILE_URL="https://{s}.tiles.example.cn/{z}/{x}/{y}.png"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://*.tiles.example.cn", "gcj02"]
