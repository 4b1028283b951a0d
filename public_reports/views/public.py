"""The pages residents use without an account: the reporting form (/report/), its rules, the
answer with the tracking code, and the tracking page with the reporter's rating.

Every view is ``public_page`` (campaign.public_guard): internet-facing, never cached by a
shared cache, not indexed. Nothing about the reporter or the staff appears on these pages.
Photos are checked and stored before the service's transaction; when anything refuses the
report afterwards, the files just stored are removed again.
"""

from decimal import Decimal

from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaign.geo import city_bounds, tiles_are_gcj02
from campaign.photos import PhotoError, photo_store
from campaign.public_guard import (
    PublicLimitReached,
    PublicRefused,
    challenge_required,
    limit_check,
    place_errors,
    place_to_wgs84,
    public_page,
)
from campaign.storage import stored_file_response
from campaign.throttling import AddressRateThrottle, client_address
from ledger.choices import PhotoKind
from ledger.models import EvidencePhoto

from .. import services
from ..forms import PublicReportForm, RatingForm, TrackLookupForm
from ..models import PublicCategory, PublicReport, PublicReportPhoto
from ..selectors import report_for_tracking, report_photo_shown, reward_of, tracking_for


def _follow_url(request, report: PublicReport) -> str:
    path = reverse("public_reports:track", args=[report.code])
    return request.build_absolute_uri(f"{path}?{urlencode({'k': report.follow_secret})}")


def _sent(request, report: PublicReport):
    return render(request, "public_reports/public/report_sent.html", {
        "report": report, "follow_url": _follow_url(request, report)})


def _remove(stored) -> None:
    for photo in stored:
        for name in (photo.image_name, photo.thumbnail_name):
            default_storage.delete(name)


def _place(form, stored) -> dict | None:
    """The report's place from the form (GPS or map point), else a photo's EXIF position, else
    the typed address alone; None (and an error on the form) when there is none usable."""
    data = form.cleaned_data
    address = data.get("address", "").strip()
    if data.get("latitude") is not None:
        gcj02 = data.get("place_source") == "map" and tiles_are_gcj02()
        errors = place_errors(data["latitude"], data["longitude"], gcj02=gcj02)
        if errors:
            for message in errors:
                form.add_error("latitude", message)
            return None
        latitude, longitude = place_to_wgs84(data["latitude"], data["longitude"], gcj02=gcj02)
        accuracy = data.get("accuracy") if data.get("place_source") == "gps" else None
        return {"latitude": latitude, "longitude": longitude, "accuracy": accuracy, "address": address}
    with_gps = next((p for p in stored if p.gps_latitude is not None), None)
    if with_gps is not None:
        errors = place_errors(with_gps.gps_latitude, with_gps.gps_longitude)
        if not errors:
            return {"latitude": with_gps.gps_latitude, "longitude": with_gps.gps_longitude, "accuracy": None,
                    "address": address}
        if not address:
            for message in errors:
                form.add_error("latitude", message)
            return None
    if address:
        return {"latitude": None, "longitude": None, "accuracy": None, "address": address}
    form.add_error("latitude", _("Give the place: use your phone's location, pick it on the map, or type an address."))
    return None


def _check_limits(form, address: str | None) -> None:
    try:
        limit_check("report", address=address)
    except PublicLimitReached as refused:
        form.add_error(None, refused)
        return
    mobile = form.cleaned_data.get("reporter_mobile")
    if mobile:
        try:
            limit_check("report", address=None, mobile=mobile)
        except PublicLimitReached as refused:
            form.add_error("reporter_mobile", refused)


def _decimal(value):
    return None if value is None else Decimal(str(round(float(value), 6)))


def _submit(request, form, address: str | None):
    """Store the photos, resolve the place, record the report; the report, or None with the
    form's errors set (and the stored photos removed)."""
    data = form.cleaned_data
    stored = []
    try:
        for upload in data["photos"]:
            stored.append(photo_store(upload, folder="public_reports/photos"))
    except PhotoError as error:
        _remove(stored)
        form.add_error("photos", str(error))
        return None
    place = _place(form, stored)
    if place is None:
        _remove(stored)
        return None
    try:
        submitted = services.public_report_submit(
            public_category=data["public_category"], description=data["description"],
            latitude=_decimal(place["latitude"]), longitude=_decimal(place["longitude"]),
            location_accuracy_m=place["accuracy"], address=place["address"],
            reporter_name=data.get("reporter_name", ""), reporter_mobile=data.get("reporter_mobile") or "",
            consent=data["consent"], photos=stored, idempotency_key=data["idempotency_key"].hex,
            client_address=address or "", proof=data.get("proof"))
    except PublicRefused as refused:
        _remove(stored)
        form.add_error(None, refused)
        return None
    except services.PublicReportError as error:
        _remove(stored)
        form.add_error(None, str(error))
        return None
    if not submitted.created:  # a retry that raced the first copy: its photos are the first's
        _remove(stored)
    return submitted.report


