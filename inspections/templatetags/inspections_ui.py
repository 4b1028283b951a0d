"""Small presentation helpers of the planning and results pages (plain SVG and CSS bars)."""

from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from campaign.choices import Role

from ..services import INSPECTING_ROLES

register = template.Library()

# Roles that have rounds to see (Round.objects.visible_to is empty for the others).
ROUND_ROLES = frozenset({Role.HQ_STAFF, Role.LEADER, Role.DISTRICT_LEAD, Role.INSPECTOR})

# The sparkline's drawing box, in SVG user units (the same size as campaign_ui's trend).
_WIDTH, _HEIGHT, _PAD = 120, 32, 3
# Scores at or above this read as good, below LOW as poor (only the colour of a badge or dot).
GOOD, LOW = Decimal("90"), Decimal("60")


def _url(name: str, fallback: str, *args) -> str:
    # The field pages are built alongside; until their names exist, the path is the contract.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


@register.simple_tag(takes_context=True)
def inspections_menu(context) -> dict:
    """What the Inspections menu (and the "Inspect this point" button) offers this user: the
    same roles the views accept, so nobody is shown a link that answers 403."""
    user = context.get("user")
    if not (user and user.is_authenticated and user.is_active):
        return {"shown": False, "can_start": False, "can_see_rounds": False}
    role = Role.HQ_STAFF if user.is_superuser else user.role
    return {
        "shown": role != Role.PUBLIC,
        "can_start": role in INSPECTING_ROLES,
        "can_see_rounds": role in ROUND_ROLES,
    }


@register.simple_tag
def inspection_start_url(round_point) -> str:
    base = _url("inspections:inspection_start", "/inspections/start/")
    return f"{base}?round_point={round_point.pk}"


@register.simple_tag
def inspection_url(inspection) -> str:
    return _url("inspections:inspection_detail", f"/inspections/{inspection.pk}/", inspection.pk)


def _tone(score) -> str:
    if score is None:
        return "secondary"
    score = Decimal(str(score))
    if score >= GOOD:
        return "success"
    if score >= LOW:
        return "warning"
    return "danger"


@register.simple_tag
def score_badge(score):
    """A score as a coloured badge (green 90 and above, amber from 60, red below); – if none."""
    if score is None:
        return format_html('<span class="text-body-secondary">–</span>')
    tone = _tone(score)
    text_class = "text-bg-warning" if tone == "warning" else f"text-bg-{tone}"
    return format_html('<span class="badge {} score-badge" data-score="{}">{}</span>',
                       text_class, number_format(Decimal(str(score)), 1), number_format(Decimal(str(score)), 1))


@register.simple_tag
def score_bar(score):
    """A horizontal bar 0–100 for a score (Bootstrap's progress)."""
    if score is None:
        return ""
    value = max(Decimal("0"), min(Decimal("100"), Decimal(str(score))))
    return format_html(
        '<progress class="app-progress app-progress-xs is-{}" aria-label="{}" max="100" value="{}">{}</progress>',
        _tone(value), _("Score"), f"{value:.1f}", number_format(value, 1),
    )


@register.simple_tag
def done_bar(done: int, total: int):
    """Done out of all as a bar, with the share in its label."""
    share = round(100 * done / total) if total else 0
    return format_html(
        '<progress class="app-progress app-progress-sm is-success" aria-label="{}" max="100" value="{}">{}%</progress>',
        _("%(done)s of %(total)s done") % {"done": done, "total": total}, share, share,
    )


@register.simple_tag
def score_trend(series, periods: int = 12):
    """An inline SVG line of average scores per period, on a fixed 0–100 scale so that lines of
    different districts compare; each period is a dot whose <title> gives period and average."""
    series = [(period, value) for period, value in series if value is not None][-periods:]
    if not series:
        return ""

    def y(value) -> float:
        value = max(0.0, min(100.0, float(value)))
        return round(_PAD + (100.0 - value) / 100.0 * (_HEIGHT - 2 * _PAD), 2)

    step = (_WIDTH - 2 * _PAD) / max(periods - 1, 1)
    start = _PAD + (periods - len(series)) * step
    points = [(round(start + i * step, 2), y(value)) for i, (_p, value) in enumerate(series)]
    dots = [
        (x, y_, "trend-met" if _tone(value) == "success" else ("trend-missed" if _tone(value) == "danger" else
                                                                "trend-mid"),
         period.strftime("%Y-%m-%d") if hasattr(period, "strftime") else period, number_format(value, 1))
        for (x, y_), (period, value) in zip(points, series, strict=True)
    ]
    label = _("Average score over the last %(count)s periods") % {"count": len(series)}
    return format_html(
        '<svg class="trend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}">'
        '<line class="trend-target" x1="0" x2="{w}" y1="{ty}" y2="{ty}"></line>'
        '<polyline class="trend-line" points="{line}"></polyline>{dots}</svg>',
        w=_WIDTH, h=_HEIGHT, label=label, ty=y(GOOD),
        line=" ".join(f"{x},{y_}" for x, y_ in points),
        dots=format_html_join("", '<circle cx="{}" cy="{}" r="2.5" class="{}"><title>{}: {}</title></circle>', dots),
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
