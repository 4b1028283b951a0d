"""Phones for field work: registering one, HQ cutting a lost one off (its requests refused with a
clear message, its sessions ended, the audit trail told), and HQ's list of phones."""

import uuid

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from campaign.choices import AuditAction
from campaign.models import AuditEntry, IdempotencyKey
from fieldwork.models import FieldDevice, FieldDeviceSession
from fieldwork.services import devices as services
from ledger.choices import Status
from ledger.models import Problem
from ledger.tests.api_support import client_for
from ledger.tests.factories import jpeg_upload, problem_in

REGISTER = "/api/field/devices/"
DEVICES_PAGE = "/field/devices/"
PHONE = uuid.UUID("6f1c3a52-0d7e-4d3b-9a55-2f3e0b1c9d11")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def phone_client(user, device=PHONE) -> Client:
    client = client_for(user)
    client.defaults["HTTP_X_FIELD_DEVICE"] = str(device)
    return client


def register(client, device=PHONE, label="Chrome 120 / Android 14"):
    return client.post(REGISTER, {"device": str(device), "label": label}, format="json")


# --- Registering ---------------------------------------------------------------------------------


def test_a_phone_registers_once_per_person(city):
    client = phone_client(city.inspector)
    first = register(client)
    assert first.status_code == 201, first.content
    assert first.json()["device"] == str(PHONE) and first.json()["revoked"] is False
    assert first.json()["registered_at"]
    again = register(client, label="Chrome 121 / Android 14")
    assert again.status_code == 200
    device = FieldDevice.objects.get()
    assert device.user == city.inspector and device.label == "Chrome 121 / Android 14"
    # The session it used is noted, so cutting it off ends it.
    assert FieldDeviceSession.objects.filter(device=device, session_key=client.session.session_key).exists()
    # The same phone used by another person is another row.
    assert register(phone_client(city.unit_handler)).status_code == 201
    assert FieldDevice.objects.count() == 2


def test_registering_needs_a_uuid_and_a_signed_in_member_of_staff(city):
    bad = client_for(city.inspector).post(REGISTER, {"device": "my-phone"}, format="json")
    assert bad.status_code == 400 and "device" in bad.json()
    assert register(client_for(None)).status_code in (401, 403)
    assert register(client_for(city.public)).status_code == 403
    assert not FieldDevice.objects.exists()


# --- Cutting a phone off -------------------------------------------------------------------------


def test_a_revoked_phone_is_refused_everywhere_with_the_date(city):
    problem = problem_in(city, Status.RECTIFYING)
    client = phone_client(city.unit_handler)
    assert register(client).status_code == 201
    device = FieldDevice.objects.get()
    # The password kept usable, so the person can sign in again (the phone stays cut off).
    services.device_revoke(device=device, by=city.hq, reason="手机丢失", lock_password=False)
    client = phone_client(city.unit_handler)  # signed in again: the phone is still cut off
    refused = client.get("/api/field/offline/")
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "device_revoked"
    assert "HQ cut this phone off on" in body["detail"]
    assert str(timezone.localtime(FieldDevice.objects.get().revoked_at).year) in body["detail"]
    # A queued closing application with photos (multipart, with its key) is refused too.
    multipart = client.post(reverse("problem-apply-close", args=[problem.pk]),
                            {"note": "已整改", "version": problem.version, "photos": [jpeg_upload()]},
                            HTTP_IDEMPOTENCY_KEY="queued-1")
    assert multipart.status_code == 403 and multipart.json()["code"] == "device_revoked"
    assert Problem.objects.get(pk=problem.pk).status == Status.RECTIFYING
    assert not IdempotencyKey.objects.exists()
    # The field pages too.
    page = client.get("/field/devices/")
    assert page.status_code == 403 and page.json()["code"] == "device_revoked"
    # Without the header (a desktop browser of the same person) nothing is refused.
    assert client_for(city.unit_handler).get("/api/field/offline/").status_code == 200
    # Registering again does not undo it.
    assert register(client).status_code == 403


