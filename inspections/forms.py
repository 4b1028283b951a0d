"""Forms of the inspection pages: starting an inspection, one answer in
the field and the submission. They validate input only; the services do the writing."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.forms import ConfirmedForm
from campaign.models import Category, SamplePoint
from campaign.write_scope import writable
from ledger.forms import PhotosField

from .choices import InspectionKind, Outcome
from .models import RoundPoint


class PointSearchForm(ControlCharactersRefused, forms.Form):
    """Find the sample point to inspect (a short list, not a select of every point)."""

    q = forms.CharField(label=_("Sample point"), required=False, max_length=100)
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False, label=_("Category"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.visible_to(user).filter(checklist__isnull=False)

    def points(self, user, limit: int):
        points = (writable(SamplePoint, user).filter(active=True, category__checklist__isnull=False)
                  .select_related("district", "category").order_by("name", "id"))
        if self.is_valid():
            text = self.cleaned_data["q"].strip()
            if text:
                points = points.filter(Q(name__icontains=text) | Q(code__icontains=text) | Q(address__icontains=text))
            if self.cleaned_data["category"]:
                points = points.filter(category=self.cleaned_data["category"])
        return list(points[:limit])


def _decimal(value):
    # Browsers report ~15 decimals; the model keeps 6 (about 10 cm).
    return None if value is None else round(Decimal(str(value)), 6)


class LocationFields(ControlCharactersRefused, forms.Form):
    """The phone's location, filled in by static/js/inspection.js when the phone allows it."""

    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90,
                                widget=forms.HiddenInput)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180,
                                 widget=forms.HiddenInput)
    location_accuracy_m = forms.FloatField(label=_("location accuracy (m)"), required=False, min_value=0,
                                           widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("latitude") is None or data.get("longitude") is None:
            data["latitude"] = data["longitude"] = data["location_accuracy_m"] = None
        else:
            data["latitude"], data["longitude"] = _decimal(data["latitude"]), _decimal(data["longitude"])
            accuracy = data.get("location_accuracy_m")
            data["location_accuracy_m"] = None if accuracy is None else round(accuracy)
        return data


class InspectionStartForm(LocationFields):
    """Start an inspection of a sample point (with a kind), or of a drawn round point."""

    point = forms.ModelChoiceField(
        label=_("Sample point"), queryset=SamplePoint.objects.none(), required=False, widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("You may not inspect this sample point: it is inactive, or outside your area and not "
                                             "assigned to you.")},
    )
    round_point = forms.ModelChoiceField(
        label=_("Round point"), queryset=RoundPoint.objects.none(), required=False, widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This point of a round is not one you may inspect.")},
    )
    kind = forms.ChoiceField(choices=[("", "---------"), *InspectionKind.choices], required=False,
                             label=_("Kind of inspection"))

    def __init__(self, *args, points, round_points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points
        self.fields["round_point"].queryset = round_points
        self.fields["kind"].widget.attrs["class"] = "form-select form-select-lg"

    def clean(self):
        data = super().clean()
        if data.get("round_point"):
            data["point"] = data["round_point"].sample_point
            data["kind"] = data["round_point"].round.kind
        elif not data.get("point"):
            raise forms.ValidationError(_("Choose the sample point to inspect."))
        elif not data.get("kind"):
            self.add_error("kind", _("Choose the kind of inspection."))
        return data


class ItemResultForm(ControlCharactersRefused, forms.Form):
    """One answer from the field form: the result, a note and any photos."""

    outcome = forms.ChoiceField(choices=Outcome.choices, label=_("Result"),
                                error_messages={"required": _("Choose Pass, Fail or N/A first.")})
    note = forms.CharField(required=False, max_length=500, label=_("Note"))
    photos = PhotosField(required=False, label=_("Photos"))


class InspectionSubmitForm(ConfirmedForm, LocationFields):
    note = forms.CharField(required=False, max_length=2000, label=_("Note on the whole inspection"),
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
