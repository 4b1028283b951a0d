"""People management pages: HQ only (404 for everyone else), create and edit with scopes."""

import pytest
from django.urls import reverse

from campaign.choices import Role
from campaign.models import User

PEOPLE = reverse("campaign:person_list")
NEW = reverse("campaign:person_create")
PASSWORD = "a-long-enough-password-42"

NOT_HQ = ["leader", "team_lead", "district_lead", "other_district_lead", "unit_handler", "inspector", "public"]


def edit_url(person) -> str:
    return reverse("campaign:person_update", args=[person.pk])


def new_person(**overrides):
    data = {
        "username": "zhangsan",
        "full_name": "张三",
        "phone": "13800000000",
        "post": "创卫办主任",
        "role": Role.DISTRICT_LEAD,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(person, **overrides):
    data = {
        "full_name": person.full_name,
        "phone": person.phone,
        "post": person.post,
        "role": person.role,
        "team": person.team_id or "",
        "district": person.district_id or "",
        "unit": person.unit_id or "",
        "is_active": "on" if person.is_active else "",
        "password": "",
        "password_confirm": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v not in ("", None)}


@pytest.mark.parametrize("url", [PEOPLE, NEW])
def test_anonymous_is_sent_to_login(city, login, url):
    response = login(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("actor", NOT_HQ)
def test_people_pages_do_not_exist_for_anyone_but_hq(city, login, actor):
    client = login(getattr(city, actor))
    assert client.get(PEOPLE).status_code == 404
    assert client.get(NEW).status_code == 404
    assert client.get(edit_url(city.inspector)).status_code == 404
    response = client.post(NEW, new_person(district=city.district_a.pk))
    assert response.status_code == 404
    assert not User.objects.filter(username="zhangsan").exists()


def test_district_lead_cannot_change_a_person(city, login):
    response = login(city.district_lead).post(edit_url(city.inspector), edit_data(city.inspector, role=Role.HQ_STAFF))
    assert response.status_code == 404
    city.inspector.refresh_from_db()
    assert city.inspector.role == Role.INSPECTOR


def test_hq_lists_people_with_role_and_scope(city, login):
    client = login(city.hq)
    client.cookies["django_language"] = "en"
    response = client.get(PEOPLE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "other_district_lead" in html and "District B" in html
    assert "Unit handler" in html and "甲街道办" in html


def test_hq_filters_people_by_role_and_search(city, login):
    client = login(city.hq)
    by_role = client.get(PEOPLE, {"role": Role.DISTRICT_LEAD}).context["page"].object_list
    assert {p.username for p in by_role} == {"district_lead", "other_district_lead"}
    by_name = client.get(PEOPLE, {"q": "inspect"}).context["page"].object_list
    assert [p.username for p in by_name] == ["inspector"]


def test_people_list_query_count_is_bounded(city, login, django_assert_max_num_queries):
    for n in range(30):
        User.objects.create(username=f"u{n}", role=Role.DISTRICT_LEAD, district=city.district_a)
    client = login(city.hq)
    with django_assert_max_num_queries(8):
        assert client.get(PEOPLE).status_code == 200


def test_hq_creates_a_district_lead_who_can_sign_in(city, login):
    response = login(city.hq).post(NEW, new_person(district=city.district_a.pk))
    assert response.status_code == 302
    person = User.objects.get(username="zhangsan")
    assert person.role == Role.DISTRICT_LEAD
    assert person.district == city.district_a
    assert person.full_name == "张三" and person.post == "创卫办主任"
    assert person.check_password(PASSWORD)
    assert not person.is_staff and not person.is_superuser


def test_person_create_refuses_a_district_lead_without_a_district(city, login):
    response = login(city.hq).post(NEW, new_person())
    assert response.status_code == 200
    assert response.context["form"].errors["district"]
    assert not User.objects.filter(username="zhangsan").exists()


def test_person_create_refuses_a_taken_username(city, login):
    response = login(city.hq).post(NEW, new_person(username="inspector", district=city.district_a.pk))
    assert response.context["form"].errors["username"]


def test_person_create_refuses_a_weak_or_mistyped_password(city, login):
    client = login(city.hq)
    weak = client.post(NEW, new_person(district=city.district_a.pk, password="123", password_confirm="123"))
    assert weak.context["form"].errors["password"]
    mistyped = client.post(NEW, new_person(district=city.district_a.pk, password_confirm="something-else-42"))
    assert mistyped.context["form"].errors["password_confirm"]
    assert not User.objects.filter(username="zhangsan").exists()


def test_person_create_leaves_out_scope_a_role_does_not_use(city, login):
    login(city.hq).post(NEW, new_person(role=Role.LEADER, district=city.district_a.pk, team=city.team.pk))
    person = User.objects.get(username="zhangsan")
    assert person.role == Role.LEADER
    assert person.district is None and person.team is None


def test_hq_changes_a_persons_role_and_scope(city, login):
    person = city.inspector
    response = login(city.hq).post(
        edit_url(person), edit_data(person, role=Role.UNIT_HANDLER, unit=city.office_b.pk, district="")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.role == Role.UNIT_HANDLER
    assert person.unit == city.office_b
    assert person.district is None


def test_edit_refuses_a_team_lead_without_a_team(city, login):
    person = city.inspector
    response = login(city.hq).post(edit_url(person), edit_data(person, role=Role.TEAM_LEAD))
    assert response.status_code == 200
    assert response.context["form"].errors["team"]
    person.refresh_from_db()
    assert person.role == Role.INSPECTOR


def test_hq_deactivates_a_person_and_resets_a_password(city, login):
    person = city.unit_handler
    client = login(city.hq)
    client.post(edit_url(person), edit_data(person, is_active=""))
    person.refresh_from_db()
    assert not person.is_active
    client.post(edit_url(person), edit_data(person, is_active="on", password="new-pass-phrase-77",
                                            password_confirm="new-pass-phrase-77"))
    person.refresh_from_db()
    assert person.is_active and person.check_password("new-pass-phrase-77")


def test_empty_password_keeps_the_current_one(city, login):
    person = city.inspector
    old_hash = person.password
    login(city.hq).post(edit_url(person), edit_data(person, post="督查员"))
    person.refresh_from_db()
    assert person.password == old_hash and person.post == "督查员"


def test_hq_cannot_deactivate_themselves(city, login):
    response = login(city.hq).post(edit_url(city.hq), edit_data(city.hq, is_active=""))
    assert response.status_code == 200
    assert response.context["form"].errors["is_active"]
    city.hq.refresh_from_db()
    assert city.hq.is_active


def test_hq_cannot_open_an_account_with_admin_access(city, login):
    admin = User.objects.create_superuser("root", password="root-pass-phrase-1")
    client = login(city.hq)
    assert client.get(edit_url(admin)).status_code == 404
    listing = client.get(PEOPLE)
    assert "root" in {p.username for p in listing.context["page"].object_list}
    assert f'href="{edit_url(admin)}"' not in listing.content.decode()
    assert f'href="{edit_url(city.inspector)}"' in listing.content.decode()


def test_superuser_manages_people_too(city, login):
    admin = User.objects.create_superuser("root", password="root-pass-phrase-1")
    client = login(admin)
    assert client.get(PEOPLE).status_code == 200
    assert client.get(edit_url(city.hq)).status_code == 200


def test_hq_makes_a_grid_chief_who_needs_a_grid_and_keeps_only_it(city, login):
    client = login(city.hq)
    without = client.post(NEW, new_person(role=Role.GRID_CHIEF))
    assert without.context["form"].errors["grid"]
    response = client.post(NEW, new_person(role=Role.GRID_CHIEF, grid=city.grid_b.pk, road=city.road_b.pk,
                                           district=city.district_b.pk))
    assert response.status_code == 302
    person = User.objects.get(username="zhangsan")
    assert (person.role, person.grid, person.road, person.district) == (Role.GRID_CHIEF, city.grid_b, None, None)
    assert list(city.grid_b.chief_users()) == [person]
    html = client.get(PEOPLE, {"role": Role.GRID_CHIEF}).content.decode()
    assert "zhangsan" in html and "乙一网格" in html
