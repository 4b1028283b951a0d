"""Idempotency keys for the API (settings.MIDDLEWARE, after authentication).

A client that may send the same request twice (a phone's queue retrying after a lost answer)
sends ``Idempotency-Key: <1-200 characters of A-Z a-z 0-9 . _ : ->`` with any POST, PUT, PATCH
or DELETE under /api/. The first request with a key runs, and its answer (status, body, content
type) is kept per (person, key) in an ``IdempotencyKey`` row written in the same transaction as
the view's own writes: both are committed or neither is. Then:

- a repeat with the same key and the same request (method, path with query, digest of the body;
  for multipart the body with its boundary taken out, so the fields and the files' bytes decide)
  gets the kept answer with ``Idempotent-Replayed: true`` and writes nothing;
- the same key with a different request is a 422 ``{"detail", "code": "idempotency_key_reused"}``;
- a repeat while the first is still running waits on the unique insert of the row (PostgreSQL
  blocks on the first's uncommitted row; SQLite's IMMEDIATE transactions queue) and is then
  answered from it;
- answers a retry may change without the request changing are not kept, so the retry runs
  again: a server error (5xx; its writes are rolled back with the key), 401 and 403 (the session
  or CSRF token refused) and 429 (throttled, locked out; what such a refusal recorded, e.g. a
  failed sign-in counted towards the lock-out, stays).

Without the header, or for an anonymous request, nothing changes. Keys are deleted after
IDEMPOTENCY_KEY_DAYS
(``campaign.services.idempotency.idempotency_keys_purge``, daily).

The request runs inside one transaction (ATOMIC_REQUESTS is off in this project, so this is the
outermost one): the services' own ``atomic`` blocks become savepoints and their ``on_commit``
side effects wait for this commit. A view that raises is answered by Django's handler (a 5xx
response here), so its writes are rolled back with the key.
"""

import hashlib
import re

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,200}\Z")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/"
# Answers a retry of the same request may legitimately change: not kept (see the module's doc).
NOT_KEPT = frozenset({401, 403, 429})
CHUNK = 64 * 1024


def _user_of(request):
    """The person the request is from: the session's, else the API token's (DRF authenticates
    tokens only inside its views, after this middleware)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    if not request.META.get("HTTP_AUTHORIZATION"):
        return None
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.exceptions import APIException

    try:
        found = TokenAuthentication().authenticate(request)
    except APIException:
        return None
    return found[0] if found else None


def _multipart_boundary(content_type: str) -> bytes | None:
    match = re.search(r'boundary="?([^";]+)"?', content_type or "", flags=re.IGNORECASE)
    return match.group(1).encode("latin-1", "replace") if match else None


def _body_digest(body: bytes, content_type: str) -> str:
    """SHA-256 of the body; for multipart with the boundary replaced by a byte no boundary may
    hold, since a browser draws a new boundary each time it sends the same form."""
    digest = hashlib.sha256()
    boundary = _multipart_boundary(content_type) if content_type.lower().startswith("multipart/") else None
    if boundary:
        body = body.replace(b"--" + boundary, b"\x00")
    digest.update(body)
    return digest.hexdigest()


def request_digest(request) -> str:
    """What makes two requests "the same request": method, path with query, body."""
    content_type = request.META.get("CONTENT_TYPE", "")
    try:
        body_digest = _body_digest(request.body, content_type)
    except RawPostDataException:
        # Something read the body as a form already: digest its fields and files instead.
        digest = hashlib.sha256()
        for name, values in sorted(request.POST.lists()):
            for value in values:
                digest.update(f"{name}={value}\x00".encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"{name}:{upload.name}\x00".encode())
                for chunk in upload.chunks(CHUNK):
                    digest.update(chunk)
                upload.seek(0)
        body_digest = digest.hexdigest()
    whole = f"{request.method}\n{request.get_full_path()}\n{content_type.split(';')[0].strip().lower()}\n{body_digest}"
    return hashlib.sha256(whole.encode()).hexdigest()


def _refusal(detail: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def _replay(record: IdempotencyKey, digest: str) -> HttpResponse:
    if record.request_digest != digest:
        return _refusal(
            _("This Idempotency-Key was already used for a different request (%(method)s %(path)s). "
              "Send a new key for a new request.") % {"method": record.method, "path": record.path},
            "idempotency_key_reused", 422,
        )
    response = HttpResponse(bytes(record.body), status=record.status_code,
                            content_type=record.content_type or "application/json")
    response[REPLAYED_HEADER] = "true"
    return response


def _accepts(request) -> bool:
    """Whether the view at this path takes the request's method: a method it does not take is
    answered by the view (405), key or no key."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return False
    actions = getattr(view, "actions", None)  # a DRF viewset's route: method -> action
    if actions is not None:
        return request.method.lower() in actions
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if view_class is not None:
        method = request.method.lower()
        return method in getattr(view_class, "http_method_names", ()) and hasattr(view_class, method)
    return True


