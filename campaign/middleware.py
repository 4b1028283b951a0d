"""Request-wide guards (settings.MIDDLEWARE) and their per-view form."""

from functools import wraps

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .control_characters import control_character_errors
from .tasks_home import forget


def refused_input(request, errors: dict[str, str]):
    """400 naming each refused field: the API's field errors as JSON, a page otherwise."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({field: [message] for field, message in errors.items()}, status=400)
    return render(request, "400.html", {
        "title": _("The request holds a character that is not allowed"), "errors": errors,
    }, status=400)


class ControlCharacterMiddleware:
    """Refuse a query string with a control character in any parameter's name or value:
    400 naming the parameter, before a filter or a view reads it. Query strings are the one
    input no form or parser sees first (campaign/control_characters.py); bodies are checked
    by the API's parsers and the forms (and ``body_control_characters_refused`` for a view
    that reads its body without a form)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        errors = control_character_errors(request.GET)
        if errors:
            return refused_input(request, errors)
        return self.get_response(request)


def body_control_characters_refused(view):
    """For a page that reads request.POST without a form: a control character in any field
    of the body is a 400 naming it, before the view runs."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        errors = control_character_errors(request.POST) if request.method == "POST" else {}
        if request.method == "POST":
            errors.update(control_character_errors(request.FILES))
        if errors:
            return refused_input(request, errors)
        return view(request, *args, **kwargs)

    return wrapper


class ForgetTaskCountsMiddleware:
    """A person who wrote something (any accepted POST, PUT, PATCH or DELETE: verifying a
    problem, starting an inspection, publishing a report) sees their counts afresh on the next
    page, whichever app took the write."""

    WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method in self.WRITES and response.status_code < 400 and user is not None and user.is_authenticated:
            forget(user)
        return response
