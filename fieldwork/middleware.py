"""Refuse a phone HQ cut off (settings.MIDDLEWARE, after authentication, before the idempotency
keys): every /api/ and /field/ request carrying ``X-Field-Device: <its id>`` is a 403
``{"detail", "code": "device_revoked"}`` naming the date, JSON or multipart alike, before any
view reads it. A request from a phone still in use notes its last sync and its session
(fieldwork/services/devices.py), so cutting it off ends that session."""

import uuid

from django.http import JsonResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import FieldDevice

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
        revoked_at = (FieldDevice.objects.revoked().filter(device=device).order_by("revoked_at")
                      .values_list("revoked_at", flat=True).first())
        if revoked_at is not None:
            return revoked_answer(revoked_at)
        response = self.get_response(request)
        self._note(request, device, response)
        return response

    def _note(self, request, device: uuid.UUID, response) -> None:
        """Note the phone's sync and session after an answer the person got (not after a refusal)."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or response.status_code >= 400:
            return
        from .services.devices import device_seen

        session = getattr(request, "session", None)
        session_key = session.session_key if session is not None else None
        mark = f"{device}:{session_key}"
        if session_key and session.get(SESSION_MARK) != mark:
            device_seen(user=user, device=device, session_key=session_key)
            session[SESSION_MARK] = mark
        else:
            device_seen(user=user, device=device)
