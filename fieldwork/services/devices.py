"""Every change to the field phones: registering one, noting its syncs and sessions, and HQ
cutting a lost one off (README "Cutting off a lost phone")."""

import uuid
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from campaign.choices import AuditAction, Role
from campaign.services.audit import audit_record
from campaign.sessions import SessionNotEnded

from ..models import FieldDevice, FieldDeviceSession

# last_seen_at is written at most this often per phone: every request would be a write.
SEEN_EVERY = timedelta(minutes=5)


BLOCKED_MESSAGE = gettext_lazy("HQ cut off a phone of yours; a new phone can be used only after HQ allows it. "
                               "Call HQ.")


class DeviceError(Exception):
    """A refused change to a phone; str(error) is the message for the user."""


class DeviceForbidden(DeviceError):
    """The person may not do this."""


class DeviceRegistrationBlocked(DeviceForbidden):
    """A new phone for a person who had one cut off, before HQ allowed new phones again."""


def registration_blocked(user) -> bool:
    """Whether ``user`` had a phone cut off that HQ has not yet allowed new phones after."""
    return FieldDevice.objects.filter(user=user, revoked_at__isnull=False,
                                      new_phones_allowed_at__isnull=True).exists()


def device_register(*, user, device: uuid.UUID, label: str = "", session_key: str | None = None
                    ) -> tuple[FieldDevice, bool]:
    """Note the phone ``device`` as used by ``user`` (once per person and phone; again: its label
    and last sync are refreshed). A phone HQ cut off stays cut off: registering it again changes
    nothing. A NEW phone of a person who had one cut off is refused (DeviceRegistrationBlocked)
    until HQ allows new phones for them (device_allow_new). Returns the phone and whether it is new."""
    if not (user and user.is_authenticated and user.is_active):
        raise DeviceForbidden(_("Sign in first."))
    label = (label or "").strip()[:200]
    now = timezone.now()
    with transaction.atomic():
        existing = FieldDevice.objects.select_for_update().filter(user=user, device=device).first()
        created = existing is None
        if created and registration_blocked(user):
            raise DeviceRegistrationBlocked(str(BLOCKED_MESSAGE))
        if created:
            try:
                with transaction.atomic():
                    existing = FieldDevice.objects.create(user=user, device=device, label=label, registered_at=now,
                                                          last_seen_at=now)
            except IntegrityError:  # the same phone registering twice at once
                existing = FieldDevice.objects.select_for_update().get(user=user, device=device)
                created = False
        if not created and not existing.is_revoked:
            existing.last_seen_at = now
            existing.label = label or existing.label
            FieldDevice.objects.filter(pk=existing.pk).update(last_seen_at=now, label=existing.label)
        if session_key and not existing.is_revoked:
            FieldDeviceSession.objects.get_or_create(device=existing, session_key=session_key)
    return existing, created


def device_seen(*, user, device: uuid.UUID, session_key: str | None = None, now: datetime | None = None) -> None:
    """A request from ``user``'s phone: its last sync (at most every SEEN_EVERY) and the session it
    used (so cutting it off ends that session). An unregistered phone is left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        FieldDevice.objects.filter(user=user, device=device, revoked_at__isnull=True,
                                   last_seen_at__lt=now - SEEN_EVERY).update(last_seen_at=now)
        if session_key:
            found = FieldDevice.objects.filter(user=user, device=device, revoked_at__isnull=True).first()
            if found is not None:
                FieldDeviceSession.objects.get_or_create(device=found, session_key=session_key)


def _end_sessions(session_keys: list[str]) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    try:
        for key in session_keys:
            store(session_key=key).delete()
    except SessionNotEnded as error:
        # The sessions' cached copies cannot be removed (Redis unreachable): the caller's
        # transaction rolls the whole cut-off back rather than leave the person signed in.
        raise DeviceError(_("The phone was not cut off: the store that keeps sessions cannot be reached. "
                            "Try again in a minute.")) from error


def _sessions_of(user) -> list[str]:
    """Every live session signed in as ``user`` (the database session engine's rows)."""
    keys = []
    live = Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    for session in live.iterator(chunk_size=500):
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            keys.append(session.session_key)
    return keys


def device_revoke(*, device: FieldDevice, by, reason: str, lock_password: bool = True, request=None) -> FieldDevice:
    """HQ cuts a lost or stolen phone off: every later request carrying its id is refused (403
    ``device_revoked``), every session of its person ends (they sign in again on their other
    phones) and their API tokens are deleted. With ``lock_password`` (the default) their password
    becomes unusable, so nobody (a thief with a saved password included) signs in until HQ sets a
    new one on the person's page. Until HQ allows new phones for the person (device_allow_new), a
    new phone of theirs is refused. The reason is required; the audit trail records who, when and
    why. Cutting off a phone already cut off is refused."""
    if not (by.is_active and (by.is_superuser or by.role == Role.HQ_STAFF)):
        raise DeviceForbidden(_("Only HQ staff cut phones off."))
    reason = (reason or "").strip()
    if not reason:
        raise DeviceError(_("Give the reason for cutting the phone off."))
    with transaction.atomic():
        device = FieldDevice.objects.select_for_update().select_related("user").get(pk=device.pk)
        if device.is_revoked:
            raise DeviceError(_("This phone was already cut off on %(date)s.")
                              % {"date": timezone.localtime(device.revoked_at).strftime("%Y-%m-%d %H:%M")})
        now = timezone.now()
        FieldDevice.objects.filter(pk=device.pk).update(revoked_at=now, revoked_by=by, revoke_reason=reason)
        device.revoked_at, device.revoked_by, device.revoke_reason = now, by, reason
        person = device.user
        keys = set(FieldDeviceSession.objects.filter(device=device).values_list("session_key", flat=True))
        keys = sorted(keys | set(_sessions_of(person)))
        tokens, _kinds = Token.objects.filter(user=person).delete()
        if lock_password:
            person.set_unusable_password()
            person.save(update_fields=["password"])
        audit_record(action=AuditAction.DEVICE_REVOKED, request=request, actor=by,
                     target=f"{person.get_username()}: {device.label or device.device}",
                     scope=str(person.scope_label),
                     details={"device": str(device.device), "person": person.get_username(), "reason": reason,
                              "all_sessions": True, "sessions_ended": len(keys), "tokens_deleted": tokens,
                              "password_locked": lock_password, "new_phones_blocked": True})
        # The database session engine's rows: ended in the same transaction as the revocation.
        _end_sessions(keys)
    return device


def device_allow_new(*, person, by, request=None) -> int:
    """HQ allows ``person`` to register new phones again after one of theirs was cut off (the cut
    off phones stay cut off). Recorded in the audit trail as a change of the person's access.
    Returns how many cut-off phones it lifted the block of (0: nothing was blocked, no entry)."""
    if not (by.is_active and (by.is_superuser or by.role == Role.HQ_STAFF)):
        raise DeviceForbidden(_("Only HQ staff allow new phones."))
    with transaction.atomic():
        blocking = FieldDevice.objects.select_for_update().filter(user=person, revoked_at__isnull=False,
                                                                  new_phones_allowed_at__isnull=True)
        phones = [str(device) for device in blocking.values_list("device", flat=True)]
        if not phones:
            return 0
        blocking.update(new_phones_allowed_at=timezone.now(), new_phones_allowed_by=by)
        audit_record(action=AuditAction.PERSON_CHANGED, request=request, actor=by, target=person.get_username(),
                     scope=str(person.scope_label),
                     details={"change": "new_phones_allowed", "person": person.get_username(),
                              "cut_off_phones": phones})
    return len(phones)
