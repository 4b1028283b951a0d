"""Small presentation helpers for the server-rendered pages (no chart library: plain SVG)."""

import math
from datetime import timedelta
from decimal import Decimal

from django import template
from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()

# The sparkline's drawing box, in SVG user units (the element scales to its CSS width).
_WIDTH, _HEIGHT, _PAD = 120, 32, 3


@register.filter
def minutes(value) -> int:
    """A timedelta as whole minutes, rounded up (15 min 1 s is "16 minutes")."""
    if isinstance(value, timedelta):
        return math.ceil(value.total_seconds() / 60)
    return value


@register.simple_tag
def indicator_trend(indicator, values, months: int = 12):
    """An inline SVG line of an indicator's last monthly values, with its target dashed.

    ``values`` are IndicatorValue rows in month order. The vertical range spans the values and
    the target (padded), so small changes near a 95 % target stay visible; each month is a dot,
    green when it meets the target and red when not. Each dot's <title> gives month and value.
    """
    values = list(values)[-months:]
    if not values:
        return ""
    numbers = [v.value for v in values]
    top = max([*numbers, indicator.target])
    bottom = min([*numbers, indicator.target])
    pad = (top - bottom) * Decimal("0.15") or (abs(top) * Decimal("0.05")) or Decimal(1)
    top, bottom = top + pad, bottom - pad
    span = top - bottom

    def y(number: Decimal) -> float:
        return round(_PAD + float((top - number) / span) * (_HEIGHT - 2 * _PAD), 2)

    step = (_WIDTH - 2 * _PAD) / max(months - 1, 1)
    start = _PAD + (months - len(values)) * step  # fewer months: the line ends at the right
    points = [(round(start + i * step, 2), y(v.value)) for i, v in enumerate(values)]
    dots = [
        (
            x,
            y_,
            "trend-met" if indicator.is_met(row.value) else "trend-missed",
            row.month.strftime("%Y-%m"),
            number_format(row.value),
        )
        for (x, y_), row in zip(points, values, strict=True)
    ]
    label = _("%(name)s, last %(count)s months, target %(target)s") % {
        "name": indicator.label,
        "count": len(values),
        "target": number_format(indicator.target),
    }
    return format_html(
        '<svg class="trend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}">'
        '<line class="trend-target" x1="0" x2="{w}" y1="{ty}" y2="{ty}"></line>'
        '<polyline class="trend-line" points="{line}"></polyline>{dots}</svg>',
        w=_WIDTH,
        h=_HEIGHT,
        label=label,
        ty=y(indicator.target),
        line=" ".join(f"{x},{y_}" for x, y_ in points),
        dots=format_html_join(
            "", '<circle cx="{}" cy="{}" r="2.5" class="{}"><title>{}: {}</title></circle>', dots
        ),
    )


@register.filter
def absolute(value):
    """The absolute value of a number (days since a date that has passed)."""
    return abs(value) if value is not None else value


@register.filter
def labels(objects) -> str:
    """Objects' labels as one list, with the enumeration comma in Chinese and ", " in English."""
    separator = ", " if (translation.get_language() or "").startswith("en") else "、"
    return separator.join(str(getattr(o, "label", o)) for o in objects)
