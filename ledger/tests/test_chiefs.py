"""Grid and road chiefs (网格长, 路长) and the grid and road a problem carries.

A problem takes its grid and road from its sample point, or as chosen when it is recorded (in
the problem's district, in the recorder's write scope: a 400 naming the field otherwise). A
chief reads exactly their cell's problems (404 outside) and writes nothing. Every field still
follows from the events (verify_ledger), on SQLite and PostgreSQL alike."""

import importlib
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from campaign.models import SamplePoint
from campaign.tests.factories import make_user
from campaign.write_scope import OutOfScope
from ledger import services
from ledger.choices import Action, Source, Status
from ledger.integrity import ledger_findings
from ledger.models import Problem
from ledger.tests.api_support import action_url, client_for, problem_url, problems_url
from ledger.tests.factories import problem_in, record, stored_photo
from ledger.tests.test_integrity import rechain, tamper, verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LEDGER_FINGERPRINT_DIR = tmp_path / "fingerprints"


@pytest.fixture
def problems(city):
    """One problem at each point of the test city: A's market (grid A), A's restaurant (road A),
    B's market and B's restaurant (neither)."""
    return {
        "grid_a": record(city, point=city.points_a[0]),
        "road_a": record(city, point=city.points_a[1]),
        "b_market": record(city, point=city.points_b[0]),
        "b_restaurant": record(city, point=city.points_b[1]),
    }


# --- Where a problem lies ----------------------------------------------------------------------


def test_a_problem_takes_its_grid_and_road_from_its_sample_point(city, problems):
    assert (problems["grid_a"].grid, problems["grid_a"].road) == (city.grid_a, None)
    assert (problems["road_a"].grid, problems["road_a"].road) == (None, city.road_a)
    assert problems["b_market"].grid is None and problems["b_market"].road is None
    record_fields = problems["grid_a"].events.get(seq=1).data["fields"]
    assert (record_fields["grid"], record_fields["road"]) == (city.grid_a.pk, None)


def test_a_grid_and_road_chosen_when_recording_are_kept(city):
    problem = services.problem_record(by=city.district_lead, category=city.standard, district=city.district_a,
                                      grid=city.grid_a, road=city.road_a, description="路面积水",
                                      source=Source.ROUTINE_SUPERVISION)
    assert (problem.grid, problem.road) == (city.grid_a, city.road_a)


def test_a_grid_of_another_district_is_refused_naming_the_field(city):
    with pytest.raises(OutOfScope) as refused:
        services.problem_record(by=city.hq, category=city.standard, district=city.district_a, grid=city.grid_b,
                                description="路面积水", source=Source.ROUTINE_SUPERVISION)
    assert list(refused.value.message_dict) == ["grid"]
    assert not Problem.objects.exists()


