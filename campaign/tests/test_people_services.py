"""The people services: who may write, the role's scope, passwords, and self-lockout."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.choices import Role
from campaign.models import User
from campaign.services.people import person_create, person_update

PASSWORD = "a-long-enough-password-42"


def data(**extra):
    return {"username": "lisi", "full_name": "李四", "role": Role.INSPECTOR, "password": PASSWORD, **extra}


@pytest.mark.parametrize("actor", ["leader", "team_lead", "district_lead", "unit_handler", "inspector", "public"])
def test_only_hq_creates_people(city, actor):
    with pytest.raises(PermissionDenied):
        person_create(data=data(), by=getattr(city, actor))
    assert not User.objects.filter(username="lisi").exists()


def test_person_create_refuses_a_district_lead_without_a_district(city):
    with pytest.raises(ValidationError) as error:
        person_create(data=data(role=Role.DISTRICT_LEAD), by=city.hq)
    assert "district" in error.value.error_dict
    assert not User.objects.filter(username="lisi").exists()


def test_person_create_refuses_a_weak_password(city):
    with pytest.raises(ValidationError) as error:
        person_create(data=data(password="password"), by=city.hq)
    assert "password" in error.value.error_dict


def test_unit_handler_keeps_the_unit_and_drops_other_scopes(city):
    person = person_create(
        data=data(role=Role.UNIT_HANDLER, unit=city.office_a, district=city.district_b, team=city.team), by=city.hq
    )
    assert (person.unit, person.district, person.team) == (city.office_a, None, None)


def test_inspector_may_be_limited_to_a_district(city):
    person = person_create(data=data(district=city.district_a), by=city.hq)
    assert person.district == city.district_a
    assert person.scope_label == str(city.district_a)


def test_person_update_by_someone_else_than_hq_is_refused(city):
    with pytest.raises(PermissionDenied):
        person_update(person=city.inspector, data={"role": Role.HQ_STAFF}, by=city.district_lead)
    city.inspector.refresh_from_db()
    assert city.inspector.role == Role.INSPECTOR


def test_hq_may_not_change_an_account_with_admin_access(city):
    admin = User.objects.create_superuser("root", password="root-pass-phrase-1")
    with pytest.raises(PermissionDenied):
        person_update(person=admin, data={"password": "owned-by-hq-12345"}, by=city.hq)
    admin.refresh_from_db()
    assert admin.check_password("root-pass-phrase-1")


def test_hq_may_not_take_away_their_own_hq_role(city):
    with pytest.raises(ValidationError) as error:
        person_update(person=city.hq, data={"role": Role.LEADER}, by=city.hq)
    assert "role" in error.value.error_dict
    city.hq.refresh_from_db()
    assert city.hq.role == Role.HQ_STAFF


def test_person_update_ignores_in_memory_changes_to_the_person(city):
    person = city.inspector
    person.role = Role.HQ_STAFF  # e.g. a form changed the object while validating
    person_update(person=person, data={"post": "督查员"}, by=city.hq)
    person.refresh_from_db()
    assert person.role == Role.INSPECTOR and person.post == "督查员"


def test_partial_update_keeps_the_scope_it_does_not_mention(city):
    person_update(person=city.inspector, data={"phone": "110"}, by=city.hq)
    city.inspector.refresh_from_db()
    assert city.inspector.district == city.district_a and city.inspector.phone == "110"
