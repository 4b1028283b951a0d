import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Service-level tests read the English messages (pages pick their language per request)."""
    with translation.override("en"):
        yield
