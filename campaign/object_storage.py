"""S3-compatible object storage for the uploaded files: a private bucket (README "Files on object
storage (more than one host)"). config/settings.py names ``ObjectStorage`` in
``STORAGES["default"]`` when S3_BUCKET is set; nothing else imports this module, so an
installation on the local disk never loads boto3."""

from __future__ import annotations

import threading

import boto3
from botocore.exceptions import ClientError
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