def test_the_refusal_is_in_chinese_for_a_chinese_phone(city):
    client = phone_client(city.inspector)
    register(client)
    services.device_revoke(device=FieldDevice.objects.get(), by=city.hq, reason="被盗")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    detail = client.get("/api/field/offline/").json()["detail"]
    assert "总部" in detail and "HQ" not in detail


def test_revoking_ends_every_session_and_api_token_of_the_person_and_locks_the_password(city):
    from rest_framework.authtoken.models import Token

    phone = phone_client(city.inspector)
    register(phone)
    phone_session = phone.session.session_key
    desktop = client_for(city.inspector)
    desktop_session = desktop.session.session_key
    someone_else = client_for(city.hq).session.session_key
    Token.objects.create(user=city.inspector)
    other_token = Token.objects.create(user=city.unit_handler)
    city.inspector.set_password("Saved-in-the-phone-7")
    city.inspector.save()
    services.device_revoke(device=FieldDevice.objects.get(), by=city.hq, reason="手机丢失")
    assert not Session.objects.filter(session_key__in=[phone_session, desktop_session]).exists()
    assert Session.objects.filter(session_key=someone_else).exists()
    assert desktop.get("/api/field/offline/").status_code in (401, 403)
    assert not Token.objects.filter(user=city.inspector).exists()
    assert Token.objects.filter(pk=other_token.pk).exists()
    city.inspector.refresh_from_db()
    assert not city.inspector.has_usable_password()
    # The thief with the saved password cannot sign in again.
    assert not city.inspector.check_password("Saved-in-the-phone-7")
    thief = Client()
    answer = thief.post(reverse("login"), {"username": city.inspector.username, "password": "Saved-in-the-phone-7"})
    assert answer.status_code == 200 and "_auth_user_id" not in thief.session
    entry = AuditEntry.objects.get(action=AuditAction.DEVICE_REVOKED)
    assert entry.details["sessions_ended"] == 2 and entry.details["tokens_deleted"] == 1
    assert entry.details["password_locked"] is True and entry.details["new_phones_blocked"] is True


def test_hq_may_keep_the_password_usable(city):
    city.inspector.set_password("Zebra-keeps-9-apples")
    city.inspector.save()
    register(phone_client(city.inspector))
    services.device_revoke(device=FieldDevice.objects.get(), by=city.hq, reason="交回", lock_password=False)
    city.inspector.refresh_from_db()
    assert city.inspector.check_password("Zebra-keeps-9-apples")
    assert AuditEntry.objects.get(action=AuditAction.DEVICE_REVOKED).details["password_locked"] is False


def test_a_new_phone_is_refused_until_hq_allows_new_phones(city):
    register(phone_client(city.inspector))
    other_phone = uuid.uuid4()
    # Even with the password left usable (the box unticked), the thief's "new" phone is refused.
    services.device_revoke(device=FieldDevice.objects.get(), by=city.hq, reason="被盗", lock_password=False)
    # Signed in again (sign-out cleared the phone's id): the phone comes back as a new one.
    refused = register(phone_client(city.inspector, device=other_phone), device=other_phone)
    assert refused.status_code == 403, refused.content
    assert refused.json()["code"] == "device_registration_blocked" and "HQ" in refused.json()["detail"]
    assert FieldDevice.objects.count() == 1
    # Its other requests too: an unregistered phone of the person is not let through.
    unregistered = phone_client(city.inspector, device=other_phone).get("/api/field/offline/")
    assert unregistered.status_code == 403 and unregistered.json()["code"] == "device_registration_blocked"
    # Other people's phones are not affected.
    assert register(phone_client(city.unit_handler, device=other_phone), device=other_phone).status_code == 201
    with pytest.raises(services.DeviceForbidden):
        services.device_allow_new(person=city.inspector, by=city.district_lead)
    assert services.device_allow_new(person=city.inspector, by=city.hq) == 1
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_CHANGED, details__change="new_phones_allowed")
    assert entry.actor == city.hq and entry.details["cut_off_phones"] == [str(PHONE)]
    assert phone_client(city.inspector, device=other_phone).get("/api/field/offline/").status_code == 200
    assert register(phone_client(city.inspector, device=other_phone), device=other_phone).status_code == 201
    # The phone cut off stays cut off.
    assert register(phone_client(city.inspector)).json()["code"] == "device_revoked"
    # Nothing left to allow: no second entry.
    assert services.device_allow_new(person=city.inspector, by=city.hq) == 0
    assert AuditEntry.objects.filter(action=AuditAction.PERSON_CHANGED).count() == 1


