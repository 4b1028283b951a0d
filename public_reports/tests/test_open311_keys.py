"""HQ's Open311 keys: the page and /api/open311-keys/ (HQ staff only; keys belong to no
district, so a lead of either district is simply a wrong role)."""

import pytest

from public_reports import services
from public_reports.models import Open311Key

pytestmark = pytest.mark.django_db

PAGE = "/public-reports/open311-keys/"
API = "/api/open311-keys/"


# --- The page ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, city):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["leader", "district_lead", "other_district_lead", "inspector", "unit_handler"])
def test_other_roles_may_not_see_or_issue_keys(login, city, role):
    client = login(getattr(city, role))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "x"}).status_code == 403
    assert not Open311Key.objects.exists()


def test_hq_issues_a_key_shown_once_and_it_works(login, city):
    from public_reports.tests.factories import public_category

    public_category(city)
    client = login(city.hq)
    response = client.post(PAGE, {"name": "12345 热线"})
    assert response.status_code == 302  # a reload of the answer issues nothing more
    response = client.get(response["Location"])
    assert "no-store" in response["Cache-Control"]
    raw = response.context["raw_key"]
    assert raw.startswith("o311_") and raw in response.content.decode()
    key = Open311Key.objects.get()
    assert key.name == "12345 热线" and key.created_by == city.hq and raw.startswith(key.prefix)
    assert raw not in client.get(PAGE).content.decode()  # never again
    posted = client.post("/open311/v2/requests.json", {
        "api_key": raw, "service_code": "garbage", "lat": "31.23", "long": "121.47", "description": "垃圾",
        "attribute[consent]": "yes"})
    assert posted.status_code == 200


def test_the_issued_key_leaves_the_session_once_shown(login, city):
    from public_reports.views.keys import ISSUED

    client = login(city.hq)
    client.post(PAGE, {"name": "12345 热线"})
    assert ISSUED in client.session  # waits for the one page that shows it
    raw = client.get(PAGE).context["raw_key"]
    assert raw and ISSUED not in client.session
    assert raw not in str(dict(client.session.items()))
    client.post(PAGE, {"name": "城市App"})
    client.post(PAGE, {"name": ""})  # a refused form answers without the waiting key, and drops it
    assert ISSUED not in client.session


def test_a_key_needs_the_name_of_its_system(login, city):
    response = login(city.hq).post(PAGE, {"name": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Open311Key.objects.exists()


def test_hq_revokes_a_key_and_it_stays_listed(login, city):
    key, raw = services.open311_key_issue(name="城市App", by=city.hq)
    client = login(city.hq)
    response = client.post(f"{PAGE}{key.pk}/revoke/", follow=True)
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == city.hq
    assert "城市App" in response.content.decode()
    assert services.open311_key_check(raw) is None


def test_other_roles_may_not_revoke(login, city):
    key, _raw = services.open311_key_issue(name="城市App", by=city.hq)
    assert login(city.district_lead).post(f"{PAGE}{key.pk}/revoke/").status_code == 403
    key.refresh_from_db()
    assert key.active


def test_the_page_reads_in_few_queries(login, city, django_assert_max_num_queries):
    for n in range(8):
        key, _raw = services.open311_key_issue(name=f"system {n}", by=city.hq)
        if n % 2:
            services.open311_key_revoke(key=key, by=city.hq)
    client = login(city.hq)
    client.get(PAGE)  # warm the per-user menu cache
    with django_assert_max_num_queries(12):
        response = client.get(PAGE)
    assert response.content.decode().count("data-key=") == 8


def test_the_admin_menu_links_the_page(login, city):
    assert f'href="{PAGE}"' in login(city.hq).get("/", follow=True).content.decode()


# --- The API -------------------------------------------------------------------------------------


def test_api_anonymous_is_401(client, city):
    assert client.get(API).status_code == 401
    assert client.post(API, {"name": "x"}).status_code == 401


@pytest.mark.parametrize("role", ["leader", "district_lead", "other_district_lead", "team_lead"])
def test_api_other_roles_are_403(login, city, role):
    key, _raw = services.open311_key_issue(name="城市App", by=city.hq)
    client = login(getattr(city, role))
    assert client.get(API).status_code == 403
    assert client.post(API, {"name": "x"}, content_type="application/json").status_code == 403
    assert client.post(f"{API}{key.pk}/revoke/").status_code == 403
    key.refresh_from_db()
    assert key.active


def test_api_hq_issues_lists_and_revokes(login, city, django_assert_max_num_queries):
    client = login(city.hq)
    response = client.post(API, {"name": "12345 热线"}, content_type="application/json")
    assert response.status_code == 201
    issued = response.json()
    assert issued["key"].startswith(issued["prefix"]) and issued["active"] is True
    assert services.open311_key_check(issued["key"]) is not None
    for n in range(5):
        services.open311_key_issue(name=f"system {n}", by=city.hq)
    with django_assert_max_num_queries(6):
        listed = client.get(API).json()
    assert listed["count"] == 6
    assert all("key" not in item and "digest" not in item for item in listed["results"])
    revoked = client.post(f"{API}{issued['id']}/revoke/").json()
    assert revoked["active"] is False and revoked["revoked_by"] == "hq"
    assert services.open311_key_check(issued["key"]) is None
    assert client.get(f"{API}{issued['id']}/").json()["revoked_at"]


def test_api_refuses_a_blank_name(login, city):
    response = login(city.hq).post(API, {"name": ""}, content_type="application/json")
    assert response.status_code == 400
    assert "name" in response.json()


def test_api_unknown_key_is_404(login, city):
    assert login(city.hq).post(f"{API}999/revoke/").status_code == 404
