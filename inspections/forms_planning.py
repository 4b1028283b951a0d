"""Forms of the planning and results pages: rounds, scores' filters, checklist items.

They validate input only; every change goes through inspections.services.
"""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Case, Count, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from campaign.control_characters import ControlCharactersRefused
from campaign.forms import bootstrap_form
from campaign.models import Category, District, SamplePoint, User
from campaign.write_scope import writable
from ledger.choices import Severity

from .choices import InspectionKind
from .services import round_assignable

DEFAULT_QUOTA = 3
MAX_QUOTA = 500


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def round_inspectors(inspection_round, by):
    """The inspectors the planner may give the round's points to (services.round_assignable:
    HQ staff any inspector, of any district), those of the round's district first."""
    district = inspection_round.district_id or -1
    elsewhere = Case(When(district=district, then=0), When(district__isnull=True, then=1), default=2)
    return (round_assignable(inspection_round, by).filter(role=Role.INSPECTOR)
            .annotate(elsewhere=elsewhere).order_by("elsewhere", "full_name", "username"))


# --- Rounds ----------------------------------------------------------------------------------------


class RoundForm(ControlCharactersRefused, forms.Form):
    """A round's plan: one quota field per category that has a checklist (``quota_<id>``)."""

    name = forms.CharField(label=_("Name"), max_length=200,
                           help_text=_("For example “Unannounced visit, week 47”."))
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices, initial=InspectionKind.UNANNOUNCED)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False,
                                      empty_label=_("The whole city"))
    exclude_inspected_days = forms.IntegerField(
        label=_("Leave out points inspected in the last N days"), required=False, min_value=1, max_value=365,
        help_text=_("Empty: every active point may be drawn."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today + timedelta(days=6)
        self.fields["district"].queryset = writable(District, user)
        if not (user.is_superuser or user.role == Role.HQ_STAFF):
            # A district lead plans for their own district only.
            self.fields["district"].required = True
            self.fields["district"].empty_label = None
            self.fields["district"].initial = user.district_id
        # Points that could be drawn, per category, to show beside each quota.
        available = dict(
            SamplePoint.objects.visible_to(user).filter(active=True)
            .values_list("category_id").annotate(n=Count("id")).order_by()
        )
        self.categories = list(Category.objects.filter(checklist__isnull=False).order_by("kind", "order", "code"))
        self.quota_rows = []
        for category in self.categories:
            name = f"quota_{category.pk}"
            count = available.get(category.pk, 0)
            self.fields[name] = forms.IntegerField(
                label=category.label, required=False, min_value=0, max_value=MAX_QUOTA,
                initial=min(DEFAULT_QUOTA, count),
            )
            self.quota_rows.append({"category": category, "name": name, "available": count})
        bootstrap_form(self)

    def quota_fields(self):
        for row in self.quota_rows:
            yield {**row, "field": self[row["name"]]}

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The round ends before it starts."))
        quotas = {row["category"]: data.get(row["name"]) for row in self.quota_rows}
        data["quotas"] = {category: n for category, n in quotas.items() if n}
        if not data["quotas"] and not any(row["name"] in self.errors for row in self.quota_rows):
            raise ValidationError(_("Give at least one category a quota of one or more."))
        return data


class DrawForm(ControlCharactersRefused, forms.Form):
    seed = forms.IntegerField(
        label=_("Seed"), required=False, min_value=0, max_value=2**31 - 1,
        help_text=_("Optional. The same seed on the same points draws the same points; empty: a random one."),
    )


class AssignForm(ControlCharactersRefused, forms.Form):
    inspectors = forms.ModelMultipleChoiceField(
        label=_("Inspectors"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("The points not yet inspected are shared out among them, category by category."),
    )

    def __init__(self, *args, inspection_round, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = round_inspectors(inspection_round, user)


class ReassignForm(ControlCharactersRefused, forms.Form):
    """One point to one person: whether they may have it is the service's rule, which says why not."""

    inspector = forms.ModelChoiceField(label=_("Inspector"), queryset=User.objects.filter(is_active=True))


# --- Scores ----------------------------------------------------------------------------------------

SCORE_SORTS = {
    "worst": (_("Worst latest score first"), ("latest_score", "average_score", "code")),
    "best": (_("Best latest score first"), ("-latest_score", "-average_score", "code")),
    "average": (_("Worst average first"), ("average_score", "latest_score", "code")),
    "recent": (_("Inspected most recently first"), ("-last_inspected", "code")),
    "code": (_("Code"), ("code",)),
}


class ScoreFilterForm(ControlCharactersRefused, forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds")), *InspectionKind.choices])
    period = forms.ChoiceField(label=_("Trend by"), required=False, initial="month",
                               choices=[("month", _("Month")), ("week", _("Week"))])
    sort = forms.ChoiceField(label=_("Sort"), required=False, initial="worst",
                             choices=[(key, label) for key, (label, _o) in SCORE_SORTS.items()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period ends before it starts."))
        data["period"] = data.get("period") or "month"
        data["sort"] = data.get("sort") or "worst"
        return data


# --- Checklists ------------------------------------------------------------------------------------


class ChecklistForm(ControlCharactersRefused, forms.Form):
    name = forms.CharField(label=_("Checklist name"), max_length=200)
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)


class ChecklistItemForm(ControlCharactersRefused, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    text_zh = forms.CharField(label=_("Item (Chinese)"), max_length=500)
    text_en = forms.CharField(label=_("Item (English)"), max_length=500, required=False)
    points = forms.DecimalField(label=_("Points lost"), max_digits=4, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.GENERAL)
    veto = forms.BooleanField(label=_("Veto"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not bootstrap_form: it reads the errors, which would validate the row before the
        # formset adds its DELETE box.
        for field in self.fields.values():
            field.widget.attrs["class"] = {forms.CheckboxInput: "form-check-input", forms.Select: "form-select"}.get(
                type(field.widget), "form-control")

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class BaseChecklistItemFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        if any(self.errors):
            return
        codes = set()
        kept = 0
        for form in self._kept_forms():
            code = form.cleaned_data["code"]
            if code in codes:
                form.add_error("code", _("This code is used twice."))
            codes.add(code)
            kept += 1
        if not kept:
            raise ValidationError(_("A checklist needs at least one item."))

    def _kept_forms(self):
        # Rows that came filled in are kept unless ticked for deletion; the blank rows at the
        # end count only when something was typed in them.
        for index, form in enumerate(self.forms):
            if self._should_delete_form(form):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            yield form

    def items(self) -> list[dict]:
        """The items in the order shown, without the deleted and the empty rows."""
        return [
            {key: form.cleaned_data[key] for key in ("code", "text_zh", "text_en", "points", "severity", "veto")}
            for form in self._kept_forms()
        ]


ChecklistItemFormSet = forms.formset_factory(
    ChecklistItemForm, formset=BaseChecklistItemFormSet, extra=3, can_delete=True, max_num=200,
    validate_max=True,
)


class ChecklistImportForm(ControlCharactersRefused, forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_form(self)