def test_the_api_refuses_a_road_of_another_district_with_a_400_naming_it(city):
    payload = {"description": "路面积水", "source": Source.ROUTINE_SUPERVISION, "category": city.market.pk,
               "sample_point": city.points_a[0].pk, "road": city.road_b.pk}
    response = client_for(city.hq).post(problems_url(), payload, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["road"]
    assert "another district" in response.json()["road"][0]


def test_the_record_form_refuses_a_grid_of_another_district_on_its_field(city, login):
    client = login(city.hq)
    response = client.post(reverse("ledger:problem_record"), {
        "category": city.standard.pk, "district": city.district_a.pk, "grid": city.grid_b.pk,
        "description": "路面积水", "source": Source.ROUTINE_SUPERVISION, "severity": "general"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["grid"]
    response = client.post(reverse("ledger:problem_record"), {
        "category": city.standard.pk, "district": city.district_a.pk, "grid": city.grid_a.pk,
        "road": city.road_a.pk, "description": "路面积水", "source": Source.ROUTINE_SUPERVISION,
        "severity": "general"})
    assert response.status_code == 302
    assert (Problem.objects.get().grid, Problem.objects.get().road) == (city.grid_a, city.road_a)


def test_without_a_point_the_grid_is_asked_of_the_coordinates(city, monkeypatch):
    """The one hook the map's boundaries answer (campaign.geo.grid_for_point)."""
    asked = []

    def grid_for_point(latitude, longitude):
        asked.append((str(latitude), str(longitude)))
        return city.grid_a

    monkeypatch.setattr("ledger.services.grid_for_point", grid_for_point)
    inside = services.problem_record(by=city.hq, category=city.standard, district=city.district_a,
                                     latitude="30.91", longitude="121.46", description="垃圾",
                                     source=Source.ROUTINE_SUPERVISION)
    elsewhere = services.problem_record(by=city.hq, category=city.standard, district=city.district_b,
                                        latitude="30.91", longitude="121.46", description="垃圾",
                                        source=Source.ROUTINE_SUPERVISION)
    assert asked == [("30.91", "121.46")] * 2
    assert inside.grid == city.grid_a
    assert elsewhere.grid is None  # a cell of another district is never taken


def test_a_rebound_keeps_the_grid_and_road_of_the_closed_problem(city):
    closed = problem_in(city, Status.CLOSED)
    rebound = services.problem_record_rebound(original=closed, by=city.inspector, description="又脏了")
    assert rebound.grid == city.grid_a


def test_locating_a_problem_is_an_event_in_scope_and_district(city, problems):
    problem = problems["b_market"]
    with pytest.raises(OutOfScope) as refused:
        services.problem_locate(problem=problem, grid=city.grid_a, road=None, by=city.hq)
    assert list(refused.value.message_dict) == ["grid"]
    with pytest.raises(OutOfScope):
        services.problem_locate(problem=problem, grid=city.grid_b, road=None, by=city.district_lead)

    located = services.problem_locate(problem=problem, grid=city.grid_b, road=city.road_b, by=city.other_district_lead)

    assert (located.grid, located.road) == (city.grid_b, city.road_b)
    event = located.events.order_by("-seq").first()
    assert event.action == Action.LOCATE
    assert event.data["fields"] == {"grid": city.grid_b.pk, "road": city.road_b.pk}
    assert ledger_findings() == []


# --- What a chief sees -------------------------------------------------------------------------


@pytest.mark.parametrize(("chief", "cell"), [("grid_chief", "grid_a"), ("road_chief", "road_a")])
def test_a_chief_sees_exactly_their_cells_problems_and_points(city, problems, login, chief, cell):
    user = getattr(city, chief)
    assert set(Problem.objects.visible_to(user)) == {problems[cell]}
    point = problems[cell].sample_point
    assert list(SamplePoint.objects.visible_to(user)) == [point]

    client = login(user)
    page = client.get(reverse("ledger:problem_list"))
    assert page.status_code == 200
    assert problems[cell].code in page.text
    assert all(problems[other].code not in page.text for other in problems if other != cell)
    assert client.get(reverse("ledger:problem_detail", args=[problems[cell].pk])).status_code == 200
    for other in problems:
        if other != cell:
            assert client.get(reverse("ledger:problem_detail", args=[problems[other].pk])).status_code == 404
            assert client_for(user).get(problem_url(problems[other])).status_code == 404
    listed = client_for(user).get(problems_url()).json()["results"]
    assert [row["code"] for row in listed] == [problems[cell].code]
    assert listed[0]["grid" if cell == "grid_a" else "road"] == getattr(city, cell).pk


def test_a_chiefs_export_holds_only_their_cells_problems(city, problems, login):
    response = login(city.grid_chief).get(reverse("ledger:problem_export"), {"format": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert problems["grid_a"].code in content
    assert all(problems[other].code not in content for other in ("road_a", "b_market", "b_restaurant"))


def test_the_ledger_filters_by_grid_and_road(city, problems):
    client = client_for(city.hq)
    by_grid = client.get(problems_url(), {"grid": city.grid_a.pk}).json()["results"]
    by_road = client.get(problems_url(), {"road": city.road_a.pk}).json()["results"]
    assert [row["code"] for row in by_grid] == [problems["grid_a"].code]
    assert [row["code"] for row in by_road] == [problems["road_a"].code]


def test_a_chief_without_a_cell_sees_nothing(city, problems):
    lost = make_user("lost_chief", "grid_chief")
    assert not Problem.objects.visible_to(lost).exists()
    assert not SamplePoint.objects.visible_to(lost).exists()


def test_grid_chief_users_are_linked_to_their_cell(city):
    make_user("former_chief", "grid_chief", grid=city.grid_a, is_active=False)
    make_user("inspector_with_grid", "inspector", grid=city.grid_a)
    assert list(city.grid_a.chief_users()) == [city.grid_chief]
    assert list(city.road_a.chief_users()) == [city.road_chief]
    assert city.grid_chief.scope_label == "甲一网格"


# --- What a chief may write: nothing -------------------------------------------------------------


@pytest.mark.parametrize("chief", ["grid_chief", "road_chief"])
def test_a_chief_may_not_record_or_act(city, problems, login, chief):
    user = getattr(city, chief)
    payload = {"description": "x", "source": Source.ROUTINE_SUPERVISION, "category": city.market.pk,
               "sample_point": city.points_a[0].pk}
    assert client_for(user).post(problems_url(), payload, format="json").status_code == 403
    client = login(user)
    assert client.get(reverse("ledger:problem_record")).status_code == 403
    mine = problems["grid_a" if chief == "grid_chief" else "road_a"]
    response = client_for(user).post(action_url(mine, "assign"), {"unit": city.office_a.pk}, format="json")
    assert response.status_code == 403
    page = client.post(reverse("ledger:problem_act", args=[mine.pk, "assign"]),
                       {"assign-version": mine.version, "assign-unit": city.office_a.pk})
    assert page.status_code == 403
    mine.refresh_from_db()
    assert mine.status == Status.FOUND
    with pytest.raises(OutOfScope):
        services.problem_locate(problem=mine, grid=city.grid_a, road=city.road_a, by=user)


# --- The ledger's integrity with the new fields ----------------------------------------------------


def test_a_grid_written_into_the_row_without_an_event_is_reported(city, problems, capsys):
    problem = problems["b_market"]
    Problem.objects.filter(pk=problem.pk).update(grid=city.grid_b)
    intact, _out, err = verify(capsys)
    assert not intact
    assert f"grid is {city.grid_b.pk!r} in the row but None by its events" in err


def test_a_history_written_before_problems_had_a_grid_rebuilds_them_empty(city, problems, capsys):
    """Events recorded before the fields existed do not name them: missing means empty."""
    problem = problems["b_market"]

    def forget_the_new_fields(event):
        for name in ("grid", "road"):
            (event.data.get("fields") or {}).pop(name, None)

    rechain(problem, change=forget_the_new_fields)
    assert "grid" not in problem.events.get(seq=1).data["fields"]
    assert verify(capsys)[0]
    Problem.objects.filter(pk=problem.pk).update(road=city.road_b)
    assert not verify(capsys)[0]


def test_the_migration_places_existing_problems_through_an_event_and_the_ledger_stays_intact(city, capsys):
    """Migration 0011: problems recorded before their points had a grid or road (or before
    problems carried them) get them in one appended ``locate`` event, so verify_ledger passes."""
    old = services.problem_assign(problem=record(city, point=city.points_b[0]), unit=city.office_b, by=city.hq)
    legacy = record(city, point=city.points_b[1])
    rechain(legacy, change=lambda event: event.data["fields"].pop("grid"))  # recorded before the field
    SamplePoint.objects.filter(pk=city.points_b[0].pk).update(grid=city.grid_b, road=city.road_b)
    SamplePoint.objects.filter(pk=city.points_b[1].pk).update(grid=city.grid_b)
    call_command("ledger_fingerprint")
    versions = {p.pk: p.version for p in Problem.objects.all()}

    migration = importlib.import_module("ledger.migrations.0012_problem_grid_and_road_from_sample_points")
    migration.forward(apps, None)

    old.refresh_from_db()
    legacy.refresh_from_db()
    assert (old.grid, old.road, old.status) == (city.grid_b, city.road_b, Status.ASSIGNED)
    assert (legacy.grid, legacy.road) == (city.grid_b, None)
    assert old.version == versions[old.pk] + 1
    event = old.events.order_by("-seq").first()
    assert (event.action, event.actor, event.data["by"]) == (Action.LOCATE, old.events.get(seq=1).actor,
                                                             "migration ledger.0011")
    assert {p.pk: p.version for p in Problem.objects.exclude(pk__in=[old.pk, legacy.pk])} == {
        pk: v for pk, v in versions.items() if pk not in (old.pk, legacy.pk)}
    intact, out, err = verify(capsys)
    assert intact, err
    # Run again: nothing more to place, nothing appended.
    migration.forward(apps, None)
    old.refresh_from_db()
    assert old.version == versions[old.pk] + 1


def test_tampering_with_the_placing_event_is_caught(city, capsys):
    problem = record(city, point=city.points_b[0])
    SamplePoint.objects.filter(pk=city.points_b[0].pk).update(grid=city.grid_b)
    importlib.import_module("ledger.migrations.0012_problem_grid_and_road_from_sample_points").forward(apps, None)
    event = problem.events.get(action=Action.LOCATE)
    tamper("UPDATE ledger_problemevent SET data = %s WHERE id = %s",
           ['{"fields": {"grid": null, "road": null}}', event.pk])
    assert not verify(capsys)[0]


# --- Chiefs hear of their cell's problems ------------------------------------------------------------


def test_the_chiefs_of_a_problems_cell_are_told_with_its_unit(city):
    import datetime as dt

    from django.utils import timezone

    from ledger.notifications import deadline_reminders
    from notifications.models import Notification

    def told(event):
        return set(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))

    in_grid = problem_in(city, Status.ASSIGNED)  # A's market: grid A
    on_road = services.problem_assign(problem=record(city, point=city.points_a[1]), unit=city.office_a,
                                      by=city.district_lead)
    assert told("problem.assigned") == {"unit_handler", "grid_chief", "road_chief"}
    assert set(Notification.objects.filter(recipient=city.grid_chief).values_list("about_id", flat=True)) == {
        in_grid.pk}
    services.problem_acknowledge(problem=on_road, by=city.unit_handler)
    on_road = services.problem_apply_close(problem=Problem.objects.get(pk=on_road.pk), note="已清理",
                                           photos=[stored_photo(on_road.pk)], by=city.unit_handler)
    assert "road_chief" not in told("problem.closing_applied")  # verifying is not a chief's work
    services.problem_verify(problem=on_road, approved=False, note="未到位", by=city.district_lead)
    assert told("problem.closing_rejected") == {"unit_handler", "road_chief"}
    Problem.objects.filter(pk=in_grid.pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    deadline_reminders()
    assert told("problem.overdue") == {"unit_handler", "grid_chief"}



# --- The ledger import and export ------------------------------------------------------------------


def test_an_import_row_names_its_grid_and_road_in_its_district_and_the_export_gives_them_back(city, settings):
    from django.utils import translation

    from ledger.tests.excel_helpers import EN, ledger_row, read_rows, xlsx_bytes
    from ledger.transfer import services as transfer
    from ledger.transfer.export import write_ledger
    from ledger.transfer.planning import build_plan

    with translation.override("en"):
        data = xlsx_bytes([EN,
                           ledger_row(description="甲路积水", grid="甲一网格", road="甲路"),
                           ledger_row(description="点位的网格", sample_point="甲农贸市场"),
                           ledger_row(description="别区的网格", grid="乙一网格")])
        plan = build_plan(data, user=city.hq)
        assert [(e["row"], e["column"], e["value"]) for e in plan.errors] == [(4, "Grid", "乙一网格")]
        data = xlsx_bytes([EN, ledger_row(description="甲路积水", grid="A-G1", road="甲路"),
                           ledger_row(description="点位的网格", sample_point="甲农贸市场")])
        upload, plan = transfer.ledger_import_preview(user=city.hq, file_name="old.xlsx", data=data)
        assert plan.errors == []
        transfer.ledger_import_confirm(user=city.hq, record=upload, run_now=True)
    chosen, from_point = Problem.objects.get(description="甲路积水"), Problem.objects.get(description="点位的网格")
    assert (chosen.grid, chosen.road) == (city.grid_a, city.road_a)
    assert (from_point.grid, from_point.road) == (city.grid_a, None)
    assert ledger_findings() == []
    assert set(Problem.objects.visible_to(city.grid_chief)) == {chosen, from_point}
    assert list(Problem.objects.visible_to(city.road_chief)) == [chosen]

    import io

    out = io.BytesIO()
    write_ledger(Problem.objects.filter(pk=chosen.pk), out, language="en")
    header, row = [r for r in read_rows(out.getvalue()) if any(r)][-2:]
    assert (row[header.index("Grid")], row[header.index("Road")]) == ("A-G1", "甲路")


def test_a_problem_recorded_by_its_coordinates_lies_in_the_uploaded_grid(city):
    """No sample point: the grid whose boundary HQ uploaded (the map's GeoJSON) places it."""
    from campaign.services.boundaries import boundaries_upload

    ring = [[121.40, 30.85], [121.50, 30.85], [121.50, 30.95], [121.40, 30.95], [121.40, 30.85]]
    boundaries_upload(kind="grid", by=city.hq, match_by="code", data=json.dumps({
        "type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {"code": city.grid_a.code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }],
    }).encode())
    inside = services.problem_record(by=city.hq, category=city.standard, district=city.district_a,
                                     latitude="30.90", longitude="121.45", description="垃圾",
                                     source=Source.ROUTINE_SUPERVISION)
    outside = services.problem_record(by=city.hq, category=city.standard, district=city.district_a,
                                      latitude="30.99", longitude="121.45", description="垃圾",
                                      source=Source.ROUTINE_SUPERVISION)
    assert (inside.grid, outside.grid) == (city.grid_a, None)
    assert inside.events.get(action="record").data["fields"]["grid"] == city.grid_a.pk
