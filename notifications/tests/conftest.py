import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_unread_counts():
    """Unread counts are cached per user id, and ids repeat from test to test."""
    cache.clear()
    yield
    cache.clear()
