"""Test-wide set-up: which real services the run uses, and the standing test actors.

PostgreSQL, Redis and Chromium are used when configured (DATABASE_URL, REDIS_URL, a Chromium
on the PATH or in CHROMIUM), and the public records in ../shared/realdata when that folder sits
beside the checkout. With REQUIRE_SERVICES=1 a missing one fails the run at start. The
object-storage tests (marker ``s3``) use the S3-compatible server named by S3_TEST_ENDPOINT_URL
(scripts/s3_server.py starts one); with REQUIRE_SERVICES=1 a run that collects them without it
fails. Every other test stores files on the local disk (settings.STORAGES as configured).
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}
REALDATA = Path(__file__).resolve().parent.parent / "shared" / "realdata"


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_configure(config):
    from django.conf import settings

    # Tests render templates without a collectstatic manifest, and the live server speaks
    # plain HTTP, so secure-only cookies would never come back from the browser.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SESSION_COOKIE_SECURE = False
    # Hashing a password costs ~0.3 s by design; tests create many people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle and lock-out counters must not leak between tests or runs through a shared cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Sessions in the database, as without Redis, whatever the run's REDIS_URL: the cache above
    # is this process's own, and the tests that count a page's queries count the same on every
    # run. The sessions read from Redis (campaign/sessions.py) have their own tests, and the
    # fault drills run the project in subprocesses with the real settings, Redis sessions included.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.CSRF_COOKIE_SECURE = False
    # The ledger's fingerprints of this run, never the checkout's var/ (verify_ledger reads them all).
    settings.LEDGER_FINGERPRINT_DIR = Path(tempfile.mkdtemp(prefix="test-ledger-fingerprints-"))

    if REQUIRE_SERVICES:
        missing = []
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            missing.append("PostgreSQL (set DATABASE_URL=postgres://…)")
        if not settings.REDIS_URL:
            missing.append("Redis (set REDIS_URL=redis://…)")
        if not chromium_path():
            missing.append("Chromium (install Debian's chromium or set CHROMIUM)")
        if not REALDATA.is_dir():
            missing.append(f"the real data ({REALDATA})")
        if missing:
            raise pytest.UsageError("REQUIRE_SERVICES=1 but missing: " + "; ".join(missing))


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    skips = {}
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skips["postgres"] = "needs PostgreSQL: set DATABASE_URL"
    if not settings.REDIS_URL:
        skips["redis"] = "needs Redis: set REDIS_URL"
    if not chromium_path():
        skips["browser"] = "needs Chromium: install it or set CHROMIUM"
    if not REALDATA.is_dir():
        skips["realdata"] = f"needs the real data in {REALDATA}"
    if not os.environ.get("S3_TEST_ENDPOINT_URL"):
        if REQUIRE_SERVICES and any("s3" in item.keywords for item in items):
            raise pytest.UsageError("REQUIRE_SERVICES=1 but missing: an S3-compatible server "
                                    "(eval \"$(python scripts/s3_server.py start)\" sets S3_TEST_ENDPOINT_URL)")
        skips["s3"] = "needs an S3-compatible server: eval \"$(python scripts/s3_server.py start)\""
    for item in items:
        for marker, reason in skips.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def city(db):
    """A small city with two districts and a person in every role (see campaign/tests/factories.py)."""
    from campaign.tests.factories import build_city

    return build_city()


@pytest.fixture
def login(client):
    """login(user) -> the test client signed in as that user (None: anonymous)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: values kept per user id (the task counts in the
    menu) must not reach another test whose user got the same id (SQLite reuses them)."""
    from django.core.cache import cache

    from campaign.models import forget_scope_labels

    cache.clear()
    forget_scope_labels()  # the header's scope names kept per process (User.scope_label)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language: a request in another (LocaleMiddleware) leaves
    it active in the thread, and a label read outside a request would follow the test before."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- The browser (Playwright driving the machine's Chromium), one per run, for every folder's
# browser tests: tests/conftest.py makes its pages, fieldwork/tests its phones.

@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async-safety guard must not refuse them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=chromium_path(),
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )
    yield browser
    browser.close()
