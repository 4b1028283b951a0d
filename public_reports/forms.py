"""Forms of the moderation pages. They validate input only; every decision goes through
public_reports/services.py, which checks the moderator's scope again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.forms import bootstrap_form
from campaign.models import Category, District, Unit
from campaign.widgets import SearchSelect
from campaign.write_scope import writable
from ledger.choices import Severity

from .choices import RejectReason
from .selectors import merge_target


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
