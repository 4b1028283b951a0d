"""Template filters of the public channel's staff pages."""

from django import template

from ledger.choices import Severity

register = template.Library()


@register.filter
def severity_label(value) -> str:
    """The translated label of a stored severity value ("serious" → 较重); "" for none, the
    value itself for one the choices no longer know."""
    if not value:
        return ""
    return str(Severity(value).label) if value in Severity.values else str(value)
