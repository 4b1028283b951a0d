"""The vector survey's form: the survey's fields, then for each indicator of its species the
two counts (left blank: not measured). The form only shapes input; the service checks the
counts and names each refused field, which the form shows beside it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.choices import CategoryKind
from campaign.control_characters import ControlCharactersRefused
from campaign.models import Category, District, SamplePoint

from ..services.vectors import CountInput
from ..vectors.indicators import Species, specs_of


class VectorSurveyForm(ControlCharactersRefused, forms.Form):
    district = forms.ModelChoiceField(queryset=District.objects.none(), label=_("District"))
    place_type = forms.ModelChoiceField(queryset=Category.objects.filter(kind=CategoryKind.KEY_PLACE),
                                        label=_("Type of place"))
    surveyed_on = forms.DateField(label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    sample_points = forms.ModelMultipleChoiceField(
        queryset=SamplePoint.objects.none(), required=False, label=_("Sample points surveyed"),
        help_text=_("Optional. Codes of the sample points surveyed, in the same district."),
        widget=forms.SelectMultiple(attrs={"size": 6}))
    surveyed_by = forms.CharField(label=_("Surveyed by"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Why the correction"), max_length=500, required=False)

    def __init__(self, *args, user, species: str, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.species = species
        self.fields["district"].queryset = District.objects.visible_to(user).order_by("code")
        self.fields["sample_points"].queryset = SamplePoint.objects.visible_to(user).filter(active=True) \
            .filter(category__kind=CategoryKind.KEY_PLACE).order_by("code")
        if editing:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]
        self.specs = specs_of(species)
        for spec in self.specs:
            self.fields[f"{spec.code}_checked"] = forms.IntegerField(label=spec.checked_label, required=False)
            self.fields[f"{spec.code}_positive"] = forms.IntegerField(label=spec.positive_label, required=False)

        bootstrap(self)

    def clean(self):
        data = super().clean()
        for spec in self.specs:
            checked, positive = data.get(f"{spec.code}_checked"), data.get(f"{spec.code}_positive")
            for name, value, other in ((f"{spec.code}_checked", checked, positive),
                                       (f"{spec.code}_positive", positive, checked)):
                if value is None and other is not None and name not in self.errors:
                    self.add_error(name, _("Give both counts of this indicator, or neither."))
        return data

    def indicator_rows(self):
        return [(spec, self[f"{spec.code}_checked"], self[f"{spec.code}_positive"]) for spec in self.specs]

    def counts(self) -> dict[str, CountInput]:
        """The indicators given (clean() refused one count without the other)."""
        counts = {}
        for spec in self.specs:
            checked = self.cleaned_data.get(f"{spec.code}_checked")
            positive = self.cleaned_data.get(f"{spec.code}_positive")
            if checked is None and positive is None:
                continue
            counts[spec.code] = CountInput(checked=checked, positive=positive)
        return counts

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            name = field.replace(".", "_")
            self.add_error(name if name in self.fields else None, message)


def bootstrap(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if isinstance(field, forms.IntegerField):
            widget.attrs.update({"min": "0", "inputmode": "numeric"})


def species_or_default(value) -> str:
    return value if value in Species.values else Species.RODENT


class ThresholdForm(ControlCharactersRefused, forms.Form):
    max_value = forms.DecimalField(label=_("Maximum value"), max_digits=10, decimal_places=2, min_value=0)
    source = forms.CharField(label=_("Source"), widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Why the change"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
