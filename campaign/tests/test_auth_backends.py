"""campaign.auth_backends.UserBackend: the person of a session read without the ORM is the person
Django's ModelBackend reads; a wrong password is checked once and counted; sessions signed in
through Django's backend before stay signed in."""

from unittest import mock

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password
from django.forms.models import model_to_dict
from django.urls import reverse

from campaign.auth_backends import UserBackend
from campaign.models import User
from campaign.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
BACKEND = "campaign.auth_backends.UserBackend"


def fields_of(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_the_person_read_is_the_one_django_reads(city):
    for user in (city.hq, city.district_lead, city.unit_handler):
        ours, django = UserBackend().get_user(str(user.pk)), ModelBackend().get_user(user.pk)
        assert type(ours) is User and ours.pk == user.pk
        assert fields_of(ours) == fields_of(django)
        assert model_to_dict(ours) == model_to_dict(django)
        assert ours._state.adding is False and ours._state.db == "default"
        # Related objects still load as usual.
        assert ours.district == django.district


def test_nobody_for_a_missing_inactive_or_malformed_id(city):
    backend = UserBackend()
    assert backend.get_user(10**9) is None
    assert backend.get_user("not-a-number") is None
    city.district_lead.is_active = False
    city.district_lead.save(update_fields=["is_active"])
    assert backend.get_user(city.district_lead.pk) is None


def test_one_query_and_the_session_is_checked_as_before(city, client, django_assert_num_queries):
    client.post(reverse("login"), {"username": "district_lead", "password": PASSWORD})
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    client.get(reverse("ledger:problem_list"))  # counts and keeps the menu's counts
    # The session, the person, the page's rows (as test_pages_list_lean counts them).
    with mock.patch.object(User.objects, "get", side_effect=AssertionError("the ORM is not used")), \
            django_assert_num_queries(3):
        assert client.get(reverse("ledger:problem_list")).status_code == 200
    # A changed password ends the session, as Django's session hash check does.
    city.district_lead.set_password("another-password-0123")
    city.district_lead.save()
    response = client.get(reverse("ledger:problem_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_wrong_password_is_checked_once_and_counted(city, client):
    from axes.models import AccessAttempt

    with mock.patch("django.contrib.auth.base_user.check_password", wraps=check_password) as checked:
        response = client.post(reverse("login"), {"username": "district_lead", "password": "wrong"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert checked.call_count == 1
    assert AccessAttempt.objects.get(username="district_lead").failures_since_start == 1


def test_a_session_signed_in_through_djangos_backend_stays_signed_in(city, client):
    client.force_login(city.district_lead, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    assert session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert session[SESSION_KEY] == str(city.district_lead.pk)
    assert client.get(reverse("ledger:problem_list")).status_code == 200
