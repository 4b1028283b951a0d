"""The internet-facing surface is known: every URL that answers without signing in is either a
public page (marked with campaign.public_guard.public_page, listed in the README) or one of the
few staff entry points below. A new view that forgets its login check fails here."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

from campaign.public_guard import public_paths
from campaign.public_guard.pages import url_patterns

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"

# Answering without signing in, but not public pages: the city's proxy does not need to
# forward them to the internet (README, "Public pages (internet-facing)").
STAFF_ENTRY_POINTS = {
    "/login/": "the sign-in page",
    "/admin/login/": "the admin's sign-in page",
    "/admin/logout/": "the admin's sign-out",
    "/i18n/setlang/": "the language switch",
    "/jsi18n/": "the JavaScript translation catalog",
    "/healthz/": "the load balancer's health check",
    "/api/auth/token/": "the API's sign-in (a token for a username and password)",
    "/api/schema/": "the OpenAPI schema (describes the API; holds no data)",
    "/api/docs/": "the API's documentation page",
    "/sw.js": "the field app's service worker (a script; it caches only for the person signed in)",
    "/manifest.webmanifest": "the field app's manifest (its name, start page and icons)",
}

_SAMPLES = {"drf_format_suffix": ".json", "int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000",
            "open311fmt": "json"}


def _regex_sample(match) -> str:
    name, body = match.group(1), match.group(2)
    if name == "format":
        return "json"
    if "|" in body:
        return body.split("|")[0]
    return "1"


def example_path(route: str) -> str:
    """A concrete path for a route: converters and regex groups filled with samples."""
    path = re.sub(r"\(\?P<(\w+)>([^)]*)\)", _regex_sample, route)
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES.get(m.group(1) or "str", "1"), path)
    return path.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")


def _is_sign_in_wall(response) -> bool:
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "") if response.status_code in (301, 302) else ""
    return location.startswith(("/login/", "/admin/login/"))


def reachable_without_sign_in() -> tuple[set[str], list[str]]:
    client = Client(raise_request_exception=False)
    reachable, unprobed = set(), []
    for route, _name, pattern in url_patterns():
        path = example_path(route)
        try:
            match = resolve(path)
        except Resolver404:
            match = None
        if match is None or match.func is not pattern.callback and getattr(match.func, "view_class", 0) is not getattr(
                pattern.callback, "view_class", 1):
            unprobed.append(f"{route} -> {path}")
            continue
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path)
        if not _is_sign_in_wall(response):
            reachable.add(route)
    return reachable, unprobed


def test_every_url_answering_without_sign_in_is_a_public_page_or_a_known_entry_point():
    reachable, unprobed = reachable_without_sign_in()
    assert unprobed == [], "give these routes a sample in example_path()"
    public = {path.route for path in public_paths()}
    assert reachable - public - set(STAFF_ENTRY_POINTS) == set(), "unmarked views answer without signing in"
    assert set(STAFF_ENTRY_POINTS) - reachable == set(), "stale entries in STAFF_ENTRY_POINTS"
    assert public - reachable == set(), "marked public but behind the sign-in"


def test_the_readme_lists_every_public_path():
    text = README.read_text()
    section = text.split("## Public pages (internet-facing)", 1)
    assert len(section) == 2, "README has no 'Public pages (internet-facing)' section"
    section = section[1].split("\n## ", 1)[0]
    missing = [path.route for path in public_paths() if f"`{path.route}`" not in section]
    assert missing == []
