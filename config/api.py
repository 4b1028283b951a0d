"""What every endpoint of the REST API shares: one error shape, strict paging, and the schema's
documentation of both.

Errors. A refused request answers a JSON object: ``{"detail": "…"}`` for 401, 403, 404, 405,
409, 415 and 429, and for a 400 either ``{"detail": "…"}`` or the input's field errors
(``{"field": ["message", …], "non_field_errors": [...]}``, nested objects for nested fields).
``exception_handler`` makes the few answers that came out otherwise (a bare list, a one-item
``detail`` list) take that shape, and adds a stable ``code`` to the refusals a client keeping
work queued must tell apart (``not_authenticated``, ``authentication_failed``, ``csrf_failed``), and config/openapi.py writes these answers into every
operation of the OpenAPI schema, so clients and schemathesis can rely on them.

Paging. ``page`` and ``page_size`` are parsed strictly: a value that is not a whole number from
1 (``page_size``: up to the endpoint's maximum) is a 400 naming the parameter, never silently
replaced by the default; the schema states the same bounds.
"""

import re

import django_filters
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import pagination, serializers
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotAuthenticated,
    PermissionDenied,
    ValidationError,
)
from rest_framework.utils import html
from rest_framework.views import exception_handler as drf_exception_handler

# --- One error shape -----------------------------------------------------------------------


def exception_handler(exc, context):
    """DRF's handler, with its answers normalised to the one documented object shape."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, list):  # ValidationError(["message"]): a message about the whole input
        response.data = {"non_field_errors": data}
    elif isinstance(data, dict) and isinstance(data.get("detail"), list) and len(data) == 1:
        # ValidationError({"detail": "message"}) comes out as {"detail": ["message"]}.
        messages = [str(message) for message in data["detail"]]
        response.data = {"detail": " ".join(messages)}
    if isinstance(response.data, dict) and "code" not in response.data:
        # A client that keeps work queued (the field app) must tell "sign in again" from "refused".
        if isinstance(exc, NotAuthenticated | AuthenticationFailed):
            response.data["code"] = exc.default_code  # not_authenticated, authentication_failed
        elif isinstance(exc, PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
            response.data["code"] = "csrf_failed"
    return response


API_PREFIX = "/api/"


def bad_request(request, exception=None):
    """handler400: Django's own refusals (a body over the upload limit, too many fields) answer
    the API's JSON under /api/; elsewhere the site's page."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(_("The request could not be read."))}, status=400)
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    """handler404: under /api/ (e.g. /api/problems/-1/, which no route takes) the API's JSON
    refusal; elsewhere the site's page."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(_("Not found."))}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: a failure under /api/ still answers JSON (the error itself is logged)."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(_("A server error occurred."))}, status=500)
    return defaults.server_error(request)


# --- Strict paging -------------------------------------------------------------------------

WHOLE_NUMBER = re.compile(r"[0-9]+")


def _whole_number_param(request, name: str, *, maximum: int | None = None) -> int:
    raw = request.query_params.get(name, "")
    number = int(raw) if WHOLE_NUMBER.fullmatch(raw) else 0
    if number < 1 or (maximum is not None and number > maximum):
        if maximum is None:
            message = _("Enter a whole number from 1.")
        else:
            message = _("Enter a whole number from 1 to %(maximum)s.") % {"maximum": maximum}
        raise ValidationError({name: [message]})
    return number


class StrictPageSizeMixin:
    """``page_size`` out of 1…max_page_size is refused instead of quietly replaced."""

    def get_page_size(self, request):
        name = self.page_size_query_param
        if name and name in request.query_params:
            return _whole_number_param(request, name, maximum=self.max_page_size)
        return self.page_size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                if self.max_page_size:
                    parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class PageNumberPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    """Numbered pages. ``page`` is a whole number from 1 (past the last page: 404)."""

    last_page_strings = ()

    def get_page_number(self, request, paginator):
        if self.page_query_param not in request.query_params:
            return 1
        return _whole_number_param(request, self.page_query_param)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class CursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """Keyset pages (follow ``next``/``previous``); a cursor we did not issue is a 404."""


# --- Strict filters ------------------------------------------------------------------------


BOOLEAN_VALUES = frozenset({"true", "false", "True", "False", "1", "0"})


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, except that a value its schema does not admit is refused
    instead of being taken as "not sent": an empty id, choice or date (``?district=``; free
    text may be empty), and a yes/no filter that is neither true nor false."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors = {}
        for name, field in filterset.filters.items():
            value = request.query_params.get(name)
            if value is None or isinstance(field, django_filters.CharFilter):
                continue
            if value == "":
                errors[name] = [_("This field may not be blank.")]
            elif isinstance(field, django_filters.BooleanFilter) and value not in BOOLEAN_VALUES:
                errors[name] = [_("Must be a valid boolean.")]
        if errors:
            raise ValidationError(errors)
        return filterset


# --- Strict JSON input ---------------------------------------------------------------------
# DRF reads a JSON number sent for a text field as its text (0 -> "0"), "yes" or 1 sent for a
# yes/no field as true, and an object sent for a list of ids as the list of its keys ({} -> []).
# The schema says a string, a boolean and an array: anything else is a 400. Form bodies
# (multipart uploads) carry only text, which DRF keeps reading as before.


def _is_form_input(field) -> bool:
    root = field.root
    return html.is_html_input(getattr(root, "initial_data", None) or {}) if root is not field else False


def _strict(field_class, accepts, error: str):
    read = field_class.to_internal_value

    def to_internal_value(field, data):
        if not accepts(data) and not _is_form_input(field):
            field.fail(error, **({"input_type": type(data).__name__} if error == "not_a_list" else {}))
        return read(field, data)

    field_class.to_internal_value = to_internal_value


_strict(serializers.CharField, lambda data: isinstance(data, str), "invalid")
_strict(serializers.BooleanField, lambda data: isinstance(data, bool), "invalid")
_strict(serializers.ManyRelatedField, lambda data: isinstance(data, list | tuple), "not_a_list")
