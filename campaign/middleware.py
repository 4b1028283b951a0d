"""Request-wide guards (settings.MIDDLEWARE)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .control_characters import control_character_errors


class ControlCharacterMiddleware:
    """Refuse a query string with a control character in any parameter's name or value:
    400 naming the parameter (the API's field errors as JSON, a page otherwise), before a
    filter or a view reads it. Query strings are the one input no form or parser sees first
    (campaign/control_characters.py); bodies are checked by the API's parsers and the forms."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        errors = control_character_errors(request.GET)
        if not errors:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({field: [message] for field, message in errors.items()}, status=400)
        return render(request, "400.html", {
            "title": _("The address holds a character that is not allowed"), "errors": errors,
        }, status=400)
