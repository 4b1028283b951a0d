"""Pairing's forms: they validate input only; the views call programme/services/pairing.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.forms import bootstrap_form
from campaign.importing.reading import upload_too_large
from campaign.models import Community, Unit
from campaign.widgets import SearchSelect
from ledger.forms import PhotosField

from ..choices import PairTaskKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what a date input reads


class _Form(ControlCharactersRefused, forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.narrow(user)
        bootstrap_form(self)  # (reads the errors of a bound form: the choices must be narrowed first)

    def narrow(self, user) -> None:
        """Narrow the choices to what ``user`` may see."""


class CommunityImportForm(_Form):
    file = forms.FileField(label=_("Excel or CSV file"), allow_empty_file=True,
                           help_text=_("Columns: Name (名称), District (区县), Street office (街道), Code (编号)."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        refusal = upload_too_large(upload.size)
        if refusal:
            raise forms.ValidationError(refusal)
        return upload


class PairForm(_Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"), widget=SearchSelect("unit-list"))
    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("Community"),
                                       widget=SearchSelect("community-list"))
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def narrow(self, user) -> None:
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        self.fields["community"].queryset = Community.objects.visible_to(user)


class PairEndForm(_Form):
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class PairTaskForm(_Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PairTaskKind.choices)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PairTaskDoneForm(_Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("What was done (evidence)"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photos"), required=False)
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)


class ReasonForm(_Form):
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)


class PairVisitForm(_Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE, initial=timezone.localdate)
    visitors = forms.CharField(label=_("Who visited"), max_length=300)
    work_done = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photos"), required=False)