@public_page
@require_http_methods(["GET", "POST"])
def report_form(request):
    address = client_address(request)
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "").replace("-", "").strip().lower()
        existing = PublicReport.objects.filter(idempotency_key=key).first() if key else None
        if existing is not None:  # a double tap or a retry of a form already sent
            return _sent(request, existing)
        form = PublicReportForm(request.POST, request.FILES)
        form.fields["proof"].required = challenge_required("report", address=address)
        if form.is_valid():
            _check_limits(form, address)
        if form.is_valid():
            report = _submit(request, form, address)
            if report is not None:
                return _sent(request, report)
        # A twin may have committed while this copy was checked (and used the day's last slot
        # or free report): the resident gets the report their form made, not the refusal.
        existing = PublicReport.objects.filter(idempotency_key=key).first() if key else None
        if existing is not None:
            return _sent(request, existing)
        status = 400
    else:
        form = PublicReportForm()
        form.fields["proof"].required = challenge_required("report", address=address)
        status = 200
    limit_reached = ""
    try:
        limit_check("report", address=address)
    except PublicLimitReached as refused:
        limit_reached = refused.message
    bounds = city_bounds()
    return render(request, "public_reports/public/report_form.html", {
        "form": form,
        "categories": PublicCategory.objects.filter(active=True),
        "limit_reached": limit_reached,
        "bounds": bounds,
        "tile_crs": "gcj02" if tiles_are_gcj02() else "wgs84",
    }, status=status)


@public_page
def rules(request):
    return render(request, "public_reports/public/rules.html")


class TrackingThrottle(AddressRateThrottle):
    """The lookup and the tracking pages per client address (settings.PUBLIC_TRACKING_RATE):
    codes are sequential, so nobody may walk through them quickly. The follow link's holder is
    never refused: a request with the report's own secret passes whatever the count."""

    scope = "public_tracking"
    rate_setting = "PUBLIC_TRACKING_RATE"


def _throttled(request, throttle: TrackingThrottle):
    wait = throttle.wait()
    response = render(request, "public_reports/public/message.html", {
        "message": _("Too many tracking pages were asked from this network in a short time. "
                     "Wait a minute and try again; the link given when you reported always works.")}, status=429)
    if wait:
        response["Retry-After"] = str(max(1, int(wait)))
    return response


def _tracked(request, code: str, secret: str):
    """(report or None, a 429 answer or None): the throttle counts the request first, so an
    unknown code and a known one cost the same; the holder of the report's secret passes."""
    throttle = TrackingThrottle()
    allowed = throttle.allow_request(request, None)
    report = report_for_tracking(code)
    if not allowed and not (report is not None and services.follow_secret_matches(report, secret)):
        return None, _throttled(request, throttle)
    return report, None


@public_page
def track_lookup(request):
    form = TrackLookupForm(request.GET or None)
    if form.is_bound:
        throttle = TrackingThrottle()
        if not throttle.allow_request(request, None):
            return _throttled(request, throttle)
    if form.is_valid():
        report = report_for_tracking(form.cleaned_data["code"])
        if report is not None:
            return redirect("public_reports:track", code=report.code)
        form.add_error("code", _("No report has this tracking code. Check it and try again."))
    return render(request, "public_reports/public/track_lookup.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _tracking_page(request, report: PublicReport, *, secret: str, rating_form=None, status=200):
    holder = services.follow_secret_matches(report, secret)
    can_rate = holder and services.rating_open(report)
    return render(request, "public_reports/public/track.html", {
        "tracking": tracking_for(report, holder=holder),
        "report": report,
        "holder": holder,
        "secret": secret if holder else "",
        "reward": reward_of(report) if holder else None,
        "rating_form": (rating_form or RatingForm(initial={"k": secret})) if can_rate else None,
        "rating_errors": rating_form.non_field_errors() if rating_form is not None else [],
    }, status=status)


@public_page
def track(request, code: str):
    secret = request.GET.get("k", "")
    report, refused = _tracked(request, code, secret)
    if refused is not None:
        return refused
    if report is None:
        raise Http404
    return _tracking_page(request, report, secret=secret)


@public_page
@require_POST
def track_rate(request, code: str):
    secret = request.POST.get("k", "")
    report, refused = _tracked(request, code, secret)
    if refused is not None:
        return refused
    if report is None:
        raise Http404
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.public_report_rate(report=report, secret=form.cleaned_data["k"],
                                        satisfied=form.cleaned_data["satisfied"], comment=form.cleaned_data["comment"])
        except services.PublicReportForbidden as error:
            return render(request, "public_reports/public/message.html", {"message": str(error)}, status=403)
        except services.PublicReportError as error:
            form.add_error(None, str(error))
        else:
            url = reverse("public_reports:track", args=[report.code])
            return redirect(f"{url}?{urlencode({'k': secret})}#rating")
    if not services.follow_secret_matches(report, secret):
        return render(request, "public_reports/public/message.html", {
            "message": _("Only the reporter, with the link given when reporting, may rate this report.")}, status=403)
    report.refresh_from_db()
    return _tracking_page(request, report, secret=secret, rating_form=form, status=400)


@public_page
def track_photo(request, code: str, kind: str, pk: int, size: str = "full"):
    """A photo the tracking page shows, by the page's rule (``report_photo_shown``): a report's
    own photo (never one a moderator hid) to the follow link's holder (``?k=``) or, once the
    report is published, to anyone; an after-photo of its problem once rectified. Re-encoded
    without metadata when uploaded. Not throttled: the code and the photo's id must both match,
    and a refusal does not say which did not."""
    report = report_for_tracking(code)
    if report is None:
        raise Http404
    if kind == "report":
        item = get_object_or_404(PublicReportPhoto, pk=pk, report=report)
        holder = services.follow_secret_matches(report, request.GET.get("k", ""))
        if not report_photo_shown(report, item, holder=holder):
            raise Http404
    else:
        tracking = tracking_for(report)
        item = next((p for p in tracking.after_photos if p.pk == pk), None)
        if item is None or not isinstance(item, EvidencePhoto) or item.kind != PhotoKind.AFTER:
            raise Http404
    name = (item.thumbnail if size == "thumb" else item.image).name
    return stored_file_response(name, content_type="image/jpeg")
