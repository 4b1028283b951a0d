"""Forms of the public channel: the public reporting form (/report/) and the reporter's rating
(fields are checked here; the limits, the proof of work and the photos' content by
campaign.public_guard and campaign.photos in the view and the service), then the moderation
pages' forms (they validate input only; every decision goes through public_reports/services.py,
which checks the moderator's scope again)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.forms import bootstrap_form
from campaign.models import Category, District, Unit
from campaign.public_guard import IdempotencyKeyField, MobileNumberFormField, ProofOfWorkField
from campaign.widgets import SearchSelect
from campaign.write_scope import writable
from ledger.choices import Severity
from ledger.forms import PhotoInput, PhotosField

from .choices import RejectReason
from .models import PublicCategory
from .selectors import merge_target

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


class PublicReportForm(ControlCharactersRefused, forms.Form):
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
    idempotency_key = IdempotencyKeyField()
    proof = ProofOfWorkField(kind="report")

    def clean(self):
        data = super().clean()
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None):
            data["latitude"] = data["longitude"] = None
        return data


class RatingForm(ControlCharactersRefused, forms.Form):
    k = forms.CharField(max_length=64, widget=forms.HiddenInput)
    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with the result?"), widget=forms.RadioSelect,
        choices=[("1", _("Satisfied")), ("0", _("Not satisfied"))], coerce=lambda v: v == "1",
        error_messages={"required": _("Choose satisfied or not satisfied.")})
    comment = forms.CharField(label=_("Comment (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class TrackLookupForm(ControlCharactersRefused, forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=30,
                           widget=forms.TextInput(attrs={"placeholder": "JB-2026-000001", "autocapitalize": "characters"}))

# --- Moderation ---------------------------------------------------------------------------------

class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DecisionForm(ControlCharactersRefused, forms.Form):
    """Every decision carries the version of the report the moderator saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, user, report, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("version", report.version)
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)
        self.user = user
        self.report = report

    prefix_name = ""


class AcceptForm(DecisionForm):
    prefix_name = "accept"
    category = forms.ModelChoiceField(Category.objects.all(), label=_("Ledger category"))
    district = forms.ModelChoiceField(District.objects.none(), label=_("District"))
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.GENERAL, label=_("Severity"))
    unit = forms.ModelChoiceField(Unit.objects.none(), required=False, label=_("Responsible unit"),
                                  widget=SearchSelect("unit-list"),
                                  help_text=_("Optional: the problem is assigned to it at once."))
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput, required=False,
                               help_text=_("Left empty: the default for its severity."))
    description = forms.CharField(label=_("Description of the problem"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("Note to the reporter"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, report, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if report.public_category_id:
            initial.setdefault("category", report.public_category.category_id)
        initial.setdefault("district", report.district_id)
        initial.setdefault("description", report.shown_description)
        super().__init__(*args, user=user, report=report, **kwargs)
        self.fields["district"].queryset = District.objects.visible_to(user)
        self.fields["unit"].queryset = writable(Unit, user)
        bootstrap_form(self)


class MergeForm(DecisionForm):
    prefix_name = "merge"
    into = forms.CharField(label=_("Merge into (problem or report code)"), max_length=30,
                           help_text=_("A problem code such as 2026-000123 or a report code such as JB-2026-000042."))
    note = forms.CharField(label=_("Note to the reporter"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)

    def clean_into(self):
        problem, report = merge_target(self.user, self.cleaned_data["into"])
        if problem is None and report is None:
            raise forms.ValidationError(_("No problem or report with this code that you may see."))
        self.into_problem, self.into_report = problem, report
        return self.cleaned_data["into"].strip()


class RejectForm(DecisionForm):
    prefix_name = "reject"
    reason = forms.ChoiceField(choices=RejectReason.choices, label=_("Reason"))
    note = forms.CharField(label=_("Note to the reporter"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_('Required when the reason is "other".'))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)

    def clean(self):
        data = super().clean()
        if data.get("reason") == RejectReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Write the reason for the reporter."))
        return data


class EditForm(DecisionForm):
    prefix_name = "edit"
    description = forms.CharField(label=_("Description as moderated"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    hide_photos = forms.MultipleChoiceField(label=_("Hide photos"), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Why"), required=False, max_length=2000)

    def __init__(self, *args, user, report, photos=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("description", report.shown_description)
        super().__init__(*args, user=user, report=report, **kwargs)
        self.fields["hide_photos"].choices = [(str(p.pk), str(p.pk)) for p in photos if not p.hidden]
        bootstrap_form(self)


class ReviewForm(ControlCharactersRefused, forms.Form):
    decision = forms.ChoiceField(choices=[("rebound", _("Record a rebound")), ("stand", _("Let the result stand"))],
                                 label=_("Decision"))
    note = forms.CharField(label=_("What HQ found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)
