"""Forms of the ledger's pages. They validate input only; every write goes through
ledger/services.py, and photos are checked by content in ledger/photos.py. A choice that
records or changes a problem offers only what the user may write for (campaign/write_scope.py);
the service checks it again on submit."""

import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.geo import city_coordinate_errors
from campaign.models import Category, District, Grid, Road, SamplePoint, Unit
from campaign.widgets import SearchSelect
from campaign.write_scope import writable

from .choices import Action, Severity, Source
from .models import Problem, ProblemClass
from .rules import ROLES, role_of
from .services import default_deadline

MAX_PHOTOS = 10


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PhotoInput(forms.FileInput):
    """Several photos, from the phone's camera or from its gallery: two file inputs of the same
    name (a ``capture`` input opens only the camera, so a second one without it offers the
    gallery and files). Whether photos are required is the form's check, not the browser's:
    either input may carry them."""

    template_name = "ledger/widgets/photo_input.html"
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*", "capture": "environment", "multiple": True, **(attrs or {})})

    def use_required_attribute(self, initial) -> bool:
        return False


class PhotosField(forms.FileField):
    """Zero or more uploaded files (their content is checked later, by ledger.photos)."""

    widget = PhotoInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("Send at most %(count)s photos at a time.") % {"count": MAX_PHOTOS}, code="too_many"
            )
        return [super(PhotosField, self).clean(f, initial) for f in files]


