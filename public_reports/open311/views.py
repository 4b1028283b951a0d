"""The Open311 GeoReport v2 endpoints (public, no sign-in; POST is authenticated by its
``api_key`` instead of a session, so it is exempt from CSRF).

Every answer is in the format of the URL's extension; every refusal is the spec's error list
(``[{"code": 400, "description": "…"}]``, XML ``<errors><error>``) with the matching HTTP
status: 400 for bad input (all the problems found at once), 403 for a missing, unknown or
revoked key, 404 for an unknown service, request, token or path, 429 past a daily limit.
"""

from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from campaign.control_characters import control_character_errors
from campaign.public_guard import PublicLimitReached, mobile_normalize, place_errors, public_page
from campaign.throttling import AddressRateThrottle, client_address

from .. import services
from . import definitions
from .renderers import render, render_errors
from .selectors import open311_request_by_token, open311_requests, open311_service, open311_services

MAX_SPAN = timedelta(days=90)
DESCRIPTION_MAX = 4000


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = [str(description) for description in descriptions]


class Open311ReadThrottle(AddressRateThrottle):
    """Reads per client address: a scraper gets 429 before it loads the database. Posts count
    against the daily limits instead."""

    scope = "open311_read"
    rate_setting = "OPEN311_READ_RATE"


