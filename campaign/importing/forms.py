"""The HQ upload form: the file, values for the whole file, and the create-categories option."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.models import Category, District, Team, Unit

from .reading import upload_too_large


class SamplePointImportForm(ControlCharactersRefused, forms.Form):
    file = forms.FileField(
        label=_("Excel or CSV file"),
        help_text=_("An .xlsx workbook or a .csv file (UTF-8 or GB18030)."),
        allow_empty_file=True,  # the importer reports an empty file like any other bad file
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )
    district = forms.ModelChoiceField(
        queryset=District.objects.none(), required=False, label=_("District for the whole file"),
        help_text=_("Used where the file gives no district (e.g. a list without a district column)."),
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, label=_("Category for the whole file"),
    )
    responsible_unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("Responsible unit for the whole file"),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, label=_("Special team for the whole file"),
    )
    create_categories = forms.BooleanField(
        required=False, label=_("Create the categories that do not exist yet"),
        help_text=_("As key-place categories with a generated code; the preview lists them first."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.visible_to(user)
        self.fields["category"].queryset = Category.objects.visible_to(user)
        self.fields["responsible_unit"].queryset = Unit.objects.visible_to(user)
        self.fields["team"].queryset = Team.objects.visible_to(user)
        for name, field in self.fields.items():
            css = "form-check-input" if name == "create_categories" else (
                "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control"
            )
            field.widget.attrs.setdefault("class", css)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        refusal = upload_too_large(upload.size)
        if refusal:
            raise forms.ValidationError(refusal)
        return upload

    def import_defaults(self) -> dict:
        """Values for the whole file, as codes or names the importer resolves again."""
        data = self.cleaned_data
        defaults = {}
        if data.get("district"):
            defaults["district"] = data["district"].code
        if data.get("category"):
            defaults["category"] = data["category"].code
        if data.get("responsible_unit"):
            defaults["responsible_unit"] = data["responsible_unit"].name
        if data.get("team"):
            defaults["team"] = data["team"].code
        if data.get("create_categories"):
            defaults["create_categories"] = True
        return defaults