def _styled(form):
    """Bootstrap's classes on every widget. Unlike campaign.forms.bootstrap_form it does not
    look at the errors, so it may run in __init__ before a subclass narrows its querysets."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


# --- Recording -----------------------------------------------------------------------------------


def classes_to_choose(user):
    """The classes a person may put a problem in: those they see and the city-wide ones (the
    service refuses a class of another district than the problem's)."""
    return ProblemClass.objects.filter(
        Q(pk__in=ProblemClass.objects.visible_to(user).values("pk")) | Q(district__isnull=True)).order_by("code")


class ProblemRecordForm(ControlCharactersRefused, forms.Form):
    category = forms.ModelChoiceField(Category.objects.none(), label=_("Category"))
    sample_point = forms.ModelChoiceField(
        SamplePoint.objects.none(), label=_("Sample point"), required=False,
        help_text=_("If the problem is at a sample point: its district, unit and team are taken from it. "
                    "Type its code or name; the chosen category and district narrow the search."),
        # Searched through the scoped API, narrowed by the category and district chosen above it.
        widget=SearchSelect("samplepoint-list", label_fields=("code", "name"),
                            depends_on={"category": "category", "district": "district"},
                            params={"active": "true"}),
    )
    district = forms.ModelChoiceField(
        District.objects.none(), label=_("District"), required=False,
        help_text=_("Needed when no sample point is chosen."),
    )
    grid = forms.ModelChoiceField(
        Grid.objects.none(), label=_("Grid"), required=False,
        help_text=_("Left empty: the sample point's grid, or the cell its coordinates lie in."),
    )
    road = forms.ModelChoiceField(
        Road.objects.none(), label=_("Road"), required=False, help_text=_("Left empty: the sample point's road."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    source_ref = forms.CharField(
        label=_("Source reference"), required=False, max_length=200,
        help_text=_("e.g. the inspection, the newspaper article or the report number."),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.GENERAL)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6,
                                  min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6,
                                   min_value=-180, max_value=180)
    photos = PhotosField(label=_("Photos (before)"), required=False)
    # Only for those who may classify (removed otherwise); the page suggests classes as the
    # description is typed (ledger/views/class_suggestions.py).
    problem_class = forms.ModelChoiceField(
        ProblemClass.objects.none(), label=_("Problem class"), required=False, empty_label=_("(no class)"),
        help_text=_("Optional: a class of problems with one cause that this problem belongs to."),
    )

    # Category and district first: they narrow the sample point's search.
    field_order = ["category", "district", "sample_point"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if role_of(user) in ROLES[Action.CLASSIFY]:
            self.fields["problem_class"].queryset = classes_to_choose(user)
        else:
            del self.fields["problem_class"]
        self.fields["category"].queryset = writable(Category, user)
        self.fields["sample_point"].queryset = writable(SamplePoint, user).filter(active=True).select_related("district")
        self.fields["district"].queryset = writable(District, user)
        self.fields["grid"].queryset = writable(Grid, user).select_related("district")
        self.fields["road"].queryset = writable(Road, user).select_related("district")
        if user.district_id and not self.is_bound:
            self.fields["district"].initial = user.district_id
        _styled(self)

    def clean(self):
        data = super().clean()
        point, district = data.get("sample_point"), data.get("district")
        if point is None and district is None and "district" not in self.errors:
            self.add_error("district", _("Choose the district or a sample point."))
        elif point is not None and district is not None and point.district_id != district.pk:
            self.add_error("district", _("The sample point lies in another district."))
        place = district or getattr(point, "district", None)
        for name in ("grid", "road"):
            area = data.get(name)
            if area is not None and place is not None and area.district_id != place.pk:
                self.add_error(name, _("%(object)s lies in another district.") % {"object": area})
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both coordinates or neither."))
        else:
            for name, message in city_coordinate_errors(data.get("latitude"), data.get("longitude")).items():
                self.add_error(name, message)
        return data


# --- Actions on a problem's page -----------------------------------------------------------------


class ActionForm(ControlCharactersRefused, forms.Form):
    """Every action form carries the version of the problem the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, user, problem, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("version", problem.version)
        super().__init__(*args, **kwargs)
        self.user = user
        self.problem = problem
        _styled(self)


class AssignForm(ActionForm):
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Responsible unit"))
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput, required=False,
                               help_text=_("Left empty: the default for its severity."))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, problem, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("deadline", default_deadline(problem.severity))
        if problem.responsible_unit_id:
            initial.setdefault("unit", problem.responsible_unit_id)
        super().__init__(*args, user=user, problem=problem, **kwargs)
        self.fields["unit"].queryset = writable(Unit, user)


class NoteForm(ActionForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ApplyCloseForm(ActionForm):
    note = forms.CharField(label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photos after rectification"),
                         help_text=_("At least one: take it with the camera or choose it from the gallery."))


class RejectForm(ActionForm):
    note = forms.CharField(label=_("Reason for rejecting"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class InvalidateForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    duplicate_of = forms.CharField(label=_("Duplicate of (code)"), required=False, max_length=20,
                                   help_text=_("If it repeats another problem, that problem's code."))

    def clean_duplicate_of(self):
        code = self.cleaned_data["duplicate_of"].strip()
        if not code:
            return None
        original = Problem.objects.visible_to(self.user).filter(code=code).first()
        if original is None:
            raise forms.ValidationError(_("No problem with code %(code)s.") % {"code": code})
        if original.pk == self.problem.pk:
            raise forms.ValidationError(_("A problem cannot duplicate itself."))
        return original


class ReboundForm(ActionForm):
    description = forms.CharField(label=_("What was found again"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("Left empty: the closed problem's description."))
    photos = PhotosField(label=_("Photos"), required=False)


class ClassifyForm(ActionForm):
    problem_class = forms.ModelChoiceField(ProblemClass.objects.all(), label=_("Problem class"), required=False,
                                           empty_label=_("(no class)"))

    def __init__(self, *args, user, problem, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("problem_class", problem.problem_class_id)
        super().__init__(*args, user=user, problem=problem, **kwargs)
        self.fields["problem_class"].queryset = classes_to_choose(user)


ACTION_FORMS: dict[str, type[ActionForm]] = {
    Action.ASSIGN: AssignForm,
    Action.REASSIGN: AssignForm,
    Action.ACKNOWLEDGE: NoteForm,
    Action.APPLY_CLOSE: ApplyCloseForm,
    Action.APPROVE: NoteForm,
    Action.REJECT: RejectForm,
    Action.INVALIDATE: InvalidateForm,
    Action.REBOUND: ReboundForm,
    Action.CLASSIFY: ClassifyForm,
}


# --- Many problems at once -----------------------------------------------------------------------


class BulkAssignForm(ControlCharactersRefused, forms.Form):
    SUGGESTED, ONE = "suggested", "one"

    problems = forms.ModelMultipleChoiceField(Problem.objects.none(), label=_("Problems"),
                                              widget=forms.CheckboxSelectMultiple)
    mode = forms.ChoiceField(label=_("Assign to"), required=False, widget=forms.RadioSelect, initial=SUGGESTED,
                             choices=[(SUGGESTED, _("Each problem's suggested unit")),
                                      (ONE, _("One unit for all of them"))])
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Responsible unit"), required=False,
                                  help_text=_("Only when assigning all of them to one unit."))
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput, required=False,
                               help_text=_("Left empty: each problem's default for its severity."))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, problems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problems"].queryset = problems
        self.fields["unit"].queryset = writable(Unit, user)
        _styled(self)
        self.fields["mode"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        # A form without a mode (the API's shape, older links) names its one unit.
        if not data.get("mode"):
            data["mode"] = self.ONE
        if data["mode"] == self.ONE and data.get("unit") is None and "unit" not in self.errors:
            self.add_error("unit", _("Choose the unit, or assign each problem to its suggested unit."))
        return data


class ProblemClassForm(ControlCharactersRefused, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Cause and measure"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ModelChoiceField(Category.objects.none(), label=_("Category"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.visible_to(user)
        _styled(self)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if ProblemClass.objects.filter(code=code).exists():
            raise forms.ValidationError(_("A problem class with code %(code)s exists already.") % {"code": code})
        return code


class ClassAddProblemsForm(ControlCharactersRefused, forms.Form):
    codes = forms.CharField(label=_("Problem codes"), widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("One or more codes, separated by spaces, commas or new lines."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _styled(self)

    def clean_codes(self):
        codes = [c for c in re.split(r"[\s,，、;；]+", self.cleaned_data["codes"]) if c]
        if not codes:
            raise forms.ValidationError(_("Give at least one code."))
        found = {p.code: p for p in Problem.objects.visible_to(self.user).filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(_("No problem with code: %(codes)s.") % {"codes": ", ".join(missing)})
        return [found[c] for c in dict.fromkeys(codes)]


# --- Duplicate detection while recording ----------------------------------------------------------


class NearbyQueryForm(ControlCharactersRefused, forms.Form):
    """Where and what a problem being recorded is: its coordinates, or a sample point's."""

    category = forms.ModelChoiceField(Category.objects.none())
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180)
    sample_point = forms.ModelChoiceField(SamplePoint.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = writable(Category, user)
        self.fields["sample_point"].queryset = writable(SamplePoint, user).only("pk", "latitude", "longitude")

    def clean(self):
        data = super().clean()
        latitude, longitude, point = data.get("latitude"), data.get("longitude"), data.get("sample_point")
        if (latitude is None) != (longitude is None):
            raise forms.ValidationError(_("Give both coordinates or neither."))
        if latitude is None and point is not None:
            data["latitude"], data["longitude"] = point.latitude, point.longitude
        return data

