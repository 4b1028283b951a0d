"""PythonWidgetRenderer (campaign/widgets.py) writes Django's widget templates in Python: every
widget it writes must come out exactly as the template engine renders it (attributes that are
True, False or None, values to escape, safe text, lazy and localized labels, option groups,
selected and disabled options, errors), and any other template still goes through the engine."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from campaign.widgets import WRITERS, PythonWidgetRenderer, SearchSelect, python_widget_renderer

TEMPLATES = DjangoTemplates()
GROUPED = [
    ("", "---------"),
    ("水果", [("apple", 'Apple & "pear"'), ("kiwi", mark_safe("<b>Kiwi</b>"))]),
    (gettext_lazy("Status"), [(1, "一"), (2, gettext_lazy("Open"))]),
    ("plain", "Plain <text>"),
]


class Everything(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"placeholder": 'say "hi" & <go>', "autofocus": True,
                                                          "hidden": False, "data-x": 0}))
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search"}))
    number = forms.IntegerField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    flag = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(choices=GROUPED, required=False)
    ticks = forms.MultipleChoiceField(choices=GROUPED, required=False, widget=forms.CheckboxSelectMultiple(
        attrs={"class": "form-check-input"}))
    radio = forms.ChoiceField(choices=[("a", "A <1>"), ("b", "B")], required=False, widget=forms.RadioSelect)
    maybe = forms.NullBooleanField(required=False)
    found = forms.ChoiceField(choices=[("1", "甲"), ("2", "乙 & 丙")], required=False,
                              widget=SearchSelect("district-list"))
    note = forms.CharField(required=False, widget=forms.Textarea)  # not written in Python: the engine's


BOUND = {
    "text": "</script><b>", "search": "捕蝇笼", "number": "12", "day": "2026-02-30", "when": "2026-12-01 08:30",
    "secret": "a&b", "hidden": '"q"', "email": "bad", "url": "x", "flag": "on", "choice": "kiwi",
    "many": ["apple", "2"], "ticks": ["kiwi", "plain"], "radio": "a", "maybe": "true", "found": "2",
    "note": "<p>",
}


def rendered(form, renderer, language, options=("ticks", "radio")):
    """Every field as ``{{ field }}``, and the options of ``options`` one by one (``choice.tag``)."""
    form.renderer = renderer
    with translation.override(language):
        out = [str(field) for field in form]
        out += [str(choice.tag()) + str(choice) for field in options for choice in form[field]]
    return out


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("data", [None, BOUND, {"number": "x", "ticks": ["1"]}], ids=["unbound", "bound", "errors"])
def test_widgets_come_out_as_the_templates_wrote_them(language, data):
    initial = {"day": datetime.date(2026, 5, 4), "when": datetime.datetime(2026, 5, 4, 9, 0), "number": 1234567}
    form = Everything(data, initial=initial, auto_id="id_%s")
    templates = rendered(form, TEMPLATES, language)
    python = rendered(form, python_widget_renderer, language)
    assert python == templates
    assert any("&lt;/script&gt;" in html or "&quot;hi&quot;" in html for html in python)


def test_the_ledger_filter_form_comes_out_as_the_templates_wrote_it(city):
    from ledger.filters import ProblemFilterSet
    from ledger.views.problems import filter_form, scope_choices

    request = RequestFactory().get("/ledger/problems/")
    request.user = city.hq
    for data in (None, {"q": "<b>", "status": ["found", "closed"], "open": "true", "overdue": "false",
                        "sample_point": city.points_a[0].pk, "district": city.district_a.pk, "severity": "urgent",
                        "found_from": "2026-01-01", "deadline_to": "not a date", "rebound": "true"}):
        filterset = ProblemFilterSet(data, request=request)
        scope_choices(filterset, city.hq)
        form = filter_form(filterset)
        assert form.renderer is python_widget_renderer
        for language in ("zh-hans", "en"):
            python = rendered(form, python_widget_renderer, language, options=("status",))
            assert python == rendered(form, TEMPLATES, language, options=("status",))


def test_other_templates_go_through_the_engine(monkeypatch):
    assert "django/forms/widgets/textarea.html" not in WRITERS
    calls = []
    original = DjangoTemplates.render
    monkeypatch.setattr(DjangoTemplates, "render", lambda self, *a, **k: calls.append(a[0]) or original(self, *a, **k))
    form = Everything()
    form.renderer = PythonWidgetRenderer()
    str(form["note"])
    str(form["text"])
    assert calls == ["django/forms/widgets/textarea.html"]
