"""Defect 9: throttles and lock-outs count by the client address that the configured number of
trusted proxies defines (TRUSTED_PROXY_COUNT, none by default), never by a header the client
wrote: a different X-Forwarded-For on each try escapes neither the token throttle nor the
login lock-out."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.throttling import BaseThrottle

from campaign.tests.factories import PASSWORD
from campaign.throttling import client_address

pytestmark = pytest.mark.django_db

TOKEN_URL = reverse("api-token")


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "client-address-tests"}
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def obtain(client, password, forwarded_for, remote="198.51.100.9"):
    return client.post(
        TOKEN_URL, {"username": "hq", "password": password}, content_type="application/json",
        HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR=remote,
    )


def test_a_different_x_forwarded_for_on_each_try_does_not_escape_the_token_throttle(city, client):
    statuses = [obtain(client, PASSWORD, f"10.0.{n // 250}.{n % 250}").status_code for n in range(40)]
    assert statuses[:10] == [200] * 10
    assert set(statuses[10:]) == {429}


def test_a_different_x_forwarded_for_on_each_try_does_not_escape_the_login_lock_out(city, client):
    # Five tries stay under the throttle (10 a minute): what refuses the sixth is the lock-out.
    for n in range(5):
        assert obtain(client, "wrong", f"10.1.0.{n}").status_code in (400, 429)
    assert obtain(client, PASSWORD, "10.1.0.99").status_code == 429


def test_the_sign_in_page_lock_out_ignores_x_forwarded_for(city, client):
    for n in range(5):
        client.post(reverse("login"), {"username": "hq", "password": "wrong"},
                    HTTP_X_FORWARDED_FOR=f"10.2.0.{n}", REMOTE_ADDR="198.51.100.9")
    response = client.post(reverse("login"), {"username": "hq", "password": PASSWORD},
                           HTTP_X_FORWARDED_FOR="10.2.0.99", REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_one_trusted_proxy_the_last_hop_is_the_client(city, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy (always the same connection address) appends the client's address; what comes
    # before it was written by the client and changes on every try.
    statuses = [obtain(client, PASSWORD, f"10.3.0.{n}, 203.0.113.7", remote="192.0.2.1").status_code
                for n in range(12)]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    # Another client behind the same proxy is counted on its own.
    assert obtain(client, PASSWORD, "10.3.0.1, 203.0.113.8", remote="192.0.2.1").status_code == 200


def test_behind_one_trusted_proxy_the_lock_out_counts_by_the_last_hop(city, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        assert obtain(client, "wrong", f"10.4.0.{n}, 203.0.113.7", remote="192.0.2.1").status_code in (400, 429)
    assert obtain(client, PASSWORD, "10.4.0.99, 203.0.113.7", remote="192.0.2.1").status_code == 429
    assert obtain(client, PASSWORD, "203.0.113.8", remote="192.0.2.1").status_code == 200


def test_rest_framework_counts_proxies_as_the_project_does(settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT
    assert settings.AXES_CLIENT_IP_CALLABLE == "campaign.throttling.client_address"


@pytest.mark.parametrize("proxies", [0, 1, 2])
@pytest.mark.parametrize("forwarded", [None, "203.0.113.7", "10.0.0.1, 203.0.113.7", "a, b, 203.0.113.7 "])
def test_client_address_agrees_with_rest_framework(settings, proxies, forwarded):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", **extra)
    assert client_address(request) == BaseThrottle().get_ident(request)
    if proxies == 0:
        assert client_address(request) == "192.0.2.1"
