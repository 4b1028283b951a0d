"""Forms of the readiness pages: a mock assessment's plan, the pass line and the draw sizes."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.forms import bootstrap_form
from campaign.models import District

from ..models import PassLine, PassRule


class DateInput(forms.DateInput):
    input_type = "date"


class MockAssessmentForm(ControlCharactersRefused, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("Empty: “Mock assessment” and the start date."))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all(), required=False,
                                      empty_label=_("The whole city"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()
        bootstrap_form(self)


class PassLineForm(ControlCharactersRefused, forms.ModelForm):
    reason = forms.CharField(label=_("Why"), max_length=300)

    class Meta:
        model = PassLine
        fields = ["rule", "min_share", "min_average", "window_days", "half_life_days", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = PassRule.choices
        bootstrap_form(self)


class DrawSizesForm(ControlCharactersRefused, forms.Form):
    """One ``size_<category id>`` field per key-place category with places."""

    source = forms.CharField(label=_("Source of the numbers"), max_length=300, required=False,
                             help_text=_("For example the assessors' list of the last visit."))

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"size_{row['category_id']}"] = forms.IntegerField(
                label=row["category"], min_value=1, max_value=10_000, initial=row["draw_size"])
        bootstrap_form(self)

    def size_fields(self):
        return [(row, self[f"size_{row['category_id']}"]) for row in self.rows]
