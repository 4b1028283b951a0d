import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
