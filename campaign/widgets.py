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
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SearchSelect(forms.Select):
    """A select whose choices are searched on demand through ``source`` (a URL name of a list
    endpoint answering ``{"results": [{"id": …, …}]}``). ``label_fields`` are the result's keys
    joined with a space to show a choice (for example ``("code", "name")``).

    Only the empty choice and the selected one are rendered; the selected one's label is read
    with one query on its primary key (none when nothing is selected). Without JavaScript the
    select still submits and clears the current choice.
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
        found = []
        for obj in field.queryset.filter(pk__in=[c for c in chosen if c.isdigit()]):
            found.append((str(obj.pk), field.label_from_instance(obj)))
        return found