def test_a_phone_already_registered_keeps_working_after_another_is_cut_off(city):
    register(phone_client(city.inspector))
    second = uuid.uuid4()
    register(phone_client(city.inspector, device=second), device=second)
    services.device_revoke(device=FieldDevice.objects.get(device=PHONE), by=city.hq, reason="丢失",
                           lock_password=False)
    assert register(phone_client(city.inspector, device=second), device=second).status_code == 200


def test_hq_allows_new_phones_on_the_page(city):
    register(phone_client(city.inspector))
    services.device_revoke(device=FieldDevice.objects.get(), by=city.hq, reason="丢失")
    client = client_for(city.hq)
    page = client.get(DEVICES_PAGE).content.decode()
    url = f"/field/devices/people/{city.inspector.pk}/allow-new/"
    assert url in page
    assert client_for(city.district_lead).post(url).status_code == 404
    assert client.get(url).status_code == 405
    done = client.post(url)
    assert done.status_code == 302 and done["Location"] == DEVICES_PAGE
    assert FieldDevice.objects.get().new_phones_allowed_by == city.hq
    assert url not in client.get(DEVICES_PAGE).content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.PERSON_CHANGED, details__change="new_phones_allowed").count() == 1


def test_a_session_the_phone_used_after_registering_is_noted(city):
    phone = phone_client(city.inspector)
    register(phone)
    later = phone_client(city.inspector)  # signed in again on the same phone
    assert later.get("/api/field/offline/").status_code == 200
    keys = set(FieldDeviceSession.objects.values_list("session_key", flat=True))
    assert later.session.session_key in keys and len(keys) == 2


def test_only_hq_cuts_phones_off_and_a_reason_is_required(city):
    register(phone_client(city.inspector))
    device = FieldDevice.objects.get()
    with pytest.raises(services.DeviceForbidden):
        services.device_revoke(device=device, by=city.district_lead, reason="丢了")
    with pytest.raises(services.DeviceError):
        services.device_revoke(device=device, by=city.hq, reason="  ")
    assert not FieldDevice.objects.get().is_revoked
    services.device_revoke(device=device, by=city.hq, reason="丢了")
    with pytest.raises(services.DeviceError):
        services.device_revoke(device=device, by=city.hq, reason="again")


def test_revoking_is_in_the_audit_trail(city):
    register(phone_client(city.inspector))
    services.device_revoke(device=FieldDevice.objects.get(), by=city.hq, reason="手机丢失")
    entry = AuditEntry.objects.get(action=AuditAction.DEVICE_REVOKED)
    assert entry.actor == city.hq
    assert "inspector" in entry.target
    assert entry.details["reason"] == "手机丢失" and entry.details["device"] == str(PHONE)
    with translation.override("en"):
        assert entry.get_action_display() == "Phone cut off from field work"


def test_a_signed_out_phone_is_told_to_sign_in_again_with_a_code(city):
    refused = client_for(None).post(reverse("problem-acknowledge", args=[1]), {"note": ""}, format="json")
    assert refused.status_code in (401, 403)
    assert refused.json()["code"] == "not_authenticated"


def test_signing_out_clears_what_the_site_stored_on_the_phone(city):
    client = client_for(city.inspector)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/api/field/offline/").status_code in (401, 403)


# --- HQ's page ----------------------------------------------------------------------------------


