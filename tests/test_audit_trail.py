"""The audit trail: sign-ins, failed sign-ins, lock-outs, role and scope changes and exports are
recorded with who, what, which scope and from where; HQ alone reads it; nobody rewrites it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from campaign.choices import AuditAction, Role
from campaign.models import AuditEntry
from campaign.services import people as people_service
from campaign.tests.factories import PASSWORD
from inspections.tests.factories import market_checklist
from ledger.tests.factories import record
from reports import services as report_services
from reports.choices import ReportKind
from reports.periods import last_finished
from reports.tests.engine_support import broker_fixture, fake_kinds_fixture  # noqa: F401 - fixtures

AUDIT = reverse("campaign:audit_list")
LOGIN = reverse("login")


def entries(action) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Sign-ins -----------------------------------------------------------------------------------


def test_signing_in_on_the_page_is_recorded_with_the_address(city, client):
    client.post(LOGIN, {"username": "district_lead", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    [entry] = entries(AuditAction.SIGN_IN)
    assert entry.actor == city.district_lead and entry.actor_name == "district_lead"
    assert entry.address == "10.1.2.3"
    assert entry.scope == str(city.district_lead.scope_label)


def test_a_failed_sign_in_is_recorded_with_the_name_typed(city, client):
    client.post(LOGIN, {"username": "district_lead", "password": "wrong"}, REMOTE_ADDR="10.1.2.4")
    client.post(LOGIN, {"username": "nobody-by-this-name", "password": "wrong"}, REMOTE_ADDR="10.1.2.4")
    known, unknown = entries(AuditAction.SIGN_IN_FAILED)
    assert known.actor == city.district_lead and known.address == "10.1.2.4"
    assert unknown.actor is None and unknown.actor_name == "nobody-by-this-name"
    assert not entries(AuditAction.SIGN_IN)


def test_a_lock_out_is_recorded(city, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(LOGIN, {"username": "inspector", "password": "wrong"}, REMOTE_ADDR="10.1.2.5")
    [locked, *_] = entries(AuditAction.LOCKED_OUT)
    assert locked.actor == city.inspector and locked.address == "10.1.2.5"


def test_getting_an_api_token_is_a_sign_in(city, client):
    response = client.post("/api/auth/token/", {"username": "leader", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200
    [entry] = entries(AuditAction.SIGN_IN)
    assert entry.actor == city.leader and entry.details == {"via": "api token"}


# --- People -------------------------------------------------------------------------------------


def test_hq_creating_a_person_records_the_role_and_scope(city, login):
    login(city.hq).post(reverse("campaign:person_create"), {
        "username": "lisi", "full_name": "李四", "role": Role.DISTRICT_LEAD, "district": city.district_b.pk,
        "password": "a-long-enough-password-42", "password_confirm": "a-long-enough-password-42",
    })
    [entry] = entries(AuditAction.PERSON_CREATED)
    assert entry.actor == city.hq and entry.target == "lisi"
    assert entry.details["after"]["role"] == Role.DISTRICT_LEAD
    assert entry.details["after"]["district_id"] == city.district_b.pk


def test_hq_changing_a_role_and_scope_records_before_and_after(city):
    people_service.person_update(person=city.district_lead, by=city.hq,
                                 data={"role": Role.DISTRICT_LEAD, "district": city.district_b})
    [entry] = entries(AuditAction.PERSON_CHANGED)
    assert entry.actor == city.hq and entry.target == "district_lead"
    assert entry.details["changed"] == {"district_id": [city.district_a.pk, city.district_b.pk]}


def test_saving_a_person_without_a_role_scope_or_access_change_records_nothing(city):
    people_service.person_update(person=city.inspector, by=city.hq, data={"phone": "13900000000"})
    assert not entries(AuditAction.PERSON_CHANGED)


def test_deactivating_in_the_admin_is_recorded(city, login):
    person = city.inspector
    page = login(city.hq).get(reverse("admin:campaign_user_change", args=[person.pk]))
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update({"role": Role.INSPECTOR, "is_active": "", "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
                 "date_joined_1": person.date_joined.strftime("%H:%M:%S")})
    data = {key: value for key, value in data.items() if not isinstance(value, list | tuple)}
    response = login(city.hq).post(reverse("admin:campaign_user_change", args=[person.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = entries(AuditAction.PERSON_CHANGED)
    assert entry.details["changed"]["is_active"] == [True, False]


# --- Exports ------------------------------------------------------------------------------------


def test_a_ledger_export_records_who_exported_which_scope_and_filters(city, login):
    record(city)
    response = login(city.district_lead).get(reverse("ledger:problem_export"), {"status": "found"})
    assert response.status_code == 200
    [entry] = entries(AuditAction.EXPORT)
    assert entry.actor == city.district_lead and entry.target == "ledger"
    assert entry.scope == str(city.district_lead.scope_label)
    assert entry.details == {"filters": {"status": ["found"]}, "delivery": "direct", "format": "xlsx"}


def test_an_export_behind_a_trusted_proxy_records_the_clients_address_not_the_proxys(city, login, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    record(city)
    response = login(city.district_lead).get(reverse("ledger:problem_export"), {"status": "found"},
                                             REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 200
    [entry] = entries(AuditAction.EXPORT)
    assert entry.address == "198.51.100.7"


def test_a_ledger_export_through_the_api_is_recorded(city, login):
    record(city)
    response = login(city.team_lead).get("/api/problems/export/")
    assert response.status_code == 200
    [entry] = entries(AuditAction.EXPORT)
    assert entry.actor == city.team_lead and entry.details["via"] == "api"


def test_a_background_ledger_export_is_recorded_when_asked_and_when_downloaded(city, login, settings, monkeypatch):
    from ledger import tasks
    from ledger.models import LedgerExport

    settings.LEDGER_EXPORT_BACKGROUND_ROWS = 1
    monkeypatch.setattr(tasks.ledger_export_run, "delay", lambda export_id: None)
    record(city)
    record(city, point=city.points_a[1])
    client = login(city.hq)
    assert client.get(reverse("ledger:problem_export")).status_code == 302
    export = LedgerExport.objects.get()
    tasks.ledger_export_run(export.pk)
    assert client.get(reverse("ledger:export_download", args=[export.pk])).status_code == 200
    asked, downloaded = entries(AuditAction.EXPORT)
    assert asked.details["delivery"] == "background" and downloaded.details["delivery"] == "download"
    assert asked.target == downloaded.target == f"ledger export #{export.pk}"


def test_a_checklist_export_is_recorded(city, login):
    market_checklist(city)
    response = login(city.inspector).get(f"/inspections/checklists/{city.market.pk}/export.xlsx")
    assert response.status_code == 200
    [entry] = entries(AuditAction.EXPORT)
    assert entry.actor == city.inspector and entry.target == "checklist MKT v1"


@pytest.mark.usefixtures("fake_kinds")
def test_a_report_download_is_recorded_on_the_page_and_the_api(city, login, broker):
    kind = ReportKind.WEEKLY_ASSIGNMENT
    report = report_services.report_request(kind=kind, period_start=last_finished(kind).start, requested_by=city.hq)
    report_services.report_run(report_id=report.pk)
    client = login(city.leader)
    assert client.get(reverse("reports:report_download", args=[report.pk])).status_code == 200
    assert client.get(f"/api/reports/{report.pk}/download/").status_code == 200
    page, api = entries(AuditAction.EXPORT)
    assert page.actor == api.actor == city.leader
    assert page.target == api.target == f"report #{report.pk}"


# --- Reading it ---------------------------------------------------------------------------------


def test_hq_reads_the_trail_filtered_by_action_and_person(city, login, client):
    client.post(LOGIN, {"username": "district_lead", "password": "wrong"})
    client.post(LOGIN, {"username": "leader", "password": "wrong"})
    response = login(city.hq).get(AUDIT, {"action": AuditAction.SIGN_IN_FAILED, "person": "district"},
                                  HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    shown = list(response.context["page"].object_list)
    assert [entry.actor_name for entry in shown] == ["district_lead"]
    assert "Sign-in failed" in response.content.decode()


def test_the_trail_page_is_in_chinese_for_chinese_readers(city, login, client):
    client.post(LOGIN, {"username": "leader", "password": "wrong"})
    response = login(city.hq).get(AUDIT, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "审计记录" in response.content.decode()


def test_the_trail_is_paginated(city, login):
    from campaign.services.audit import audit_record

    for _ in range(51):
        audit_record(action=AuditAction.EXPORT, actor=city.hq, target="ledger")
    response = login(city.hq).get(AUDIT)
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].has_next()


def test_anonymous_readers_of_the_trail_are_sent_to_sign_in(client, db):
    response = client.get(AUDIT)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("role", ["leader", "team_lead", "district_lead", "unit_handler", "inspector", "public"])
def test_only_hq_reads_the_trail(city, login, role):
    assert login(city.users[role]).get(AUDIT).status_code == 404


def test_the_trail_is_read_only_in_the_admin(city, login):
    client = login(city.hq)
    entry = AuditEntry.objects.create(action=AuditAction.EXPORT, actor_name="hq", target="ledger")
    assert client.get(reverse("admin:campaign_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:campaign_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:campaign_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert login(city.leader).get(reverse("admin:campaign_auditentry_changelist")).status_code == 302
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.postgres
def test_the_database_refuses_to_rewrite_or_delete_the_trail(city):
    entry = AuditEntry.objects.create(action=AuditAction.EXPORT, actor_name="hq", target="ledger")
    for sql in ("UPDATE campaign_auditentry SET target = 'nothing' WHERE id = %s",
                "DELETE FROM campaign_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.target == "ledger"
