"""Forms of the reports pages: HQ requests a report, and enters the week's tasks."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.models import District, Unit

from .choices import ReportKind
from .kinds import kind_choices
from .models import WeeklyTask
from .periods import day_out_of_range, last_finished, period_for


class ReportRequestForm(ControlCharactersRefused, forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=kind_choices)
    day = forms.DateField(
        label=_("Any day of the period"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The report covers the ISO week (weekly reports) or the month that holds this day."),
    )
    district = forms.ModelChoiceField(
        label=_("Scope"), queryset=District.objects.all(), required=False, empty_label=_("Whole city"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("kind", ReportKind.WEEKLY_ASSIGNMENT)
            self.initial.setdefault("day", last_finished(ReportKind.WEEKLY_ASSIGNMENT).start)
        self.fields["day"].widget.attrs["max"] = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    def clean_day(self):
        day = self.cleaned_data["day"]
        why = day_out_of_range(day)
        if why:
            raise forms.ValidationError(why)
        return day

    def clean(self):
        data = super().clean()
        kind, day = data.get("kind"), data.get("day")
        if kind and day and period_for(kind, day).end >= timezone.localdate():
            self.add_error("day", _("The period has not ended yet: choose a day of a finished week or month."))
        return data


class WeeklyTaskForm(ControlCharactersRefused, forms.ModelForm):
    class Meta:
        model = WeeklyTask
        fields = ["text", "unit", "due_on"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "due_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("name")
        self.fields["unit"].required = False
        self.fields["unit"].empty_label = _("All units / HQ")
