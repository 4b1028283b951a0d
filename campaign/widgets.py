"""Form widgets shared by the apps.

``SearchSelect`` is the one searchable select: a plain ``<select>`` that renders only the
chosen option(s), enhanced by static/js/search-select.js into a search box whose choices come
from an API list endpoint (``?search=…``, scoped by ``visible_to`` there, as everywhere). A
long choice list (sample points, units, problem classes) is then never loaded or rendered
with the page. Configuration travels in ``data-`` attributes, so the page needs no inline
script and runs under a strict Content-Security-Policy.
"""

from urllib.parse import urlencode

from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeData
from django.utils.translation import gettext_lazy as _


class SearchSelect(forms.Select):
    """A select whose choices are searched on demand through ``source`` (a URL name of a list
    endpoint answering ``{"results": [{"id": …, …}]}``). ``label_fields`` are the result's keys
    joined with a space to show a choice (for example ``("code", "name")``).

    Only the empty choice and the selected one are rendered; the selected one's label is read
    with one query on its primary key (none when nothing is selected, or when the field kept the
    row it found checking the value: a filter set's field, campaign/filters.py). Without
    JavaScript the select still submits and clears the current choice.
    """

    template_name = "campaign/widgets/search_select.html"

    def __init__(self, source: str, label_fields=("label",), attrs=None, *, depends_on=None, params=None):
        """``depends_on`` narrows the search by other fields of the same form: {query parameter:
        field name}, e.g. ``{"district": "district"}`` sends the district field's value as
        ``?district=…`` and clears the choice when that field changes. ``params`` are fixed
        query parameters (e.g. ``{"active": "true"}``)."""
        super().__init__(attrs)
        self.source = source
        self.label_fields = tuple(label_fields)
        self.depends_on = dict(depends_on or {})
        self.params = dict(params or {})

    def get_context(self, name, value, attrs):
        source = reverse(self.source)
        if self.params:
            source = f"{source}?{urlencode(self.params)}"
        attrs = {
            **(attrs or {}),
            "data-search-select": source,
            "data-label-fields": ",".join(self.label_fields),
            **({"data-depends-on": ",".join(f"{param}:{field}" for param, field in self.depends_on.items())}
               if self.depends_on else {}),
            "data-placeholder": _("Type to search…"),
            "data-empty-text": _("No match"),
            "data-loading-text": _("Searching…"),
            "data-error-text": _("Could not search; try again."),
            "data-clear-text": _("Clear"),
        }
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        chosen = [str(v) for v in value if v not in (None, "")]
        options = [("", self._empty_label())]
        if chosen:
            options += self._labels(chosen)
        return [
            (None, [self.create_option(name, key, label, key in chosen or (key == "" and not chosen), index)], index)
            for index, (key, label) in enumerate(options)
        ]

    def _empty_label(self) -> str:
        field = getattr(self.choices, "field", None)
        label = getattr(field, "empty_label", None)
        return str(label) if label is not None else "---------"

    def _labels(self, chosen: list[str]) -> list[tuple[str, str]]:
        field = getattr(self.choices, "field", None)
        if field is None:  # plain choices: look the chosen ones up without rendering the rest
            return [(str(k), str(v)) for k, v in self.choices if str(k) in chosen]
        wanted = [c for c in chosen if c.isdigit()]
        kept = getattr(field, "rows_found", None) or {}  # rows the field found checking the values
        if len(wanted) == 1 and wanted[0] in kept:
            return [(str(kept[wanted[0]].pk), field.label_from_instance(kept[wanted[0]]))]
        found = []
        for obj in field.queryset.filter(pk__in=wanted):
            found.append((str(obj.pk), field.label_from_instance(obj)))
        return found


# --- Widgets written in Python ---------------------------------------------------------------------
# Django renders every widget through its template engine: a template lookup, a context and a
# node walk per widget and per option (the ledger's filter form: 20 widgets, ~90 templates per
# page, a quarter of the page's time). ``PythonWidgetRenderer`` writes the common widgets'
# templates (below, by name) directly, with the templates' escaping, formatting and white
# space; any other template goes through the engine as before. A form opts in by setting
# ``form.renderer = python_widget_renderer``; campaign/tests/test_python_widgets.py renders
# widgets both ways and compares.


