"""Signing in and out, the lockout page after repeated failures, and the error pages."""

from datetime import timedelta

import pytest
from django.template.loader import get_template
from django.urls import reverse

from campaign.tests.factories import PASSWORD

LOGIN = reverse("login")


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_login_page_renders_a_form_that_works_without_javascript(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<form method="post" action="{LOGIN}"' in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'autocomplete="current-password"' in html


def test_signing_in_leads_to_the_page_asked_for(city, client):
    target = reverse("campaign:sample_point_list")
    response = client.post(LOGIN, {"username": "district_lead", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == target


def test_wrong_password_shows_an_error_on_the_login_page(city, english):
    response = english.post(LOGIN, {"username": "district_lead", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'class="alert alert-danger"' in response.content.decode()


def test_logging_out_is_a_post_and_ends_the_session(city, login):
    client = login(city.hq)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("campaign:overview")).status_code == 302


def test_too_many_failures_show_the_locked_out_page_with_the_wait(city, english, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=37)
    for _ in range(3):
        response = english.post(LOGIN, {"username": "district_lead", "password": "wrong"})
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "Try again in 37 minutes." in response.content.decode()
    # Even the right password is refused while locked out.
    again = english.post(LOGIN, {"username": "district_lead", "password": PASSWORD})
    assert again.status_code == 429


def test_not_found_page_uses_the_site_layout(city, login):
    response = login(city.hq).get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "base.html" in [t.name for t in response.templates]


def test_forbidden_page_for_the_public_explains_and_names_the_account(city, login):
    client = login(city.public)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("campaign:overview"))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert "Member of the public" in response.content.decode()


def test_server_error_page_renders_without_a_request_or_database():
    html = get_template("500.html").render({})
    assert "<html" in html and "/static/" in html
