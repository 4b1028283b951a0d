"""The phone side of field work offline (README "Field work offline"): the app shell at /field/,
the web app manifest at /manifest.webmanifest and the service worker at /sw.js.

The shell is one server-rendered page; the field JavaScript (static/js/field/) draws the
inspector's points or the unit handler's tasks from the offline copy it keeps in IndexedDB.
The service worker is rendered from a template so it names the static files as the staticfiles
storage serves them (hashed in production), and its cache's name changes with their contents.
"""

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from campaign.choices import Role

# What the phone needs to open the app with no signal: the files the shell loads. The shell
# page itself and the JavaScript catalogue are added by URL in the service worker.
SHELL_STATIC = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "css/field.css",
    "js/field/photos.js",
    "js/field/store.js",
    "js/field/sync.js",
    "js/field/app.js",
    "favicon.svg",
    "field/icon-192.png",
    "field/icon-512.png",
    "field/icon-maskable-512.png",
    "field/apple-touch-icon.png",
)
THEME_COLOUR = "#1f6f4a"
FIELD_ROLES = (Role.INSPECTOR, Role.UNIT_HANDLER)


def _digest() -> str:
    """A short digest of the shell's files: a new deployment that changes any of them gets a new
    cache, and the old one is dropped when the new service worker takes over."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        digest.update(static(name).encode())
        found = finders.find(name)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    for name in ("fieldwork/shell.html", "fieldwork/sw.js"):
        digest.update(name.encode())
    return digest.hexdigest()[:12]


_cached_digest = lru_cache(maxsize=1)(_digest)


def shell_version() -> str:
    return _digest() if settings.DEBUG else _cached_digest()


def start_view(user) -> str:
    """Which view /field/ opens first: the inspector's points, the unit handler's tasks."""
    if getattr(user, "role", None) == Role.UNIT_HANDLER:
        return "tasks"
    if getattr(user, "role", None) == Role.INSPECTOR:
        return "points"
    return "none"


@require_http_methods(["GET", "HEAD"])
@login_required
@never_cache
def shell(request):
    """The field app's one page. It knows who is signed in (the phone keeps each person's queue
    apart) and the view to open; everything else comes from the offline copy."""
    html = render_to_string("fieldwork/shell.html", {
        "start_view": start_view(request.user),
        "field_user": request.user,
        "sw_url": reverse("fieldwork_sw"),
    }, request=request)
    response = HttpResponse(html)
    # The page's script reads this with a HEAD request to know who the server sees now.
    response["X-Field-User"] = str(request.user.pk)
    return response


@require_GET
def manifest(request):
    """The web app manifest, in the language of the request (Chinese first by default)."""
    body = {
        "id": "/field/",
        "name": _("Health City field work"),
        "short_name": _("Field work"),
        "description": _("Inspections and rectification tasks on the phone, with or without signal."),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "start_url": reverse("fieldwork:shell"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static("field/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    response["Vary"] = "Accept-Language, Cookie"
    return response


@require_GET
def service_worker(request):
    """The service worker: its scope is the whole site (it only answers for the field app's own
    files, its page and the offline copy); never cached itself, so a new version is found."""
    precache = [reverse("fieldwork:shell"), reverse("javascript-catalog")] + [static(name) for name in SHELL_STATIC]
    body = render_to_string("fieldwork/sw.js", {
        "version": shell_version(),
        "precache_json": json.dumps(precache),
        "shell_url_json": json.dumps(reverse("fieldwork:shell")),
        "catalog_url_json": json.dumps(reverse("javascript-catalog")),
        "offline_api_json": json.dumps("/api/field/offline/"),
    })
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


routes = [path("", shell, name="shell")]
root_routes = [
    path("manifest.webmanifest", manifest, name="fieldwork_manifest"),
    path("sw.js", service_worker, name="fieldwork_sw"),
]
