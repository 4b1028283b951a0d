"""Forms of the satisfaction survey: HQ's survey and question forms, and the public answer form
(the district, the kind of place, and the public channel's idempotency key and proof of work;
the answers themselves are read and checked by ``services.satisfaction.answers_clean``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.choices import CategoryKind
from campaign.control_characters import ControlCharactersRefused
from campaign.models import Category, District
from campaign.public_guard import IdempotencyKeyField, ProofOfWorkField

from ..models import SatisfactionSurvey, SurveyQuestion


class SurveyForm(ControlCharactersRefused, forms.ModelForm):
    class Meta:
        model = SatisfactionSurvey
        fields = ["title", "title_en", "slug", "intro", "intro_en", "target_rate", "opens_on", "closes_on", "active"]
        widgets = {"opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "intro": forms.Textarea(attrs={"rows": 2}), "intro_en": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self):
        pass  # the service says it, naming the field


class QuestionForm(ControlCharactersRefused, forms.ModelForm):
    options_text = forms.CharField(
        label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One-choice questions: one option a line, optionally “中文 | English”."))

    class Meta:
        model = SurveyQuestion
        fields = ["order", "text", "text_en", "kind", "required", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = _("Blank: after the last question.")
        if self.instance.pk and self.instance.options:
            self.initial["options_text"] = "\n".join(
                f"{o['zh']} | {o['en']}" if o.get("en") else o["zh"] for o in self.instance.options)

    def clean_options_text(self) -> list[dict]:
        options = []
        for line in self.cleaned_data.get("options_text", "").splitlines():
            zh, _sep, en = line.partition("|")
            if zh.strip():
                options.append({"zh": zh.strip(), "en": en.strip()})
        return options


class SurveyAnswerForm(ControlCharactersRefused, forms.Form):
    district = forms.ModelChoiceField(
        label=_("Your district"), queryset=District.objects.order_by("code"), empty_label=_("Choose your district"),
        error_messages={"required": _("Please choose your district."),
                        "invalid_choice": _("Please choose your district from the list.")})
    place_category = forms.ModelChoiceField(
        label=_("The kind of place you judge (optional)"), required=False,
        queryset=Category.objects.filter(kind=CategoryKind.KEY_PLACE).order_by("order", "code"),
        empty_label=_("The city in general"),
        error_messages={"invalid_choice": _("Please choose the kind of place from the list.")})
    idempotency_key = IdempotencyKeyField()
    proof = ProofOfWorkField(kind="survey")
