"""Evidence photos are served only to people who may see the problem."""

import pytest

from ledger.choices import Status
from ledger.tests.factories import problem_in, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def photo(city):
    return problem_in(city, Status.CLOSING_APPLIED).photos.get()


@pytest.mark.parametrize("suffix", ["", "thumb/"])
def test_the_responsible_unit_gets_the_photo_privately_cached(city, login, photo, suffix):
    response = login(city.unit_handler).get(f"/ledger/photos/{photo.pk}/{suffix}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a JPEG


def test_the_thumbnail_is_smaller_than_the_photo(city, login, photo):
    client = login(city.hq)
    full = b"".join(client.get(f"/ledger/photos/{photo.pk}/").streaming_content)
    thumb = b"".join(client.get(f"/ledger/photos/{photo.pk}/thumb/").streaming_content)
    assert full != thumb


@pytest.mark.parametrize("actor", ["other_district_lead", "public"])
@pytest.mark.parametrize("suffix", ["", "thumb/"])
def test_a_photo_of_another_districts_problem_is_404(city, login, photo, actor, suffix):
    assert login(getattr(city, actor)).get(f"/ledger/photos/{photo.pk}/{suffix}").status_code == 404


def test_another_units_handler_gets_404(city, login):
    from campaign.tests.factories import make_user

    photo = problem_in(city, Status.CLOSING_APPLIED).photos.get()
    stranger = make_user("b_handler", "unit_handler", unit=city.office_b)
    assert login(stranger).get(f"/ledger/photos/{photo.pk}/").status_code == 404


def test_anonymous_is_sent_to_login(client, photo):
    response = client.get(f"/ledger/photos/{photo.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_missing_photo_is_404(city, login):
    record(city)
    assert login(city.hq).get("/ledger/photos/999999/").status_code == 404
