"""Forms of the supervision cycle's pages: they validate input only; every change goes through
programme.services.cycle."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from campaign.control_characters import ControlCharactersRefused
from campaign.forms import bootstrap_form
from campaign.models import Category, District, SamplePoint, User
from inspections.choices import InspectionKind

from ..choices import Recurrence, RoundPlanKind

MAX_QUOTA = 500


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class QuotaFieldsMixin:
    """One quota field per category that has a checklist (``quota_<id>``); ``cleaned_data["quotas"]``."""

    def add_quota_fields(self, initial: dict | None = None):
        available = dict(SamplePoint.objects.filter(active=True).values_list("category_id")
                         .annotate(n=Count("id")).order_by())
        self.quota_rows = []
        for category in Category.objects.filter(checklist__isnull=False).order_by("kind", "order", "code"):
            name = f"quota_{category.pk}"
            self.fields[name] = forms.IntegerField(label=category.label, required=False, min_value=0,
                                                   max_value=MAX_QUOTA, initial=(initial or {}).get(category.pk))
            self.quota_rows.append({"category": category, "name": name, "available": available.get(category.pk, 0)})

    def quota_fields(self):
        for row in self.quota_rows:
            yield {**row, "field": self[row["name"]]}

    def clean_quotas(self, data: dict) -> None:
        data["quotas"] = {row["category"]: data.get(row["name"]) for row in self.quota_rows if data.get(row["name"])}
        if not data["quotas"] and not any(row["name"] in self.errors for row in self.quota_rows):
            raise ValidationError(_("Give at least one category a quota of one or more."))


class RoundPlanForm(QuotaFieldsMixin, ControlCharactersRefused, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200,
                           help_text=_("For example “Routine supervision every two weeks”."))
    kind = forms.ChoiceField(label=_("Kind"), choices=RoundPlanKind.choices, initial=RoundPlanKind.ROUTINE)
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence.choices, initial=Recurrence.WEEKS)
    every_weeks = forms.IntegerField(label=_("Every N weeks"), required=False, min_value=1, max_value=52, initial=2)
    anchor = forms.DateField(label=_("First period starts on"), widget=DateInput(),
                             help_text=_("Periods of N weeks count from this day; a quarterly plan starts with the "
                                         "quarter that holds it."))
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all(), required=False,
                                      empty_label=_("The whole city"))
    exclude_inspected_days = forms.IntegerField(
        label=_("Leave out points inspected in the last N days"), required=False, min_value=1, max_value=365)
    inspectors = forms.ModelMultipleChoiceField(
        label=_("Inspectors"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=User.objects.filter(is_active=True, role=Role.INSPECTOR).order_by("district__code", "username"),
        help_text=_("Each round's points are shared among them. A cross-inspection plan ignores this: each "
                    "district's points go to the inspectors of another district, in a rotation."),
    )

    def __init__(self, *args, plan=None, **kwargs):
        if plan is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                "name": plan.name, "kind": plan.kind, "recurrence": plan.recurrence, "every_weeks": plan.every_weeks,
                "anchor": plan.anchor, "district": plan.district_id,
                "exclude_inspected_days": plan.exclude_inspected_days,
                "inspectors": list(plan.inspectors.values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)
        if plan is None:
            today = timezone.localdate()
            self.fields["anchor"].initial = today - timedelta(days=today.weekday())
        self.add_quota_fields({q.category_id: q.quota for q in plan.quotas.all()} if plan else None)
        bootstrap_form(self)

    def clean(self):
        data = super().clean()
        self.clean_quotas(data)
        return data


class CrossRoundForm(QuotaFieldsMixin, ControlCharactersRefused, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("For example “Cross-inspection, March”."))
    kind = forms.ChoiceField(label=_("Kind"), initial=InspectionKind.ROUTINE, choices=[
        (InspectionKind.ROUTINE, InspectionKind.ROUTINE.label),
        (InspectionKind.UNANNOUNCED, InspectionKind.UNANNOUNCED.label)])
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    exclude_inspected_days = forms.IntegerField(
        label=_("Leave out points inspected in the last N days"), required=False, min_value=1, max_value=365)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today + timedelta(days=13)
        self.add_quota_fields()
        bootstrap_form(self)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The round ends before it starts."))
        self.clean_quotas(data)
        return data


class PauseForm(ControlCharactersRefused, forms.Form):
    note = forms.CharField(label=_("Why"), required=False, max_length=500)
