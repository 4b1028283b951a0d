"""Badges and small labels of the ledger's pages."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..choices import Severity, Status, choice_label

register = template.Library()

STATUS_STYLE = {
    Status.FOUND: "text-bg-secondary",
    Status.ASSIGNED: "text-bg-info",
    Status.RECTIFYING: "text-bg-primary",
    Status.CLOSING_APPLIED: "text-bg-warning",
    Status.CLOSED: "text-bg-success",
    Status.INVALID: "text-bg-light border",
}
SEVERITY_STYLE = {
    Severity.GENERAL: "",
    Severity.SERIOUS: "text-bg-warning",
    Severity.URGENT: "text-bg-danger",
}


@register.simple_tag
def status_badge(problem):
    return format_html(
        '<span class="badge {} status-badge" data-status="{}">{}</span>',
        STATUS_STYLE.get(problem.status, "text-bg-secondary"), problem.status, choice_label(Status, problem.status),
    )


@register.simple_tag
def severity_badge(problem):
    style = SEVERITY_STYLE.get(problem.severity, "")
    if not style:
        return ""
    return format_html('<span class="badge {}">{}</span>', style, choice_label(Severity, problem.severity))


@register.simple_tag
def overdue_badge(problem):
    """"Overdue 3 days" in red for an open problem past its deadline; nothing otherwise."""
    days = problem.days_overdue
    if not days:
        return ""
    text = ngettext("Overdue %(days)s day", "Overdue %(days)s days", days) % {"days": days}
    return format_html('<span class="badge text-bg-danger overdue-badge" data-days="{}">{}</span>', days, text)


@register.simple_tag
def rejected_badge(problem):
    if not problem.rejection_count:
        return ""
    text = ngettext("Rejected once", "Rejected %(count)s times", problem.rejection_count) % {
        "count": problem.rejection_count
    }
    return format_html('<span class="badge text-bg-warning">{}</span>', text)


@register.filter
def status_label(value):
    """A status code as its label (events keep the code)."""
    if not value:
        return ""
    try:
        return Status(value).label
    except ValueError:
        return value


@register.filter
def short(text, length=60):
    """The first ``length`` characters of a text, on one line (Chinese has no words to cut at)."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


@register.simple_tag
def more_label(count, more):
    return _("%(count)s+") % {"count": count} if more else str(count)


@register.simple_tag
def problem_url(problem):
    """A problem's page, without a URL reverse per row of a list: the path is reversed once
    per process and language prefix and the id appended."""
    return _problem_path_prefix(get_script_prefix()) + f"{problem.pk}/"


@lru_cache(maxsize=8)
def _problem_path_prefix(script_prefix: str) -> str:
    path = reverse("ledger:problem_detail", args=[1])
    return path[: -len("1/")]


@register.simple_tag(takes_context=True)
def source_ref_link(context, ref):
    """A problem's source reference as a link to its source with a human name ("inspection:37"
    becomes the inspection's point and date), or as text (ledger/sources.py)."""
    from ..sources import source_link

    link = source_link(ref, context["request"].user)
    if link is None:
        return ""
    if link.url is None:
        return link.text
    return format_html('<a href="{}" data-source-ref="{}">{}</a>', link.url, ref, link.text)
