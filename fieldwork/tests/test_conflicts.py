"""What a phone's queue is told when the world moved while it was offline: 409 with a stable code
(checklist_replaced with the new checklist, round_point_reassigned, the ledger's conflict)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.choices import Role
from campaign.tests.factories import make_user
from inspections import services as inspections
from inspections.choices import InspectionKind
from inspections.models import Inspection
from inspections.tests.factories import MARKET_ITEMS, market_checklist
from ledger.choices import Status
from ledger.tests.api_support import client_for
from ledger.tests.factories import jpeg_upload, problem_in

START = "/api/inspections/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def other_inspector(city):
    return make_user("other_inspector", Role.INSPECTOR, district=city.district_a)


def drawn_round(city, inspectors):
    today = timezone.localdate()
    inspection_round = inspections.round_create(
        name="暗访", kind=InspectionKind.UNANNOUNCED, starts_on=today, ends_on=today + timedelta(days=6),
        quotas={city.market: 2}, by=city.hq)
    inspections.round_draw(inspection_round=inspection_round, by=city.hq, seed=1)
    inspections.round_assign(inspection_round=inspection_round, inspectors=inspectors, by=city.hq)
    return inspection_round


def start(user, round_point, **extra):
    return client_for(user).post(START, {"round_point": round_point.pk, **extra}, format="json")


def test_a_start_on_a_replaced_checklist_is_409_with_the_new_checklist(city):
    old = market_checklist(city)
    inspection_round = drawn_round(city, [city.inspector])
    point = inspection_round.points.first()
    # A used version is kept: HQ's revision makes a new one.
    inspections.inspection_start(sample_point=city.points_b[0], kind="routine", by=city.hq)
    new = inspections.checklist_revise(category=city.market, items=[*MARKET_ITEMS, {
        "code": "M06", "text_zh": "公示牌完好", "text_en": "Notice board in place", "points": 2}], by=city.hq)
    assert new.pk != old.pk
    refused = start(city.inspector, point, checklist_version=old.pk)
    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert body["code"] == "checklist_replaced"
    assert "new version" in body["detail"]
    assert body["checklist"]["version"] == new.pk
    assert [item["code"] for item in body["checklist"]["items"]] == ["M01", "M02", "M03", "M04", "M05", "M06"]
    assert not Inspection.objects.filter(round_point=point).exists()
    # On the current version it starts; the phone's copy was stale, not its person.
    started = start(city.inspector, point, checklist_version=new.pk)
    assert started.status_code == 201
    assert Inspection.objects.get(round_point=point).checklist_version == new


def test_resuming_a_draft_keeps_its_version_whatever_the_phone_names(city):
    old = market_checklist(city)
    point = drawn_round(city, [city.inspector]).points.first()
    draft = inspections.inspection_start(sample_point=point.sample_point, kind="unannounced", by=city.inspector,
                                         round_point=point)
    inspections.checklist_revise(category=city.market, items=MARKET_ITEMS[:3], by=city.hq)
    resumed = start(city.inspector, point, checklist_version=old.pk)
    assert resumed.status_code == 200 and resumed.json()["id"] == draft.pk


def test_without_a_version_named_the_start_is_as_before(city):
    market_checklist(city)
    point = drawn_round(city, [city.inspector]).points.first()
    assert start(city.inspector, point).status_code == 201


def test_a_round_point_given_to_someone_else_is_409_round_point_reassigned(city, other_inspector):
    market_checklist(city)
    inspection_round = drawn_round(city, [city.inspector, other_inspector])
    mine = inspection_round.points.get(inspector=city.inspector)
    inspections.round_point_reassign(round_point=mine, inspector=other_inspector, by=city.hq)
    # Both points are now the other's, so the round is out of the inspector's sight: the answer
    # is still the conflict, not "no such point".
    refused = start(city.inspector, mine)
    assert refused.status_code == 409, refused.content
    assert refused.json()["code"] == "round_point_reassigned"
    assert not Inspection.objects.filter(round_point=mine).exists()


def test_a_reassigned_point_in_a_round_still_seen_is_409_too(city, other_inspector):
    market_checklist(city)
    inspection_round = drawn_round(city, [city.inspector, other_inspector])
    theirs = inspection_round.points.get(inspector=other_inspector)
    refused = start(city.inspector, theirs)
    assert refused.status_code == 409 and refused.json()["code"] == "round_point_reassigned"


def test_a_missing_round_point_stays_a_400(city):
    market_checklist(city)
    refused = client_for(city.inspector).post(START, {"round_point": 999999}, format="json")
    assert refused.status_code == 400 and "round_point" in refused.json()


def test_the_ledgers_409_has_a_stable_code(city):
    problem = problem_in(city, Status.RECTIFYING)
    client = client_for(city.unit_handler)
    url = reverse("problem-apply-close", args=[problem.pk])
    stale = client.post(url, {"note": "已整改", "version": problem.version - 1, "photos": [jpeg_upload()]})
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict" and stale.json()["detail"]
    ack = client.post(reverse("problem-acknowledge", args=[problem.pk]), {"note": "", "version": problem.version},
                      format="json")
    assert ack.status_code == 409 and ack.json()["code"] == "conflict"
