"""Forms of the campaign pages. They validate input only; writes go through campaign.services."""

import json

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .control_characters import ControlCharactersRefused
from .models import SCOPE_FIELD_BY_ROLE, District, Grid, Road, Team, Unit, User

# The scope fields a role may carry; the first one listed in SCOPE_FIELD_BY_ROLE is required.
# Inspectors may be limited to a district (optional).
SCOPE_FIELDS_BY_ROLE = {
    **{role: [field] for role, field in SCOPE_FIELD_BY_ROLE.items()},
    Role.INSPECTOR: ["district"],
}
PERSON_FIELDS = ["full_name", "phone", "post", "role", "team", "district", "unit", "grid", "road"]


def bootstrap_form(form):
    """Give every widget of a form Bootstrap's classes (selects, check boxes, inputs)."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


class ConfirmedForm(ControlCharactersRefused, forms.Form):
    """A confirm step before an action that cannot be undone (submitting an inspection,
    publishing a report). The page shows the action in templates/_confirm.html: the first tap
    opens a question (a <details>, no script needed), whose button sends ``confirmed=yes``;
    without it the action is refused with a message."""

    confirmed = forms.BooleanField(
        required=True, label=_("Confirmed"),
        error_messages={"required": _("Confirm first: press the button, then the confirmation below it.")},
    )


class PersonForm(ControlCharactersRefused, forms.ModelForm):
    """The fields HQ sets on a person; a role's scope is checked by User.clean."""

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.visible_to(manager)
        self.fields["district"].queryset = District.objects.visible_to(manager)
        self.fields["unit"].queryset = Unit.objects.visible_to(manager).select_related("district")
        self.fields["full_name"].required = True
        self.fields["team"].help_text = _("Team leads: the special team they work for.")
        self.fields["district"].help_text = _(
            "District leads: their district. Inspectors: optional, limits them to one district."
        )
        self.fields["unit"].help_text = _("Unit handlers: the unit they work for.")
        self.fields["grid"].queryset = Grid.objects.visible_to(manager).select_related("district")
        self.fields["road"].queryset = Road.objects.visible_to(manager).select_related("district")
        self.fields["grid"].help_text = _("Grid chiefs: the grid cell they answer for.")
        self.fields["road"].help_text = _("Road chiefs: the road they answer for.")

    @property
    def scope_fields_json(self) -> str:
        return json.dumps({str(role): fields for role, fields in SCOPE_FIELDS_BY_ROLE.items()})

    def _check_passwords(self, cleaned_data, user):
        password = cleaned_data.get("password")
        confirm = cleaned_data.get("password_confirm")
        if password and password != confirm:
            self.add_error("password_confirm", _("The two passwords differ."))
        elif password:
            try:
                validate_password(password, user=user)
            except ValidationError as error:
                self.add_error("password", error)


class PersonCreateForm(PersonForm):
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Give it to the person; they can change it after signing in."),
    )
    password_confirm = forms.CharField(
        label=_("Initial password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", *PERSON_FIELDS]

    def clean(self):
        cleaned_data = super().clean()
        probe = User(
            username=cleaned_data.get("username") or "",
            full_name=cleaned_data.get("full_name") or "",
        )
        self._check_passwords(cleaned_data, probe)
        return cleaned_data


class PersonUpdateForm(PersonForm):
    password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )
    password_confirm = forms.CharField(
        label=_("New password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = [*PERSON_FIELDS, "is_active"]
        labels = {"is_active": _("Active (may sign in)")}
        help_texts = {
            "is_active": _("Someone who leaves the campaign is deactivated, not deleted: their records stay."),
        }

    def clean(self):
        cleaned_data = super().clean()
        self._check_passwords(cleaned_data, self.instance)
        return cleaned_data


class BoundaryUploadForm(ControlCharactersRefused, forms.Form):
    """HQ's GeoJSON upload of district or grid boundaries (campaign/services/boundaries.py)."""

    kind = forms.ChoiceField(label=_("Boundaries of"), choices=[("district", _("Districts")), ("grid", _("Grids"))])
    match_by = forms.ChoiceField(
        label=_("Each feature names its area by the property"),
        choices=[("code", _("code")), ("name", _("name"))],
        help_text=_('A feature\'s properties give the district\'s or grid\'s code (e.g. {"code": "A-G1"}) or name.'),
    )
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_("A FeatureCollection of Polygon or MultiPolygon features in WGS-84 longitude/latitude."),
        allow_empty_file=True,  # an empty file is refused with the same message as any non-JSON file
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json,application/json"}),
    )
