"""A problem's page: who may open it, the actions it offers, and what each action does."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ledger import services
from ledger.choices import Action, Status
from ledger.models import Problem
from ledger.rules import allowed_actions, refusal
from ledger.tests.factories import jpeg_upload, problem_in, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def page(problem) -> str:
    return f"/ledger/problems/{problem.pk}/"


def act(problem, action: str) -> str:
    return f"/ledger/problems/{problem.pk}/{action.replace('_', '-')}/"


def offered(response) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', response.content.decode()))


def fields(action: str, problem, **values) -> dict:
    return {f"{action}-version": problem.version, **{f"{action}-{k}": v for k, v in values.items()}}


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def snapshot(problem) -> tuple:
    fresh = Problem.objects.get(pk=problem.pk)
    return fresh.status, fresh.version, fresh.events.count(), fresh.photos.count()


# --- Who may open it ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, city):
    response = client.get(page(record(city)))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_member_of_the_public_may_not_open_a_problem(city, login):
    assert login(city.public).get(page(record(city))).status_code == 403


def test_other_district_lead_gets_404(city, login):
    assert login(city.other_district_lead).get(page(record(city))).status_code == 404


def test_other_district_lead_cannot_act_on_it_either(city, login):
    problem = record(city)
    response = login(city.other_district_lead).post(
        act(problem, "assign"), fields("assign", problem, unit=city.office_b.pk)
    )
    assert response.status_code == 404
    assert Problem.objects.get(pk=problem.pk).status == Status.FOUND


def test_unit_handler_of_another_unit_gets_404(city, login):
    problem = record(city, point=city.points_b[0], by=city.hq)
    assert login(city.unit_handler).get(page(problem)).status_code == 404


def test_page_shows_fields_links_photos_and_the_timeline(city, login):
    problem = problem_in(city, Status.CLOSED)
    html = login(city.district_lead).get(page(problem)).content.decode()
    assert problem.code in html and "活禽宰杀区未封闭" in html
    assert f"/sample-points/{city.points_a[0].pk}/" in html
    photo = problem.photos.get()
    assert f'href="/ledger/photos/{photo.pk}/"' in html
    assert f'src="/ledger/photos/{photo.pk}/thumb/"' in html
    assert re.findall(r'data-event="([a-z_]+)"', html) == ["record", "assign", "acknowledge", "apply_close", "approve"]
    assert "已封闭并清洗" in html  # the rectification note, on the page and in the timeline


def test_page_links_a_rebound_and_its_original(city, login):
    original = problem_in(city, Status.CLOSED)
    rebound = services.problem_record_rebound(original=original, by=city.inspector, description="又出现")
    client = login(city.district_lead)
    assert page(rebound) in client.get(page(original)).content.decode()
    assert page(original) in client.get(page(rebound)).content.decode()


# --- Which actions it offers ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [s for s in Status.values])
@pytest.mark.parametrize("actor", ["hq", "leader", "team_lead", "district_lead", "unit_handler", "inspector"])
def test_the_page_offers_exactly_the_allowed_actions(city, login, status, actor):
    problem = problem_in(city, status)
    user = getattr(city, actor)
    response = login(user).get(page(problem))
    assert response.status_code == 200
    expected = set(allowed_actions(problem, user))
    if refusal(Action.CLASSIFY, problem, user) is None:
        expected.add(Action.CLASSIFY)
    assert offered(response) == expected


def test_apply_close_form_offers_the_camera_and_the_gallery(city, login):
    problem = problem_in(city, Status.RECTIFYING)
    html = login(city.unit_handler).get(page(problem)).content.decode()
    camera, gallery = re.findall(r'<input[^>]*name="apply_close-photos"[^>]*>', html)
    assert all('accept="image/*"' in tag and "multiple" in tag for tag in (camera, gallery))
    assert 'capture="environment"' in camera
    assert "capture" not in gallery  # a phone offers its photo library here
    assert "required" not in camera and "required" not in gallery  # either one will do
    assert 'enctype="multipart/form-data"' in html


def test_assign_form_offers_only_visible_units_and_a_default_deadline(city, login, settings):
    problem = record(city, severity="urgent")
    html = login(city.district_lead).get(page(problem)).content.decode()
    assert "乙街道办" not in html
    deadline = timezone.localdate() + timezone.timedelta(days=settings.LEDGER_DEADLINE_DAYS["urgent"])
    assert f'value="{deadline.isoformat()}"' in html


# --- What the actions do --------------------------------------------------------------------------


def test_district_lead_assigns_a_problem_to_a_unit(city, login):
    problem = record(city)
    deadline = timezone.localdate() + timezone.timedelta(days=5)
    response = login(city.district_lead).post(
        act(problem, "assign"), fields("assign", problem, unit=city.office_a.pk, deadline=deadline.isoformat())
    )
    assert response.status_code == 302 and response["Location"] == page(problem)
    problem.refresh_from_db()
    assert (problem.status, problem.responsible_unit, problem.deadline) == (Status.ASSIGNED, city.office_a, deadline)


def test_unit_handler_acknowledges_then_applies_to_close_with_a_photo(city, login):
    problem = problem_in(city, Status.ASSIGNED)
    client = login(city.unit_handler)
    client.post(act(problem, "acknowledge"), fields("acknowledge", problem, note="收到"))
    problem.refresh_from_db()
    assert problem.status == Status.RECTIFYING
    response = client.post(act(problem, "apply_close"), fields(
        "apply_close", problem, note="已清理", photos=[jpeg_upload("a.jpg"), jpeg_upload("b.jpg")]
    ))
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == Status.CLOSING_APPLIED
    assert problem.photos.filter(kind="after").count() == 2
    assert problem.events.order_by("-seq").first().photos.count() == 2


def test_district_lead_verifies_and_closes(city, login):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    login(city.district_lead).post(act(problem, "approve"), fields("approve", problem, note="现场核实"))
    problem.refresh_from_db()
    assert problem.status == Status.CLOSED and problem.closed_at


def test_rejecting_needs_a_reason_and_sends_it_back(city, login):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    client = login(city.district_lead)
    response = client.post(act(problem, "reject"), fields("reject", problem, note=""))
    assert response.status_code == 400
    assert Problem.objects.get(pk=problem.pk).status == Status.CLOSING_APPLIED
    client.post(act(problem, "reject"), fields("reject", problem, note="照片不清晰"))
    problem.refresh_from_db()
    assert (problem.status, problem.last_rejection_reason) == (Status.RECTIFYING, "照片不清晰")


def test_invalidating_as_a_duplicate_links_the_original(city, login):
    original = record(city)
    copy = record(city)
    login(city.district_lead).post(
        act(copy, "invalidate"), fields("invalidate", copy, reason="重复", duplicate_of=original.code)
    )
    copy.refresh_from_db()
    assert (copy.status, copy.duplicate_of) == (Status.INVALID, original)


def test_a_duplicate_of_an_unknown_code_is_a_form_error(city, login):
    problem = record(city)
    response = login(city.district_lead).post(
        act(problem, "invalidate"), fields("invalidate", problem, reason="重复", duplicate_of="2000-999999")
    )
    assert response.status_code == 400
    assert "No problem with code 2000-999999" in response.content.decode()
    assert Problem.objects.get(pk=problem.pk).status == Status.FOUND


def test_recording_a_rebound_opens_a_new_linked_problem(city, login):
    original = problem_in(city, Status.CLOSED)
    response = login(city.inspector).post(
        act(original, "rebound"), fields("rebound", original, description="又有活禽", photos=[jpeg_upload()])
    )
    rebound = Problem.objects.get(rebound_of=original)
    assert response["Location"] == page(rebound)
    assert rebound.photos.filter(kind="before").count() == 1


# --- Refusals ---------------------------------------------------------------------------------------


def test_a_stale_version_shows_the_conflict_and_changes_nothing(city, login):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    seen_version = problem.version
    services.problem_verify(problem=problem, approved=False, note="先驳回", by=city.hq)  # someone else, meanwhile
    before = snapshot(problem)
    response = login(city.district_lead).post(
        act(problem, "approve"), {"approve-version": seen_version, "approve-note": "ok"}
    )
    assert response.status_code == 302 and response["Location"] == page(problem)
    assert any("changed problem" in m for m in flashed(response))
    assert snapshot(problem) == before


def test_a_stale_apply_close_stores_no_photo(city, login, tmp_path):
    problem = problem_in(city, Status.RECTIFYING)
    stale = problem.version
    services.problem_assign(problem=problem, unit=city.office_a, by=city.hq)  # reassigned meanwhile
    files_before = sorted(tmp_path.rglob("*.jpg"))
    login(city.unit_handler).post(act(problem, "apply_close"), {
        "apply_close-version": stale, "apply_close-note": "已清理", "apply_close-photos": [jpeg_upload()],
    })
    assert Problem.objects.get(pk=problem.pk).status == Status.ASSIGNED
    assert sorted(tmp_path.rglob("*.jpg")) == files_before


def test_an_illegal_move_is_refused_with_a_message(city, login):
    problem = problem_in(city, Status.CLOSED)
    before = snapshot(problem)
    response = login(city.hq).post(act(problem, "acknowledge"), fields("acknowledge", problem))
    assert response.status_code == 302
    assert any("cannot be" in m for m in flashed(response))
    assert snapshot(problem) == before


def test_unit_handler_may_not_verify_their_own_closing(city, login):
    problem = problem_in(city, Status.CLOSING_APPLIED)
    response = login(city.unit_handler).post(act(problem, "approve"), fields("approve", problem))
    assert response.status_code == 403
    assert Problem.objects.get(pk=problem.pk).status == Status.CLOSING_APPLIED


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_changes(city, login):
    problem = problem_in(city, Status.RECTIFYING)
    before = snapshot(problem)
    fake = SimpleUploadedFile("after.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = login(city.unit_handler).post(
        act(problem, "apply_close"), fields("apply_close", problem, note="已清理", photos=[fake])
    )
    assert response.status_code == 400
    assert "after.jpg is not a picture" in response.content.decode()
    assert snapshot(problem) == before


def test_apply_close_without_a_photo_is_a_form_error(city, login):
    problem = problem_in(city, Status.RECTIFYING)
    before = snapshot(problem)
    response = login(city.unit_handler).post(act(problem, "apply_close"), fields("apply_close", problem, note="x"))
    assert response.status_code == 400
    assert snapshot(problem) == before


def test_a_post_without_the_version_changes_nothing(city, login):
    problem = record(city)
    before = snapshot(problem)
    response = login(city.district_lead).post(act(problem, "assign"), {"assign-unit": city.office_a.pk})
    assert response.status_code == 302
    assert snapshot(problem) == before


def test_an_unknown_action_is_404(city, login):
    problem = record(city)
    assert login(city.hq).post(act(problem, "delete"), {"delete-version": 1}).status_code == 404


def test_actions_need_post(city, login):
    problem = record(city)
    assert login(city.hq).get(act(problem, "assign")).status_code == 405
