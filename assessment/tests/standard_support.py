"""Shared by the standard's tests."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings):
    """The assessment's tests read messages in English (the site's default language is Chinese;
    the Chinese pages are checked where a test says so)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
