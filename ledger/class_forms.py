"""The forms of a problem class's rectification (the class page's actions)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused
from campaign.models import Unit
from campaign.write_scope import writable

from .choices import ClassAction
from .forms import DateInput, PhotosField, _styled


class ClassActionForm(ControlCharactersRefused, forms.Form):
    """Every class action form carries the version of the class the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, user, item, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("version", item.version)
        super().__init__(*args, **kwargs)
        self.user = user
        self.item = item
        _styled(self)


class MeasureForm(ClassActionForm):
    cause = forms.CharField(label=_("Cause"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(label=_("Measure to remove the cause"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Responsible unit"))
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, item, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.update({"cause": item.cause, "measure": item.measure, "unit": item.responsible_unit_id,
                        "deadline": item.deadline})
        super().__init__(*args, user=user, item=item, **kwargs)
        self.fields["unit"].queryset = writable(Unit, user)


class ClassApplyCloseForm(ClassActionForm):
    note = forms.CharField(label=_("What was done to remove the cause"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photos of the measure"),
                         help_text=_("At least one: take it with the camera or choose it from the gallery."))


class ClassVerifyForm(ClassActionForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ClassRejectForm(ClassActionForm):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


CLASS_ACTION_FORMS: dict[str, type[ClassActionForm]] = {
    ClassAction.MEASURE_SET: MeasureForm,
    ClassAction.APPLY_CLOSE: ClassApplyCloseForm,
    ClassAction.VERIFY: ClassVerifyForm,
    ClassAction.REJECT: ClassRejectForm,
}
