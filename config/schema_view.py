"""/api/schema/: the OpenAPI schema, generated once per process and language.

Apart from config/openapi.py, which REST framework's settings import (DEFAULT_SCHEMA_CLASS):
this module imports REST framework's views, which read those settings.
"""

import threading

from django.conf import settings
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    """/api/schema/, generated once per process and language, then answered from memory.

    Generating it takes about a second of CPU (and many times that on a loaded host), and
    drf-spectacular's generation is not safe in two threads at once: it resolves its extensions'
    target classes by rewriting class attributes, so a second generation running beside the first
    in another thread of a gthread worker read a half-rewritten one and answered 500
    (``'NoneType' object has no attribute 'startswith'`` while handling the ImportError of an
    extension for a package that is not installed). One lock, one generation per language: the
    schema depends on the code and the language only, not on who asks (SERVE_PUBLIC)."""

    _schemas: dict[str, dict] = {}
    _lock = threading.Lock()

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        if version is not None:  # not used by this API; never kept (its values are the caller's)
            with self._lock:
                return super()._get_schema_response(request)
        # A language the site does not speak is answered (and kept) in the default one.
        try:
            language = translation.get_supported_language_variant(translation.get_language() or "")
        except LookupError:
            language = settings.LANGUAGE_CODE
        schema = self._schemas.get(language)
        if schema is None:
            with self._lock, translation.override(language):
                schema = self._schemas.get(language)
                if schema is None:
                    generator = self.generator_class(urlconf=self.urlconf, patterns=self.patterns)
                    schema = self._schemas[language] = generator.get_schema(request=request, public=self.serve_public)
        return Response(data=schema, headers={
            "Content-Disposition": f'inline; filename="{self._get_filename(request, None)}"'})
