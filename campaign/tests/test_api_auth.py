"""Signing in to the REST API: POST /api/auth/token/ gives a token, then "Authorization: Token …".
Failures are counted by django-axes and the endpoint is throttled."""

import pytest
from django.urls import reverse

from campaign.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = reverse("api-token")


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    # The login throttle counts in the cache: a private in-memory cache per test keeps one
    # test's attempts (or a developer's) from throttling another.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-auth-tests"}
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def obtain(client, username, password):
    return client.post(TOKEN_URL, {"username": username, "password": password}, content_type="application/json")


def test_token_is_given_for_the_right_password_and_opens_the_api(city, client):
    response = obtain(client, "district_lead", PASSWORD)
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert len(token) == 40

    api = reverse("samplepoint-list")
    anonymous = client.get(api)
    assert anonymous.status_code == 401
    response = client.get(api, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    # The token acts as its user: the district lead's scope, not the whole city.
    assert {row["id"] for row in response.json()["results"]} == {p.pk for p in city.points_a}


def test_the_same_token_is_given_again(city, client):
    first = obtain(client, "hq", PASSWORD).json()["token"]
    assert obtain(client, "hq", PASSWORD).json()["token"] == first


def test_token_is_accepted_as_a_form_post_too(city, client):
    response = client.post(TOKEN_URL, {"username": "hq", "password": PASSWORD})
    assert response.status_code == 200
    assert "token" in response.json()


def test_wrong_password_gives_no_token(city, client):
    response = obtain(client, "hq", "not the password")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert "non_field_errors" in response.json()


def test_missing_password_names_the_field(city, client):
    response = client.post(TOKEN_URL, {"username": "hq"}, content_type="application/json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_inactive_person_gets_no_token(city, client):
    city.hq.is_active = False
    city.hq.save(update_fields=["is_active"])
    response = obtain(client, "hq", PASSWORD)
    assert response.status_code == 400
    assert "token" not in response.json()


def test_wrong_token_is_refused(city, client):
    response = client.get(reverse("samplepoint-list"), HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert response.status_code == 401
    assert "results" not in response.json()


def test_after_five_wrong_passwords_the_right_one_is_refused(city, client):
    for _attempt in range(5):
        assert obtain(client, "hq", "wrong").status_code in (400, 429)
    response = obtain(client, "hq", PASSWORD)
    assert response.status_code == 429
    assert "token" not in response.json()
    assert response.json()["detail"]


def test_failures_of_one_username_do_not_lock_out_another(city, client):
    for _attempt in range(5):
        obtain(client, "hq", "wrong")
    assert obtain(client, "leader", PASSWORD).status_code == 200


def test_four_wrong_passwords_still_let_the_right_one_in(city, client):
    for _attempt in range(4):
        assert obtain(client, "hq", "wrong").status_code == 400
    assert obtain(client, "hq", PASSWORD).status_code == 200


def test_token_endpoint_is_throttled(city, client, settings):
    # The "login" scope allows 10 attempts a minute from one address (settings REST_FRAMEWORK).
    statuses = [obtain(client, "hq", PASSWORD).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