_CONTEXT = Context()  # autoescape on, localization and time zone as in a template


def _text(value) -> str:
    """``{{ value }}`` in a template: local time, localized, escaped."""
    if type(value) is str:
        return escape(value)
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``."""
    text = stringformat(value, "s")
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(widget) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in widget["attrs"].items() if value is not False
    )


def _input(widget) -> str:
    """django/forms/widgets/input.html"""
    value = widget.get("value")
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return f'<input type="{_text(widget.get("type", ""))}" name="{_text(widget["name"])}"{shown}{_attrs(widget)}>\n'


def _include(widget) -> str:
    """``{% include widget.template_name with widget=option %}``"""
    write = WRITERS.get(widget["template_name"])
    if write is None:
        return python_widget_renderer.get_template(widget["template_name"]).render({"widget": widget})
    return write(widget)


def _select(widget) -> str:
    """django/forms/widgets/select.html"""
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget)}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        out.extend(f"\n  {_include(option)}" for option in group_choices)
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def _select_option(widget) -> str:
    """django/forms/widgets/select_option.html"""
    return f'<option value="{_formatted(widget["value"])}"{_attrs(widget)}>{_text(widget["label"])}</option>\n'


def _input_option(widget) -> str:
    """django/forms/widgets/input_option.html"""
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    for_id = widget["attrs"].get("id")
    label_for = f' for="{_text(for_id)}"' if for_id else ""
    return f"<label{label_for}>{_input(widget)} {_text(widget['label'])}</label>\n"


def _multiple_input(widget) -> str:
    """django/forms/widgets/multiple_input.html"""
    attrs = widget["attrs"]
    out = ["<div", f' id="{_text(attrs["id"])}"' if attrs.get("id") else "",
           f' class="{_text(attrs["class"])}"' if attrs.get("class") else "", ">"]
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{_text(group)}</label>")
        out.extend(f"<div>\n    {_include(option)}</div>" for option in options)
        if group:
            out.append("\n  </div>")
    out.append("\n</div>\n")
    return "".join(out)


def _search_select(widget) -> str:
    """campaign/widgets/search_select.html"""
    options = "".join(
        f'<option value="{_formatted(option["value"])}"{" selected" if option["selected"] else ""}>'
        f'{_text(option["label"])}</option>'
        for _group, group_options, _index in widget["optgroups"] for option in group_options
    )
    return f'<select name="{_text(widget["name"])}"{_attrs(widget)}>{options}</select>\n'


def _included(write):
    """A template that is ``{% include "…" %}`` of another, and its own line end."""
    return lambda widget: write(widget) + "\n"


_WIDGETS = "django/forms/widgets/"
WRITERS = {
    _WIDGETS + "input.html": _input,
    **{f"{_WIDGETS}{name}.html": _included(_input) for name in (
        "text", "search", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "checkbox",
    )},
    _WIDGETS + "select.html": _select,
    _WIDGETS + "select_option.html": _select_option,
    _WIDGETS + "input_option.html": _input_option,
    _WIDGETS + "checkbox_option.html": _included(_input_option),
    _WIDGETS + "radio_option.html": _included(_input_option),
    _WIDGETS + "multiple_input.html": _multiple_input,
    _WIDGETS + "checkbox_select.html": _included(_multiple_input),
    _WIDGETS + "radio.html": _included(_multiple_input),
    SearchSelect.template_name: _search_select,
}


class PythonWidgetRenderer(DjangoTemplates):
    """Django's form renderer, with the templates in ``WRITERS`` written in Python."""

    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        if write is None or set(context) != {"widget"}:
            return super().render(template_name, context, request=request)
        return write(context["widget"]).strip()


python_widget_renderer = PythonWidgetRenderer()
