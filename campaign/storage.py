"""Stored files (photos, imports, exports, workbooks, archive files) on the local disk or on
S3-compatible object storage, and the one way a view hands one out.

``STORAGES["default"]`` in config/settings.py is the single switch: FileSystemStorage under
MEDIA_ROOT, or ``campaign.object_storage.ObjectStorage`` on a private bucket when S3_BUCKET is
set (README "Files on object storage (more than one host)"). Code reads and writes files only
through the storage API (``default_storage``, a FileField's ``open``/``save``), never through a
local path, so a web host and a worker host need no shared disk.

A view first checks who may see the file (``visible_to``), then answers with
``stored_file_response``: the file streamed from the storage, or (S3_SERVE=redirect) a
redirect to a link signed for S3_URL_SECONDS. Nothing in the bucket has a public address.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header


def stored_file_response(file, *, content_type: str, filename: str | None = None, as_attachment: bool = False,
                         cache_seconds: int | None = None, headers: dict[str, str] | None = None):
    """The stored ``file`` (a FieldFile, or a name in the default storage) for a person the
    caller has already checked may see it; Http404 when it is missing.

    Streamed from the storage (the default), or with S3_SERVE=redirect on object storage a 302
    to a link signed for S3_URL_SECONDS that names the same type and download name.
    ``cache_seconds``: kept privately by the browser that long (streamed answers only: a signed
    link expires, so a redirect is never kept). ``headers``: headers the answer must carry
    (a file shown inline in a sandbox, say). A signed link can name the type, the download name
    and the caching, nothing else, so such a file is always streamed, whatever S3_SERVE says."""
    name = getattr(file, "name", file)
    storage = getattr(file, "storage", default_storage)
    if not name:
        raise Http404
    if settings.S3_SERVE == "redirect" and hasattr(storage, "open_stream") and not headers:
        if not storage.exists(name):
            raise Http404
        parameters = {"ResponseContentType": content_type, "ResponseCacheControl": "private, no-store"}
        disposition = content_disposition_header(as_attachment, filename) if filename or as_attachment else None
        if disposition:
            parameters["ResponseContentDisposition"] = disposition
        response = HttpResponseRedirect(storage.url(name, parameters=parameters, expire=settings.S3_URL_SECONDS))
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    try:
        if hasattr(storage, "open_stream"):
            handle, size = storage.open_stream(name)
        else:
            handle, size = storage.open(name, "rb"), None
    except OSError:  # FileNotFoundError included
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename or "")
    if size is not None:
        response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    for header, value in (headers or {}).items():
        response[header] = value
    if cache_seconds is not None:
        patch_cache_control(response, private=True, max_age=cache_seconds)
    return response
