"""Badges and small labels of the ledger's pages."""

from functools import lru_cache
from html import escape

from django import template
from django.forms import ModelChoiceField
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaign.filters import is_shared_form_class
from campaign.widgets import SearchSelect

from ..choices import OPEN_STATUSES, Severity, Status, choice_label

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
    return _overdue_badge(days)


def _overdue_badge(days: int) -> str:
    text = ngettext("Overdue %(days)s day", "Overdue %(days)s days", days) % {"days": days}
    return format_html('<span class="badge text-bg-danger overdue-badge" data-days="{}">{}</span>', days, text)


@register.simple_tag
def rejected_badge(problem):
    if not problem.rejection_count:
        return ""
    return _rejected_badge(problem.rejection_count)


def _rejected_badge(count: int) -> str:
    text = ngettext("Rejected once", "Rejected %(count)s times", count) % {"count": count}
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


# --- The ledger list's rows, written out in Python -------------------------------------------------
# Fifty rows through the template engine (a node, a variable lookup and an escape per cell, a tag
# call per badge) were a third of the ledger page's time. ``problem_rows`` writes the same HTML
# in one pass: every label, badge and translation is made once per list, not once per row.
# ledger/tests/test_problem_rows.py renders the template it replaces beside it and compares.

def _ymd(day) -> str:
    """``|date:"Y-m-d"`` of a date."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


class _Once(dict):
    """A value per key, made by ``make`` the first time the key is asked for.

    With ``kept`` (a name), the values made are also kept for the process, per language: a
    label or badge depends only on its key and the language, and a page's forty-odd of them
    (statuses, units, districts…) were a few percent of the page's time (cProfile) made afresh. A name renamed is a new
    key. At most KEPT_PER_KIND values are kept per kind and language; past that they are made
    per list, as before."""

    def __init__(self, make, kept=None):
        super().__init__()
        self.make = make
        self.kept = _KEPT.setdefault((translation.get_language(), kept), {}) if kept else None

    def __missing__(self, key):
        kept = self.kept
        value = kept.get(key) if kept is not None else None
        if value is None:
            value = self.make(key)
            if kept is not None and len(kept) < KEPT_PER_KIND:
                kept[key] = value
        self[key] = value
        return value


KEPT_PER_KIND = 5000
_KEPT: dict = {}


# What a row shows, as ``values(*LIST_ROW_VALUES)`` reads it: the ledger page reads its rows so,
# without a model instance per problem and per related name.
LIST_ROW_VALUES = (
    "pk", "code", "description", "status", "severity", "rejection_count", "version", "found_at", "deadline",
    "district__name", "district__name_en", "category__name_zh", "category__name_en", "responsible_unit_id",
    "responsible_unit__name", "responsible_unit__name_en", "sample_point_id", "sample_point__name",
)


def list_row(problem) -> dict:
    """A problem (with its district, category, unit and sample point) as a row of LIST_ROW_VALUES."""
    district, category = problem.district, problem.category
    unit, point = problem.responsible_unit, problem.sample_point
    return {
        "pk": problem.pk, "code": problem.code, "description": problem.description, "status": problem.status,
        "severity": problem.severity, "rejection_count": problem.rejection_count, "version": problem.version,
        "found_at": problem.found_at, "deadline": problem.deadline,
        "district__name": district.name, "district__name_en": district.name_en,
        "category__name_zh": category.name_zh, "category__name_en": category.name_en,
        "responsible_unit_id": unit.pk if unit is not None else None,
        "responsible_unit__name": unit.name if unit is not None else None,
        "responsible_unit__name_en": unit.name_en if unit is not None else None,
        "sample_point_id": point.pk if point is not None else None,
        "sample_point__name": point.name if point is not None else None,
    }


@register.simple_tag
def problem_rows(problems, selectable=False):
    """The ``<tr>`` of each problem of a list (ledger/_problem_rows.html), as its template wrote
    them: the same cells, escaping, badges and translations. ``problems`` are rows read with
    ``values(*LIST_ROW_VALUES)`` (the ledger page) or problems with their related objects."""
    english = (translation.get_language() or "").startswith("en")
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    prefix = escape(_problem_path_prefix(get_script_prefix()))
    # The cells' labels, escaped once; each row is one f-string (str.format with twenty named
    # fields parsed its template and built a dict per row: a third of the rows' time).
    t_select, t_description, t_status, t_district, t_category, t_unit, t_found, t_deadline = (escape(label) for label in (
        _("Select"), _("Description"), _("Status"), _("District"), _("Category"), _("Responsible unit"),
        _("Found on"), _("Deadline")))
    statuses = _Once(lambda status: format_html(
        '<span class="badge {} status-badge" data-status="{}">{}</span>',
        STATUS_STYLE.get(status, "text-bg-secondary"), status, choice_label(Status, status)), "status")
    severities = _Once(lambda severity: (
        format_html('<span class="badge {}">{}</span>', SEVERITY_STYLE[severity], choice_label(Severity, severity))
        if SEVERITY_STYLE.get(severity, "") else ""), "severity")
    rejections = _Once(lambda count: _rejected_badge(count) if count else "", "rejections")
    overdue = _Once(lambda days: _overdue_badge(days) if days else "", "overdue")
    # BilingualName.label (district, unit) and Category.label, once per name and language.
    names = _Once(lambda name: escape(name[1] if (english and name[1]) else name[0]), "name")
    categories = _Once(lambda name: escape(name[1] if english else name[0]), "category")
    out = []
    for row in problems:
        if not isinstance(row, dict):
            row = list_row(row)
        pk, code, deadline, found = row["pk"], escape(row["code"]), row["deadline"], row["found_at"]
        days = (today - deadline).days if deadline and row["status"] in OPEN_STATUSES else 0
        badge = overdue[max(0, days)]
        point = row["sample_point__name"] if row["sample_point_id"] is not None else None
        point = f'<div class="small text-body-secondary">{escape(point)}</div>' if point is not None else ""
        unit = names[row["responsible_unit__name"], row["responsible_unit__name_en"]] if (
            row["responsible_unit_id"] is not None) else ""
        select = (f'<td data-label="{t_select}"><input class="form-check-input" type="checkbox" name="problems" '
                  f'value="{pk}" aria-label="{code}"><input type="hidden" name="version-{pk}" value="{row["version"]}">'
                  f'</td>') if selectable else ""
        out.append(
            f'\n      <tr data-problem="{code}">\n        {select}\n'
            f'        <td class="stack-title text-nowrap"><a href="{prefix}{pk}/">{code}</a>\n'
            f'          <span class="d-md-none">{badge}</span></td>\n'
            f'        <td data-label="{t_description}"><div>{escape(short(row["description"], 60))}\n'
            f'          {point}</div></td>\n'
            f'        <td data-label="{t_status}"><div class="d-flex flex-wrap gap-1">{statuses[row["status"]]} '
            f'{severities[row["severity"]]} {rejections[row["rejection_count"]]}</div></td>\n'
            f'        <td data-label="{t_district}">{names[row["district__name"], row["district__name_en"]]}</td>\n'
            f'        <td data-label="{t_category}">{categories[row["category__name_zh"], row["category__name_en"]]}</td>\n'
            f'        <td data-label="{t_unit}">{unit or "—"}</td>\n'
            f'        <td data-label="{t_found}" class="text-nowrap">{_ymd(found.astimezone(zone)) if found else ""}</td>\n'
            f'        <td data-label="{t_deadline}"><div class="d-flex flex-wrap gap-1"><span class="text-nowrap">'
            f'{_ymd(deadline) if deadline else "—"}</span> {badge}</div></td>\n'
            f'      </tr>\n    '
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or format_html


def _kept_label(field, raw) -> str | None:
    """The option label ``SearchSelect`` shows for the one row chosen in ``field``, from the
    row the field kept checking the value (campaign/filters.py), or None."""
    chosen = [str(value) for value in raw if value not in (None, "")]
    kept = getattr(field, "rows_found", None) or {}
    if not isinstance(field.widget, SearchSelect) or len(chosen) != 1 or chosen[0] not in kept:
        return None
    row = kept[chosen[0]]
    if str(row.pk) != chosen[0]:
        return None
    return str(field.label_from_instance(row))


@register.filter
def filter_fields_key(form, skip=""):
    """The key of ledger/_filter_fields.html's output for ``form`` (all its fields but ``skip``),
    for ``{% memo %}`` (campaign/templatetags/fragment_memo.py): the fields' raw values as sent
    and, for a row chosen in a searched select (``SearchSelect`` shows only the chosen row),
    that row's label as the field found it checking the value. None (no memo) when the fields
    read more than that: an error, or a chosen row the field did not keep (its label would be
    read from the database)."""
    unbuilt = getattr(form, "memo_key_unbuilt", None)  # ledger.views.problems.FilterFormOnDemand
    if unbuilt is not None:
        key = unbuilt(skip)
        if key is not None:
            return key
        form = form.form
    if not is_shared_form_class(type(form)) or (form.is_bound and form.errors):
        return None
    return fields_key(form, type(form), skip)


def fields_key(form, form_class, skip=""):
    """``filter_fields_key`` of a checked form without errors, of the kept class ``form_class``
    or of some of its fields (``ScopedFilterSet.sent_fields_form``: a field the form lacks was
    not sent). None when a chosen row's label is not known."""
    data = form.data if form.is_bound else None
    values = []
    for name, declared in form_class.base_fields.items():
        if name == skip:
            continue
        raw = ()
        if data is not None:
            key = form.add_prefix(name)
            raw = tuple(data.getlist(key)) if hasattr(data, "getlist") else (data.get(key),)
        if isinstance(declared, ModelChoiceField) and any(value not in (None, "") for value in raw):
            field = form.fields.get(name)
            label = _kept_label(field, raw) if field is not None else None
            if label is None:
                return None
            values.append((name, raw, label))
            continue
        values.append((name, raw))
    return (form_class, form.prefix, form.is_bound, skip, tuple(values))
