"""The Django admin: every campaign model's list, search and add page open for a superuser."""

import pytest
from django.urls import reverse

from campaign.models import User

MODELS = [
    "campaign", "district", "grid", "road", "unit", "category", "team", "samplepoint",
    "indicator", "indicatorvalue", "samplepointimport", "user",
]


@pytest.fixture
def admin_client_(city, client):
    client.force_login(User.objects.create_superuser("root", password="root-pass-phrase-1"))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_admin_list_and_search_open(admin_client_, model):
    url = reverse(f"admin:campaign_{model}_changelist")
    assert admin_client_.get(url).status_code == 200
    assert admin_client_.get(url, {"q": "甲"}).status_code == 200


@pytest.mark.parametrize("model", [m for m in MODELS if m != "samplepointimport"])
def test_admin_add_page_opens(admin_client_, model):
    assert admin_client_.get(reverse(f"admin:campaign_{model}_add")).status_code == 200


def test_admin_person_page_shows_role_and_scope(admin_client_, city):
    html = admin_client_.get(reverse("admin:campaign_user_change", args=[city.district_lead.pk])).content.decode()
    for field in ("role", "team", "district", "unit"):
        assert f'name="{field}"' in html


def test_admin_creates_a_person_with_a_role(admin_client_, city):
    response = admin_client_.post(reverse("admin:campaign_user_add"), {
        "username": "wangwu", "full_name": "王五", "usable_password": "true",
        "password1": "a-long-enough-password-42", "password2": "a-long-enough-password-42",
        "role": "district_lead", "district": city.district_b.pk,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = User.objects.get(username="wangwu")
    assert person.role == "district_lead" and person.district == city.district_b


def test_hq_staff_set_the_city_up_in_the_admin_without_being_is_staff(city, client):
    assert not city.hq.is_staff
    client.force_login(city.hq)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:campaign_samplepoint_changelist")).status_code == 200
    assert client.get(reverse("admin:campaign_samplepoint_add")).status_code == 200
    # Deleting is for superusers: the ledger refers to the structure.
    point = city.points_a[0]
    assert client.get(reverse("admin:campaign_samplepoint_delete", args=[point.pk])).status_code == 403


@pytest.mark.parametrize("actor", ["leader", "team_lead", "district_lead", "unit_handler", "inspector", "public"])
def test_other_roles_cannot_enter_the_admin(city, client, actor):
    client.force_login(getattr(city, actor))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_hq_cannot_edit_or_promote_a_superuser_in_the_admin(city, client):
    root = User.objects.create_superuser("root", password="root-pass-phrase-1")
    client.force_login(city.hq)
    assert client.get(reverse("admin:campaign_user_change", args=[root.pk])).status_code == 200  # view only
    html = client.get(reverse("admin:campaign_user_change", args=[city.inspector.pk])).content.decode()
    assert 'name="is_superuser"' not in html
