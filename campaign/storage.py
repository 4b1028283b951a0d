"""Stored files (photos, imports, exports, workbooks, archive files) on the local disk or on
S3-compatible object storage, and the one way a view hands one out.

``STORAGES["default"]`` in config/settings.py is the single switch: FileSystemStorage under
MEDIA_ROOT, or ``ObjectStorage`` on a private bucket when S3_BUCKET is set (README "Files on
object storage (more than one host)"). Code reads and writes files only through the storage
API (``default_storage``, a FileField's ``open``/``save``), never through a local path, so a
web host and a worker host need no shared disk.

A view first checks who may see the file (``visible_to``), then answers with
``stored_file_response``: the file streamed from the storage, or (S3_SERVE=redirect) a
redirect to a link signed for S3_URL_SECONDS. Nothing in the bucket has a public address.
"""

from __future__ import annotations

import threading

import boto3
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

_MISSING = {"NoSuchKey", "404", "NotFound"}


class ObjectStorage(S3Storage):
    """A private bucket: objects are written without an ACL (the bucket's own, private), names
    are never overwritten (a second upload of ``x.xlsx`` becomes ``x_AbC12.xlsx``, as on the
    local disk), and ``url`` is a link signed for ``querystring_expire`` seconds, made for the
    address browsers reach (``public_endpoint_url``, default ``endpoint_url``)."""

    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            "public_endpoint_url": None,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "addressing_style": "path",
            "signature_version": "s3v4",
        }

    def __init__(self, **options):
        super().__init__(**options)
        self._url_clients = threading.local()

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_url_clients", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self._url_clients = threading.local()

    def key(self, name: str) -> str:
        """The object key of the storage name ``name`` (S3_PREFIX in front)."""
        return self._normalize_name(clean_name(name))

    def _url_client(self):
        client = getattr(self._url_clients, "client", None)
        if client is None:
            session = boto3.Session(aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                                    aws_session_token=self.security_token)
            client = session.client("s3", region_name=self.region_name,
                                    endpoint_url=self.public_endpoint_url or self.endpoint_url,
                                    config=self.client_config, use_ssl=self.use_ssl, verify=self.verify)
            self._url_clients.client = client
        return client

    def url(self, name, parameters=None, expire=None, http_method=None):
        """A GET link to ``name`` signed for ``expire`` seconds (default: querystring_expire)."""
        params = {**(parameters or {}), "Bucket": self.bucket_name, "Key": self.key(name)}
        return self._url_client().generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expire or self.querystring_expire, HttpMethod=http_method)

    def open_stream(self, name: str):
        """(body, size): the object's body as a file-like read straight from the bucket in
        blocks (no local copy), FileNotFoundError when it is not there."""
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=self.key(name))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                raise FileNotFoundError(f"File does not exist: {name}") from None
            raise OSError(f"Cannot read {name} from the bucket: {error}") from error
        return answer["Body"], answer.get("ContentLength")


def stored_file_response(file, *, content_type: str, filename: str | None = None, as_attachment: bool = False,
                         cache_seconds: int | None = None):
    """The stored ``file`` (a FieldFile, or a name in the default storage) for a person the
    caller has already checked may see it; Http404 when it is missing.

    Streamed from the storage (the default), or with S3_SERVE=redirect on object storage a 302
    to a link signed for S3_URL_SECONDS that names the same type and download name.
    ``cache_seconds``: kept privately by the browser that long (streamed answers only: a signed
    link expires, so a redirect is never kept)."""
    name = getattr(file, "name", file)
    storage = getattr(file, "storage", default_storage)
    if not name:
        raise Http404
    if settings.S3_SERVE == "redirect" and hasattr(storage, "open_stream"):
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
    if cache_seconds is not None:
        patch_cache_control(response, private=True, max_age=cache_seconds)
    return response
