"""Filters the report kind templates use to show a snapshot's figures: narrowing a list to the
viewer's scope (reports.selectors.viewer_scope), names in the reader's language, rates, and the
labels of choice codes kept in the data."""

from django import template
from django.utils import translation

from ledger.choices import Severity, Source, Status
from reports.selectors import row_in_scope

register = template.Library()

_CHOICES = {"severity": Severity, "source": Source, "status": Status}


def _get(row, key):
    return row.get(key) if isinstance(row, dict) else getattr(row, key, None)


@register.filter
def in_scope(row, scope) -> bool:
    """Whether a list row lies in the viewer's scope (reports.selectors.row_in_scope)."""
    return row_in_scope(row, scope)


@register.filter
def scoped(rows, scope) -> list:
    """The rows of a list that lie in the viewer's scope (see in_scope)."""
    return [row for row in rows or [] if in_scope(row, scope)]


@register.filter
def label(row, field: str = "name") -> str:
    """A name kept in Chinese (``field``) and English (``field``_en), in the reader's language."""
    english = _get(row, f"{field}_en")
    if english and (translation.get_language() or "").startswith("en"):
        return english
    return _get(row, field) or ""


@register.filter
def percent(rate) -> str:
    """A rate kept as {numerator, denominator, value} shown to 0.1 %; "—" when it has no denominator."""
    value = _get(rate, "value") if rate is not None else None
    if value is None:
        return "—"
    return f"{value * 100:.1f} %"


@register.filter
def fraction(rate) -> str:
    """The rate's numerator and denominator, e.g. "3/4"."""
    if rate is None:
        return ""
    return f"{_get(rate, 'numerator')}/{_get(rate, 'denominator')}"


@register.filter
def choice_label(value, kind: str) -> str:
    """The label of a severity, source or status code, in the reader's language."""
    choices = _CHOICES[kind]
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""
