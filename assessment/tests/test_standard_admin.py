"""The standard in the admin: HQ only, no delete, every change recorded."""

import pytest
from django.urls import reverse

from assessment.models import MaterialRequirement, StandardChange, StandardEdition
from assessment.services import standard as standard_service

from .standard_support import english  # noqa: F401 (autouse: messages in English)

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(city):
    return standard_service.standard_load(use=True).edition


def _hq_admin(city):
    city.hq.is_staff = True
    city.hq.save(update_fields=["is_staff"])
    return city.hq


def test_hq_edits_a_material_in_the_admin_and_it_is_recorded(city, edition, login):
    client = login(_hq_admin(city))
    material = MaterialRequirement.objects.first()
    url = reverse("admin:assessment_materialrequirement_change", args=[material.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("admin:assessment_materialrequirement_delete", args=[material.pk]) not in page.content.decode()
    response = client.post(url, {"article": material.article_id, "code": material.code, "order": material.order,
                                 "title": "新标题", "title_en": material.title_en, "responsible_unit": city.office_a.pk,
                                 "due_date": "2027-03-01", "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    material.refresh_from_db()
    assert material.title == "新标题" and material.responsible_unit == city.office_a
    change = StandardChange.objects.get(action="edited")  # the title, through standard_item_save
    assert change.actor == city.hq and set(change.details["changed"]) == {"title"}
    assert change.details["changed"]["title"][1] == "新标题"
    # the unit and due date through material_requirement_assign, as on the standard's page
    assigned = StandardChange.objects.get(action="material_changed")
    assert assigned.actor == city.hq and assigned.target == material.code
    assert assigned.details["changed"]["due_date"] == [None, "2027-03-01"]
    assert assigned.details["changed"]["responsible_unit"] == [None, city.office_a.pk]


def test_an_article_edit_in_the_admin_goes_through_the_service_with_its_indicators(city, edition, login):
    from assessment.models import StandardArticle

    client = login(_hq_admin(city))
    article = StandardArticle.objects.filter(indicators__isnull=True).first() or StandardArticle.objects.first()
    url = reverse("admin:assessment_standardarticle_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {name: ("on" if value is True else value) for name, value in data.items() if value not in (None, False)}
    indicator = form.fields["indicators"].queryset.exclude(pk__in=article.indicators.all()).first()
    data["indicators"] = [pk for pk in (data.get("indicators") or [])] + ([indicator.pk] if indicator else [])
    data["title_en"] = "Renamed"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    change = StandardChange.objects.get(action="edited", target=str(StandardArticle.objects.get(pk=article.pk)))
    assert set(change.details["changed"]) == ({"title_en", "indicators"} if indicator else {"title_en"})
    assert change.actor == city.hq and StandardArticle.objects.get(pk=article.pk).title_en == "Renamed"


def test_nobody_deletes_and_non_hq_staff_do_not_see_it(city, edition, login):
    client = login(_hq_admin(city))
    material = MaterialRequirement.objects.first()
    assert client.post(reverse("admin:assessment_materialrequirement_delete", args=[material.pk]),
                       {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:assessment_standardedition_delete", args=[edition.pk]),
                       {"post": "yes"}).status_code == 403
    assert MaterialRequirement.objects.filter(pk=material.pk).exists() and StandardEdition.objects.exists()
    leader = city.leader
    leader.is_staff = True
    leader.save(update_fields=["is_staff"])
    response = login(leader).get(reverse("admin:assessment_materialrequirement_changelist"))
    assert response.status_code in (302, 403)  # the admin sends them to its login page
