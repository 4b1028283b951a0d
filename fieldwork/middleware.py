"""Refuse a phone HQ cut off (settings.MIDDLEWARE, after authentication, before the idempotency
keys): every /api/ and /field/ request carrying ``X-Field-Device: <its id>`` is a 403
``{"detail", "code": "device_revoked"}`` naming the date, JSON or multipart alike, before any
view reads it. A phone the signed-in person never registered, while a phone of theirs is cut
off and HQ has not allowed new phones, is a 403 ``device_registration_blocked``. A request
from a phone still in use notes its last sync and its session
(fieldwork/services/devices.py), so cutting it off ends that session."""

import uuid

from django.http import JsonResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import FieldDevice
from .services.devices import BLOCKED_MESSAGE, SEEN_EVERY, device_seen, registration_blocked

HEADER = "X-Field-Device"
SESSION_MARK = "field_device_session"
PREFIXES = ("/api/", "/field/")


def device_id(request) -> uuid.UUID | None:
    """The phone's id from the request's header, or None (absent or not a UUID)."""
    value = request.headers.get(HEADER)
    if not value:
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def revoked_answer(revoked_at) -> JsonResponse:
    when = formats.date_format(timezone.localtime(revoked_at), "DATE_FORMAT")
    return JsonResponse({
        "detail": _("HQ cut this phone off on %(date)s; nothing more can be sent from it. Call HQ.") % {"date": when},
        "code": "device_revoked",
    }, status=403)


class RevokedDeviceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PREFIXES):
            return self.get_response(request)
        device = device_id(request)
        if device is None:
            return self.get_response(request)
        rows = list(FieldDevice.objects.filter(device=device).values_list("user_id", "revoked_at", "last_seen_at"))
        revoked = [revoked_at for _user, revoked_at, _seen in rows if revoked_at is not None]
        if revoked:
            return revoked_answer(min(revoked))
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not any(person == user.pk for person, *_rest in rows)
                and registration_blocked(user)):
            # A phone this person never registered, while a phone of theirs is cut off and HQ
            # has not allowed new ones: the same refusal as registering it.
            return JsonResponse({"detail": str(BLOCKED_MESSAGE), "code": "device_registration_blocked"}, status=403)
        response = self.get_response(request)
        self._note(request, device, rows, response)
        return response

    def _note(self, request, device: uuid.UUID, rows, response) -> None:
        """Note the phone's last sync (at most every SEEN_EVERY) and a session it had not used yet,
        after an answer the person got (not after a refusal). Most requests write nothing."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or response.status_code >= 400:
            return
        seen = next((last for person, _revoked, last in rows if person == user.pk), None)
        if seen is None:
            return  # not registered by this person (yet): registering notes it
        session = getattr(request, "session", None)
        session_key = session.session_key if session is not None else None
        mark = f"{device}:{session_key}"
        new_session = bool(session_key) and session.get(SESSION_MARK) != mark
        if new_session or seen < timezone.now() - SEEN_EVERY:
            device_seen(user=user, device=device, session_key=session_key if new_session else None)
        if new_session:
            session[SESSION_MARK] = mark
