"""Forms of the reward pages. They validate input only; writes go through public_reports.services."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.forms import bootstrap_form
from ledger.choices import Severity

from .choices import RewardStatus
from .models import PublicCategory

MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(value: str) -> date | None:
    """"2026-12" as the month's first day; None for anything else."""
    match = MONTH.fullmatch((value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        return None
    return date(int(match[1]), int(match[2]), 1)


class MonthField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"}))
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(_("Enter a month as year-month, for example 2026-12."), code="month")
        return month


class RewardFilterForm(ControlCharactersRefused, forms.Form):
    month = MonthField(label=_("Month"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *RewardStatus.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)


class DeclineForm(ControlCharactersRefused, forms.Form):
    note = forms.CharField(label=_("Why declined"), max_length=2000)


class PayForm(ControlCharactersRefused, forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=100)


class RewardRuleForm(ControlCharactersRefused, forms.Form):
    public_category = forms.ModelChoiceField(queryset=PublicCategory.objects.all(), required=False,
                                             label=_("Category"), empty_label=_("Any category"))
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=[("", _("Any severity")), *Severity.choices])
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=1, max_digits=8, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)


class RewardPolicyForm(ControlCharactersRefused, forms.Form):
    monthly_cap = forms.DecimalField(label=_("Cap per person per month (yuan)"), min_value=0, max_digits=8,
                                     decimal_places=2)
    active = forms.BooleanField(label=_("Rewards are paid"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)
