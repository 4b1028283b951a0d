import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Service-level tests read the English messages (pages pick their language per request)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def english_pages(client):
    """Pages and the API answer in the language the browser asks for: English here."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
