"""Forms of the model sites' and the build-out's pages. They validate input only; every write
goes through programme/services/sites.py; photos are checked by content in campaign/photos.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.forms import bootstrap_form
from campaign.models import Category, District, SamplePoint
from campaign.widgets import SearchSelect
from ledger.forms import DateInput, PhotosField

from ..models import BuildoutState, ModelSiteStatus


class ModelSiteMarkForm(ControlCharactersRefused, forms.Form):
    sample_point = forms.ModelChoiceField(
        label=_("Sample point"), queryset=SamplePoint.objects.none(),
        widget=SearchSelect("samplepoint-list", label_fields=("code", "name"), params={"active": "true"}))
    reason = forms.CharField(label=_("Why it is a model"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    photos = PhotosField(label=_("Photos"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sample_point"].queryset = SamplePoint.objects.visible_to(user).filter(active=True)
        bootstrap_form(self)


class ReasonForm(ControlCharactersRefused, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)


class PhotosForm(ControlCharactersRefused, forms.Form):
    photos = PhotosField(label=_("Photos"))


class GalleryFilterForm(ControlCharactersRefused, forms.Form):
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Shown in the gallery"))] + list(ModelSiteStatus.choices))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.visible_to(user)
        bootstrap_form(self)


class BuildoutFilterForm(ControlCharactersRefused, forms.Form):
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    state = forms.ChoiceField(label=_("Construction state"), required=False,
                              choices=[("", _("Any"))] + list(BuildoutState.choices))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.visible_to(user)
        bootstrap_form(self)


class BuildoutTransitionForm(ControlCharactersRefused, forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=BuildoutState.choices)
    on = forms.DateField(label=_("Date reached"), widget=DateInput(), required=False)
    reason = forms.CharField(label=_("Note or reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, moves, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [(s, BuildoutState(s).label) for s in moves]
        bootstrap_form(self)


class BuildoutPlanForm(ControlCharactersRefused, forms.Form):
    planned_completion = forms.DateField(label=_("Planned completion"), widget=DateInput())
    reason = forms.CharField(label=_("Reason for a change"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)
