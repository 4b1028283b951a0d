"""The special actions' forms: a new action, an upload of its objects, a picked sample point, and
one step on an object (with photos)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.forms import bootstrap_form
from campaign.importing.reading import upload_too_large
from campaign.models import SamplePoint, Team, Unit
from campaign.widgets import SearchSelect
from ledger.forms import PhotosField

from ..choices import TargetStep


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ActionForm(ControlCharactersRefused, forms.Form):
    name = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    # A city has a dozen special teams: a plain select.
    team = forms.ModelChoiceField(queryset=Team.objects.all(), label=_("Lead team"))
    units = forms.ModelMultipleChoiceField(queryset=Unit.objects.all(), required=False, label=_("Units"),
                                           help_text=_("The units taking part; empty: any unit."))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].widget.attrs["size"] = 8
        bootstrap_form(self)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The action ends before it starts."))
        return data


class ObjectsUploadForm(ControlCharactersRefused, forms.Form):
    file = forms.FileField(
        label=_("Excel or CSV file"), help_text=_("An .xlsx workbook or a .csv file (UTF-8 or GB18030)."),
        allow_empty_file=True, widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        refusal = upload_too_large(upload.size)
        if refusal:
            raise forms.ValidationError(refusal)
        return upload


class PickForm(ControlCharactersRefused, forms.Form):
    sample_point = forms.ModelChoiceField(
        queryset=SamplePoint.objects.all(), label=_("Sample point"),
        widget=SearchSelect("samplepoint-list", label_fields=("code", "name")),
    )
    target_state = forms.CharField(label=_("Target state"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    unit = forms.ModelChoiceField(queryset=Unit.objects.all(), required=False, label=_("Responsible unit"),
                                  help_text=_("Empty: the sample point's unit."), widget=SearchSelect("unit-list"))
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput(),
                               help_text=_("Empty: the action's end."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sample_point"].queryset = SamplePoint.objects.visible_to(user)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        bootstrap_form(self)


class StepForm(ControlCharactersRefused, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotosField(label=_("Photos"), required=False)

    LABELS = {
        TargetStep.START: (_("Start the work"), _("Photos before the work")),
        TargetStep.FINISH: (_("Mark done"), _("Photos after the work")),
        TargetStep.VERIFY: (_("Verify"), None),
        TargetStep.SEND_BACK: (_("Send back"), None),
    }

    def __init__(self, *args, step: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.title, photos_label = self.LABELS[step]
        if photos_label is None:
            del self.fields["photos"]
        else:
            self.fields["photos"].label = photos_label
            self.fields["photos"].required = step in (TargetStep.START, TargetStep.FINISH)
        if step == TargetStep.SEND_BACK:
            self.fields["note"].label = _("Why it is sent back")
            self.fields["note"].required = True
        bootstrap_form(self)
