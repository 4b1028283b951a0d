"""The special actions' pages: who sees what (out of scope: 404), the list's progress bars, an
action's figures, loading from Excel through the pages, a step with a photo, the export and the
task home's groups."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from campaign import tasks_home
from programme.choices import TargetStatus, TargetStep
from programme.models import ActionTarget, SpecialAction
from programme.services import actions as services

from .actions_factories import add_target, make_action, photo_upload, start, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def action(city):
    action = make_action(city)
    add_target(city, action, name="甲区公厕")
    add_target(city, action, name="乙区公厕", district=city.district_b, unit=city.office_b)
    return action


def test_the_anonymous_go_to_sign_in_and_the_public_are_refused(city, login, action):
    url = reverse("programme:action_detail", args=[action.pk])
    assert login(None).get(url).status_code == 302
    assert login(city.public).get(url).status_code == 403


@pytest.mark.parametrize("user, sees_action, objects", [
    ("hq", True, {"甲区公厕", "乙区公厕"}),
    ("leader", True, {"甲区公厕", "乙区公厕"}),
    ("team_lead", True, {"甲区公厕", "乙区公厕"}),
    ("district_lead", True, {"甲区公厕"}),
    ("other_district_lead", True, {"乙区公厕"}),
    ("unit_handler", True, {"甲区公厕"}),
    ("inspector", False, set()),
])
def test_each_role_sees_the_objects_of_its_scope_and_the_rest_is_404(city, login, action, user, sees_action, objects):
    client = login(getattr(city, user))
    response = client.get(reverse("programme:action_detail", args=[action.pk]))
    assert response.status_code == (200 if sees_action else 404)
    listed = {t.name for t in response.context["page"].object_list} if sees_action else set()
    assert listed == objects
    for target in ActionTarget.objects.all():
        answer = client.get(reverse("programme:target_detail", args=[target.pk]))
        assert answer.status_code == (200 if target.name in objects else 404)


def test_another_teams_lead_does_not_see_the_action(city, login, action):
    from campaign.tests.factories import add_other_team, make_user

    other = make_user("other_team_lead", "team_lead", team=add_other_team(city))
    assert login(other).get(reverse("programme:action_detail", args=[action.pk])).status_code == 404
    assert login(other).get(reverse("programme:action_list")).context["rows"] == []


def test_the_list_shows_each_action_with_done_verified_and_overdue(city, login, action, django_assert_max_num_queries):
    from campaign.photos import photo_store

    target = ActionTarget.objects.get(name="甲区公厕")
    photo = photo_store(photo_upload(), folder="programme/actions/x")
    target = start(target, city.unit_handler)
    services.target_step(target=target, step=TargetStep.FINISH, by=city.unit_handler, photos=[photo])
    ActionTarget.objects.filter(name="乙区公厕").update(deadline=action.starts_on)  # overdue
    for number in range(3):  # more actions cost no more queries
        add_target(city, make_action(city, name=f"行动{number}"), name=f"对象{number}")
    client = login(city.hq)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("programme:action_list"))
    rows = dict(response.context["rows"])
    progress = rows[action]
    assert (progress.total, progress.done, progress.verified, progress.overdue) == (2, 1, 0, 1)
    assert b'data-done="1" data-verified="0" data-total="2"' in response.content
    # The district lead's bar counts their district's object only.
    progress = dict(login(city.district_lead).get(reverse("programme:action_list")).context["rows"])[action]
    assert (progress.total, progress.done, progress.overdue) == (1, 1, 0)


def test_hq_creates_an_action_loads_objects_through_preview_and_confirm(city, login):
    client = login(city.hq)
    response = client.post(reverse("programme:action_create"), {
        "name": "黄土裸露治理", "team": city.team.pk, "starts_on": "2026-01-01", "ends_on": "2026-12-31",
        "units": [city.office_a.pk, city.office_b.pk],
    })
    action = services.SpecialAction.objects.get(name="黄土裸露治理")
    assert response.url == reverse("programme:action_import", args=[action.pk])
    bad = io.BytesIO(workbook_bytes([["裸土一", "丙区", "", "", "覆盖", "甲街道办", "2027-01-01"]]))
    bad.name = "soil.xlsx"
    response = client.post(reverse("programme:action_import", args=[action.pk]), {"file": bad}, follow=True)
    content = response.content.decode()
    assert 'data-row="2" data-column="区县 District"' in content
    assert 'data-row="2" data-column="完成时限 Deadline"' in content
    assert b"import-confirm" not in response.content
    good = workbook_bytes([["裸土一", "甲区", "", "", "覆盖", "甲街道办", "2026-06-30"]])
    good_file = io.BytesIO(good)
    good_file.name = "soil.xlsx"
    response = client.post(reverse("programme:action_import", args=[action.pk]), {"file": good_file}, follow=True)
    assert b"import-confirm" in response.content and ActionTarget.objects.count() == 0
    response = client.post(response.request["PATH_INFO"], follow=True)
    assert response.request["PATH_INFO"] == reverse("programme:action_detail", args=[action.pk])
    assert list(ActionTarget.objects.values_list("name", flat=True)) == ["裸土一"]


def test_only_hq_reaches_the_create_and_load_pages(city, login, action):
    for user in (city.leader, city.team_lead, city.unit_handler):
        client = login(user)
        assert client.get(reverse("programme:action_create")).status_code == 404
        assert client.get(reverse("programme:action_import", args=[action.pk])).status_code == 404


def test_the_unit_marks_done_with_a_photo_on_the_page_and_hq_verifies(city, login, action):
    target = ActionTarget.objects.get(name="甲区公厕")
    client = login(city.unit_handler)
    start_url = reverse("programme:target_step", args=[target.pk, "start"])
    assert client.post(start_url, {"start-version": target.version}).status_code == 400  # a before-photo is required
    response = client.post(start_url, {"start-version": target.version, "start-photos": [photo_upload("before.jpg")]})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == TargetStatus.IN_PROGRESS
    url = reverse("programme:target_step", args=[target.pk, "finish"])
    response = client.post(url, {"finish-version": target.version, "finish-note": "完工"})
    assert response.status_code == 400  # a photo is required
    response = client.post(url, {"finish-version": target.version, "finish-note": "完工",
                                 "finish-photos": [photo_upload()]})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == TargetStatus.DONE
    photo = target.photos.get(kind="after")
    assert target.photos.filter(kind="before").count() == 1
    assert client.get(reverse("programme:target_photo_thumbnail", args=[photo.pk])).status_code == 200
    assert login(city.other_district_lead).get(reverse("programme:target_photo", args=[photo.pk])).status_code == 404
    # The unit is offered no verification; HQ is.
    assert login(city.unit_handler).get(reverse("programme:target_detail", args=[target.pk])).context["forms"] == []
    client = login(city.hq)
    response = client.post(reverse("programme:target_step", args=[target.pk, "verify"]),
                           {"verify-version": target.version})
    target.refresh_from_db()
    assert target.status == TargetStatus.VERIFIED
    # A stale form: a message, nothing changed.
    response = client.post(reverse("programme:target_step", args=[target.pk, "send-back"]),
                           {"send_back-version": 1, "send_back-note": "x"}, follow=True)
    assert target.events.count() == 4  # added, started, done, verified: the stale send-back changed nothing


def test_the_export_holds_the_objects_the_reader_may_see_with_the_pages_filters(city, login, action):
    client = login(city.district_lead)
    response = client.get(reverse("campaign:list_export", args=["action_targets"]), {"action": action.pk})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]]
    assert "甲区公厕" in names and "乙区公厕" not in names


def test_the_task_home_counts_a_units_objects_to_finish_and_hqs_to_verify(city, action):
    target = ActionTarget.objects.get(name="甲区公厕")
    assert tasks_home.counts(city.unit_handler, fresh=True)["action_objects_due"] == 1
    assert tasks_home.counts(city.hq, fresh=True)["action_objects_to_verify"] == 0
    from campaign.photos import photo_store

    photo = photo_store(photo_upload(), folder="programme/actions/x")
    target = start(target, city.unit_handler)
    services.target_step(target=target, step=TargetStep.FINISH, by=city.unit_handler, photos=[photo])
    assert tasks_home.counts(city.unit_handler, fresh=True)["action_objects_due"] == 0
    assert tasks_home.counts(city.hq, fresh=True)["action_objects_to_verify"] == 1


def test_hq_picks_a_sample_point_on_the_actions_page_and_a_repeat_is_refused_with_a_message(city, login, action):
    client = login(city.hq)
    url = reverse("programme:action_pick", args=[action.pk])
    point = city.points_a[1]
    client.post(url, {"sample_point": point.pk, "target_state": "达标"})
    target = ActionTarget.objects.get(sample_point=point)
    assert (target.unit, target.deadline) == (point.responsible_unit, action.ends_on)
    response = client.post(url, {"sample_point": point.pk, "target_state": "达标"}, follow=True)
    assert ActionTarget.objects.filter(sample_point=point).count() == 1
    assert [str(m) for m in response.context["messages"]][-1] == "该对象已在本行动中。"  # staff read Chinese
    assert login(city.team_lead).post(url, {"sample_point": point.pk, "target_state": "x"}).status_code == 404


def test_the_actions_page_costs_the_same_queries_for_more_objects(city, login, action, django_assert_max_num_queries):
    client = login(city.hq)
    url = reverse("programme:action_detail", args=[action.pk])
    for number in range(30):
        add_target(city, action, name=f"公厕{number}", district=city.district_a if number % 2 else city.district_b,
                   unit=city.office_a if number % 2 else city.office_b)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.context["figures"].total.total == 32


def test_the_actions_export_button_exports_this_actions_objects_with_the_pages_filters(city, login, action):
    other = make_action(city, name="另一行动")
    add_target(city, other, name="别的对象")
    client = login(city.hq)
    page = client.get(reverse("programme:action_detail", args=[action.pk]), {"district": city.district_a.pk})
    link = re.search(r'id="export-action_targets" href="([^"]+)"', page.content.decode()).group(1).replace("&amp;", "&")
    sheet = load_workbook(io.BytesIO(b"".join(client.get(link).streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]] == ["甲区公厕"]


def test_an_empty_post_is_a_400_with_the_fields_errors(city, login, action):
    client = login(city.hq)
    for url in (reverse("programme:action_create"), reverse("programme:action_import", args=[action.pk])):
        response = client.post(url, {})
        assert response.status_code == 400, url
        assert response.context["form"].errors, url
    assert SpecialAction.objects.count() == 1


def test_wrong_filters_show_their_error_and_no_objects_never_every_object(city, login, action):
    client = login(city.hq)
    for url in (reverse("programme:target_list"), reverse("programme:action_detail", args=[action.pk])):
        response = client.get(url, {"status": "nonsense"})
        assert response.status_code == 200
        assert response.context["filterset"].errors
        assert list(response.context["page"].object_list) == []
        assert len(client.get(url, {"status": "open"}).context["page"].object_list) == 2
