"""The public reporting form (/report/) and the reporter's rating. Fields are checked here;
the limits, the proof of work and the photos' content are checked by campaign.public_guard and
campaign.photos in the view and the service."""

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from campaign.public_guard import MobileNumberFormField, ProofOfWorkField
from ledger.forms import PhotoInput, PhotosField

from .models import PublicCategory

MAX_REPORT_PHOTOS = 3
# Where the point came from: the phone's GPS, a point picked on the map (in the tiles' system).
PLACE_SOURCES = [("", "-"), ("gps", "gps"), ("map", "map")]


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class ReportPhotosField(PhotosField):
    """One to three photos; each is checked by content and re-encoded by campaign.photos."""

    default_error_messages = {"required": _("Add at least one photo of the problem.")}

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_REPORT_PHOTOS:
            raise forms.ValidationError(
                _("Send at most %(count)s photos.") % {"count": MAX_REPORT_PHOTOS}, code="too_many")
        limit = settings.PHOTO_MAX_MB * 1024 * 1024
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("%(name)s is larger than %(limit)s MB.") % {"name": upload.name, "limit": settings.PHOTO_MAX_MB},
                    code="too_large")
        return super().clean(data, initial)


class PublicReportForm(forms.Form):
    public_category = CategoryChoice(
        label=_("What is the problem?"), queryset=PublicCategory.objects.filter(active=True),
        widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": _("Choose what kind of problem it is."),
                        "invalid_choice": _("Choose what kind of problem it is.")})
    photos = ReportPhotosField(label=_("Photos (1 to 3)"), widget=PhotoInput)
    latitude = forms.DecimalField(required=False, max_digits=12, decimal_places=8, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=12, decimal_places=8, widget=forms.HiddenInput)
    accuracy = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)
    place_source = forms.ChoiceField(required=False, choices=PLACE_SOURCES, widget=forms.HiddenInput)
    address = forms.CharField(label=_("Address or landmark"), max_length=300, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    description = forms.CharField(
        label=_("What did you see?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe what you saw.")})
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=100, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "name"}))
    reporter_mobile = MobileNumberFormField(label=_("Mobile number (optional, for the reward)"), required=False)
    consent = forms.BooleanField(
        label=_("I have read and accept the rules of the reporting platform."),
        error_messages={"required": _("Accept the rules to send a report.")})
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    proof = ProofOfWorkField(kind="report")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())

    def clean(self):
        data = super().clean()
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None):
            data["latitude"] = data["longitude"] = None
        return data


class RatingForm(forms.Form):
    k = forms.CharField(max_length=64, widget=forms.HiddenInput)
    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with the result?"), widget=forms.RadioSelect,
        choices=[("1", _("Satisfied")), ("0", _("Not satisfied"))], coerce=lambda v: v == "1",
        error_messages={"required": _("Choose satisfied or not satisfied.")})
    comment = forms.CharField(label=_("Comment (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class TrackLookupForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=30,
                           widget=forms.TextInput(attrs={"placeholder": "JB-2026-000001", "autocapitalize": "characters"}))
