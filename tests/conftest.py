"""Browser fixtures: Playwright driving the machine's Chromium against the live server."""

import os

import pytest

from conftest import chromium_path


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


@pytest.fixture
def phone_page(browser):
    """A page the size of a phone (390×844, touch), as staff use it in the field."""
    # Staff phones and desks are set to Chinese, as in the city.
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desk_page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
