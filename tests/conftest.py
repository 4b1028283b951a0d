"""Browser pages for the tests under tests/ (a phone's and a desk's); the browser itself, one per
run, is the root conftest.py's ``browser``."""

import pytest


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