def open311_endpoint(*methods: str, cache_seconds: int = 0):
    """An internet-facing Open311 view: the allowed methods, the jurisdiction check, and any
    ``Open311Error`` answered in the spec's error format."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, fmt: str | None = None, **kwargs):
            # A route without an extension (the catch-all) answers JSON when the path ends in .json.
            fmt = fmt or ("json" if request.path.endswith(".json") else "xml")
            try:
                if request.method not in methods:
                    raise Open311Error(405, _("This endpoint answers %(methods)s only.") % {
                        "methods": ", ".join(methods)})
                jurisdiction = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
                if jurisdiction and settings.OPEN311_JURISDICTION_ID and jurisdiction != settings.OPEN311_JURISDICTION_ID:
                    raise Open311Error(404, _("jurisdiction_id %(id)s was not found.") % {"id": jurisdiction})
                if request.method == "GET" and not Open311ReadThrottle().allow_request(request, None):
                    raise Open311Error(429, _("Too many requests from this address; try again in a minute."))
                response = view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                response = render_errors(fmt, error.status, error.descriptions)
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
            return response

        return public_page(cache_seconds=cache_seconds)(csrf_exempt(wrapper))

    return decorate


# --- Reads --------------------------------------------------------------------------------------


@open311_endpoint("GET", cache_seconds=300)
def discovery(request, *, fmt):
    endpoint = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    data = {
        "changeset": definitions.CHANGESET,
        "contact": _("The Health City headquarters' office, which also issues the API keys."),
        "key_service": _("Ask the Health City headquarters' office for an API key to post requests."),
        "endpoints": [{
            "specification": definitions.SPECIFICATION,
            "url": endpoint,
            "changeset": definitions.CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return render(fmt, data, root="discovery")


@open311_endpoint("GET", cache_seconds=300)
def service_list(request, *, fmt):
    return render(fmt, [definitions.service(category) for category in open311_services()],
                  root="services", item="service")


@open311_endpoint("GET", cache_seconds=300)
def service_definition(request, code: str, *, fmt):
    category = open311_service(code)
    if category is None:
        raise Open311Error(404, _("Service %(code)s was not found.") % {"code": code})
    return render(fmt, definitions.service_definition(category), root="service_definition")


def _requests_answer(fmt, reports) -> object:
    return render(fmt, [definitions.request(report) for report in reports], root="service_requests", item="request")


def _moment(raw: str, name: str) -> datetime:
    moment = parse_datetime(raw)
    if moment is None:
        day = parse_date(raw)
        if day is not None:
            moment = datetime.combine(day, datetime.min.time())
    if moment is None:
        raise Open311Error(400, _("%(name)s must be a W3C date and time, such as 2026-12-01T00:00:00+08:00.") % {
            "name": name})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _requests_get(request, fmt):
    ids = _list(request.GET.get("service_request_id"))
    if ids:
        return _requests_answer(fmt, open311_requests(ids=ids))
    errors = []
    statuses = _list(request.GET.get("status"))
    if set(statuses) - {definitions.OPEN, definitions.CLOSED}:
        errors.append(_("status must be open, closed or both (comma-separated)."))
    start = end = None
    try:
        start = _moment(request.GET["start_date"], "start_date") if request.GET.get("start_date") else None
    except Open311Error as error:
        errors += error.descriptions
    try:
        end = _moment(request.GET["end_date"], "end_date") if request.GET.get("end_date") else None
    except Open311Error as error:
        errors += error.descriptions
    if errors:
        raise Open311Error(400, *errors)
    # The spec's default span: the most recent 90 days, or 90 days from the one date given.
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > MAX_SPAN:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    reports = open311_requests(service_codes=_list(request.GET.get("service_code")), start=start, end=end,
                               statuses=statuses)
    return _requests_answer(fmt, reports)


@open311_endpoint("GET", "POST")
def request_list(request, *, fmt):
    if request.method == "POST":
        return _requests_post(request, fmt)
    return _requests_get(request, fmt)


@open311_endpoint("GET")
def request_detail(request, request_id: str, *, fmt):
    reports = list(open311_requests(ids=[request_id]))
    if not reports:
        raise Open311Error(404, _("Service request not found with id %(id)s.") % {"id": request_id})
    return _requests_answer(fmt, reports)


@open311_endpoint("GET")
def token_detail(request, token: str, *, fmt):
    report = open311_request_by_token(token)
    if report is None:
        raise Open311Error(404, _("Token %(token)s was not found.") % {"token": token})
    return render(fmt, [{"service_request_id": report.code, "token": token}], root="service_requests",
                  item="request")


@open311_endpoint("GET", "POST")
def not_found(request, *, fmt, rest=""):
    raise Open311Error(404, _("There is no Open311 endpoint at this address; the formats are .json and .xml."))


# --- Posting a request --------------------------------------------------------------------------


def _attributes(post) -> dict:
    """``attribute[code]=value`` (``attribute[code][]`` for a list) as {code: value or [values]}."""
    found = {}
    for name in post:
        if not (name.startswith("attribute[") and name.endswith("]")):
            continue
        if name.endswith("][]"):
            found[name[len("attribute["):-3]] = [value.strip() for value in post.getlist(name)]
        else:
            found[name[len("attribute["):-1]] = post.get(name, "").strip()
    return found


def _checked_attributes(given: dict) -> tuple[dict, list[str]]:
    errors, kept = [], {}
    for attribute in definitions.ATTRIBUTES:
        value = given.get(attribute.code)
        if value in (None, "", []):
            if attribute.required:
                errors.append(_("attribute[%(code)s] is required: %(description)s") % {
                    "code": attribute.code, "description": attribute.description})
            continue
        if attribute.datatype == "singlevaluelist":
            keys = [key for key, _name in attribute.values]
            if isinstance(value, list) or value not in keys:
                errors.append(_("attribute[%(code)s] must be one of: %(keys)s.") % {
                    "code": attribute.code, "keys": ", ".join(keys)})
                continue
        elif isinstance(value, list) or len(value) > definitions.LANDMARK_MAX:
            errors.append(_("attribute[%(code)s] must be one text of at most %(max)s characters.") % {
                "code": attribute.code, "max": definitions.LANDMARK_MAX})
            continue
        kept[attribute.code] = value
    return kept, errors


def _place(post) -> tuple[float | None, float | None, list[str]]:
    raw_lat, raw_long = post.get("lat", "").strip(), post.get("long", "").strip()
    if not raw_lat and not raw_long:
        if post.get("address_string", "").strip() or post.get("address_id", "").strip():
            return None, None, []
        return None, None, [_("Give the place: lat and long, address_string or address_id.")]
    if not (raw_lat and raw_long):
        return None, None, [_("Give both lat and long (WGS-84).")]
    try:
        latitude, longitude = float(raw_lat), float(raw_long)
    except ValueError:
        return None, None, [_("lat and long must be numbers (WGS-84 degrees).")]
    errors = place_errors(latitude, longitude)
    return (None, None, errors) if errors else (round(latitude, 6), round(longitude, 6), [])


def _requests_post(request, fmt):
    post = request.POST
    refused = control_character_errors(post)
    if refused:
        raise Open311Error(400, *(f"{name}: {message}" for name, message in refused.items()))
    key = services.open311_key_check(post.get("api_key", "").strip() or request.GET.get("api_key", "").strip())
    if key is None:
        raise Open311Error(403, _("api_key was not provided, is unknown or has been revoked."))
    errors = []
    code = post.get("service_code", "").strip()
    category = open311_service(code) if code else None
    if not code:
        errors.append(_("service_code is required."))
    elif category is None:
        errors.append(_("Service %(code)s was not found.") % {"code": code})
    latitude, longitude, place_problems = _place(post)
    errors += place_problems
    attributes, attribute_problems = _checked_attributes(_attributes(post))
    errors += attribute_problems
    description = post.get("description", "").strip()
    if not description:
        errors.append(_("description is required: what is dirty, messy or bad, and where."))
    elif len(description) > DESCRIPTION_MAX:
        errors.append(_("description may be at most %(max)s characters.") % {"max": DESCRIPTION_MAX})
    mobile = ""
    if post.get("phone", "").strip():
        try:
            mobile = mobile_normalize(post["phone"])
        except ValidationError as error:
            errors += [f"phone: {message}" for message in error.messages]
    email = post.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("email is not a valid e-mail address."))
    media_url = post.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(_("media_url must be an http or https URL."))
    if errors:
        raise Open311Error(400, *errors)
    address = post.get("address_string", "").strip()[:300]
    extras = {name: post.get(name, "").strip()[:200] for name in ("address_id", "device_id", "account_id")
              if post.get(name, "").strip()}
    if media_url:
        extras["media_url"] = media_url[:500]
    name = " ".join(part for part in (post.get("first_name", "").strip(), post.get("last_name", "").strip()) if part)
    try:
        submitted = services.open311_request_submit(
            key=key, client_address=client_address(request), public_category=category, description=description,
            latitude=latitude, longitude=longitude, address=address, reporter_name=name[:100],
            reporter_mobile=mobile, reporter_email=email, attributes=attributes, extras=extras)
    except PublicLimitReached as error:
        raise Open311Error(429, *error.messages) from error
    except services.PublicReportError as error:
        raise Open311Error(400, str(error)) from error
    report = submitted.report
    answer = {
        "service_request_id": report.code,
        "token": report.attributes["open311"]["token"],
        "service_notice": definitions.service_notice(),
        "account_id": extras.get("account_id"),
    }
    return render(fmt, [answer], root="service_requests", item="request")