def test_hq_lists_phones_and_finds_them_by_person(city):
    register(phone_client(city.inspector), label="Inspector's Android")
    register(phone_client(city.unit_handler, device=uuid.uuid4()), label="Handler's iPhone")
    client = client_for(city.hq)
    page = client.get(DEVICES_PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Inspector&#x27;s Android" in html and "Handler&#x27;s iPhone" in html
    found = client.get(DEVICES_PAGE, {"q": "unit_handler"}).content.decode()
    assert "Handler&#x27;s iPhone" in found and "Inspector&#x27;s Android" not in found
    services.device_revoke(device=FieldDevice.objects.get(user=city.inspector), by=city.hq, reason="丢失")
    revoked = client.get(DEVICES_PAGE, {"state": "revoked"}).content.decode()
    assert "Inspector&#x27;s Android" in revoked and "Handler&#x27;s iPhone" not in revoked


@pytest.mark.parametrize("role", ["leader", "district_lead", "inspector", "unit_handler", "public"])
def test_only_hq_staff_see_the_phones_page(city, role):
    register(phone_client(city.inspector))
    device = FieldDevice.objects.get()
    client = client_for(getattr(city, role))
    assert client.get(DEVICES_PAGE).status_code == 404
    assert client.post(f"/field/devices/{device.pk}/revoke/", {"reason": "x"}).status_code == 404
    assert not FieldDevice.objects.get().is_revoked


def test_anonymous_is_sent_to_sign_in(city):
    response = Client().get(DEVICES_PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_hq_cuts_a_phone_off_with_a_reason_on_the_page(city):
    register(phone_client(city.inspector))
    other_session = client_for(city.inspector).session.session_key
    device = FieldDevice.objects.get()
    client = client_for(city.hq)
    url = f"/field/devices/{device.pk}/revoke/"
    assert client.get(url).status_code == 200
    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 400
    assert not FieldDevice.objects.get().is_revoked
    assert 'name="lock_password" checked' in client.get(url).content.decode()
    done = client.post(url, {"reason": "手机丢失"})  # the box unticked: the password stays usable
    assert done.status_code == 302 and done["Location"] == DEVICES_PAGE
    device.refresh_from_db()
    assert device.is_revoked and device.revoked_by == city.hq and device.revoke_reason == "手机丢失"
    assert not Session.objects.filter(session_key=other_session).exists()
    entry = AuditEntry.objects.get(action=AuditAction.DEVICE_REVOKED)
    assert entry.details["all_sessions"] is True and entry.details["password_locked"] is False and entry.address
    city.inspector.refresh_from_db()
    assert city.inspector.has_usable_password()
    # Cutting it off again changes nothing.
    assert client.post(url, {"reason": "again"}).status_code == 400
    assert AuditEntry.objects.filter(action=AuditAction.DEVICE_REVOKED).count() == 1


def test_the_admin_only_reads_phones(city):
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = city.hq
    model_admin = admin.site._registry[FieldDevice]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_a_phones_requests_note_its_last_sync_without_a_write_each_time(city):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = phone_client(city.inspector)
    register(client)
    client.get("/api/field/offline/")  # notes this session once
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/field/offline/").status_code == 200
    assert not [q for q in captured if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    long_ago = timezone.now() - timedelta(hours=2)
    FieldDevice.objects.update(last_seen_at=long_ago)
    client.get("/api/field/offline/")
    assert FieldDevice.objects.get().last_seen_at > long_ago


def test_a_phone_is_not_cut_off_while_the_sessions_cache_cannot_be_reached(city, settings):
    """With sessions read from Redis and Redis unreachable, ending the person's sessions would
    leave copies that sign them back in: the cut-off is refused as a whole (nothing changed,
    a message to try again) and goes through once the cache answers."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {"BACKEND": "campaign.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                     "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    }
    settings.SESSION_CACHE_ALIAS = "sessions"
    settings.SESSION_ENGINE = "campaign.sessions"
    client = phone_client(city.unit_handler)
    assert register(client).status_code == 201
    device = FieldDevice.objects.get()
    with pytest.raises(services.DeviceError, match="not cut off"):
        services.device_revoke(device=device, by=city.hq, reason="手机丢失")
    device.refresh_from_db()
    city.unit_handler.refresh_from_db()
    assert device.revoked_at is None and city.unit_handler.has_usable_password()
    settings.CACHES = {**settings.CACHES, "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    services.device_revoke(device=device, by=city.hq, reason="手机丢失")
    device.refresh_from_db()
    assert device.revoked_at is not None