def _kept(response) -> bool:
    return not response.streaming and response.status_code not in NOT_KEPT


class IdempotencyMiddleware:
    """See the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if (key is None or request.method not in UNSAFE_METHODS or not request.path_info.startswith(API_PREFIX)
                or not _accepts(request)):
            return self.get_response(request)
        user = _user_of(request)
        if user is None:
            return self.get_response(request)  # DRF answers 401/403; nothing to key it by
        if not KEY_PATTERN.match(key):
            return _refusal(
                _("The Idempotency-Key header must be 1 to 200 letters, digits or . _ : - characters."),
                "idempotency_key_invalid", 422,
            )
        digest = request_digest(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        user=user, key=key, method=request.method, path=request.get_full_path()[:2000],
                        request_digest=digest,
                    )
            except IntegrityError:
                # Another request took this key; on PostgreSQL the insert waited for it to commit.
                record = IdempotencyKey.objects.filter(user=user, key=key).first()
                if record is None or record.status_code is None:
                    return _refusal(_("A request with this Idempotency-Key is still running. Send it again later."),
                                    "idempotency_key_in_progress", 409)
                return _replay(record, digest)
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # the retry runs again, on a clean slate
                return response
            if not _kept(response):
                # Refused before anything ran (or a stream): forget the key, keep what the refusal
                # recorded (a failed sign-in counted towards the lock-out, its audit entry).
                IdempotencyKey.objects.filter(pk=record.pk).delete()
                return response
            IdempotencyKey.objects.filter(pk=record.pk).update(
                status_code=response.status_code, content_type=response.get("Content-Type", "")[:200],
                body=response.content,
            )
        return response



def document_idempotency_key(result, generator, request, public):
    """drf-spectacular postprocessing hook: every unsafe operation takes the optional
    ``Idempotency-Key`` header and may answer 422 ``idempotency_key_reused``."""
    for path, path_item in result.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for method, operation in path_item.items():
            if method.upper() not in UNSAFE_METHODS:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("in") == "header" and p.get("name") == HEADER for p in parameters):
                parameters.append({
                    "in": "header", "name": HEADER, "required": False,
                    "schema": {"type": "string", "pattern": r"^[A-Za-z0-9._:-]{1,200}$"},
                    "description": (
                        "Makes a retry safe: the first request with this key runs and its answer is kept 30 days "
                        "per person; the same request again gets that answer with `Idempotent-Replayed: true` "
                        "and writes nothing; the same key with another request is 422 `idempotency_key_reused`; "
                        "server errors, 401, 403 and 429 are not kept."
                    ),
                })
            operation.setdefault("responses", {}).setdefault("422", {
                "description": "The Idempotency-Key was used for a different request (`code`: idempotency_key_reused), or is "
                               "malformed (`code`: idempotency_key_invalid).",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}},
            })
    return result
