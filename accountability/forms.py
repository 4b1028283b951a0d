"""Forms of HQ's decisions. They validate input only; writes go through accountability.services."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from campaign.control_characters import ControlCharactersRefused
from campaign.forms import bootstrap_form
from campaign.models import Unit, User
from campaign.widgets import SearchSelect
from ledger.models import Problem

from .models import AccountabilityKind


class AccountabilityRecordForm(ControlCharactersRefused, forms.Form):
    kind = forms.ModelChoiceField(queryset=AccountabilityKind.objects.filter(is_active=True), label=_("Kind"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.all(), label=_("Unit"), widget=SearchSelect("unit-list"))
    person_name = forms.CharField(label=_("Person"), max_length=100, required=False,
                                  help_text=_("Name and post of the person held accountable, if one is named."))
    person = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True).exclude(role=Role.PUBLIC),
                                    required=False, label=_("Person's account"),
                                    help_text=_("Optional: the person's account, if they have one."))
    reason = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    decided_on = forms.DateField(label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    problem_codes = forms.CharField(
        label=_("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Problem codes of the unit, separated by spaces or commas (e.g. 2026-000123)."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        self.fields["decided_on"].initial = timezone.localdate()
        bootstrap_form(self)

    def clean_problem_codes(self):
        codes = [code for code in re.split(r"[\s,，;；]+", self.cleaned_data["problem_codes"]) if code]
        problems = list(Problem.objects.visible_to(self.user).filter(code__in=codes))
        missing = sorted(set(codes) - {p.code for p in problems})
        if missing:
            raise forms.ValidationError(_("No such problem: %(codes)s") % {"codes": ", ".join(missing)})
        return problems


class ReasonForm(ControlCharactersRefused, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)
