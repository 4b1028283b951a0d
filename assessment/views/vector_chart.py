"""A small inline SVG line chart (no script, no CDN) of one indicator's monthly value per
district, with the level C limit as a dashed line: drawn on the server so it prints and works
on any phone."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
COLOURS = ("#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384")


def trend_chart(trend: dict, indicator: str, limits: dict) -> dict:
    """The chart's markup and its legend: {"svg": safe markup, "legend": [(colour, name)]}."""
    months = trend["months"]
    series = []
    for row in trend["rows"]:
        values = [cell["values"].get(indicator) for cell in row["cells"]]
        series.append((str(row["district"]), values))
    limit_c = limits.get("C")
    peak = max([v for _name, values in series for v in values if v is not None] + [limit_c or Decimal(1)])
    top = float(peak) * 1.15 or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(months) - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step

    def y(value) -> float:
        return TOP + plot_h - float(value) / top * plot_h

    parts = [format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#adb5bd"/>', LEFT, TOP + plot_h,
                         WIDTH - RIGHT, TOP + plot_h)]
    for fraction in (0, 0.5, 1):
        value = top * fraction
        parts.append(format_html('<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#6c757d">{}</text>',
                                 LEFT - 4, round(y(value), 1) + 3, f"{value:.1f}"))
    for i, month in enumerate(months):
        if len(months) <= 6 or i % 2 == 0:
            parts.append(format_html('<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#6c757d">{}</text>',
                                     round(x(i), 1), HEIGHT - 8, month.strftime("%Y-%m")))
    if limit_c is not None:
        parts.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#dc3545" stroke-dasharray="4 3"/>'
            '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#dc3545">{}</text>',
            LEFT, round(y(limit_c), 1), WIDTH - RIGHT, round(y(limit_c), 1), WIDTH - RIGHT, round(y(limit_c), 1) - 3,
            _("Level C limit %(value)s") % {"value": limit_c}))
    legend = []
    for index, (name, values) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        legend.append((colour, name))
        points = [(round(x(i), 1), round(y(v), 1)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            parts.append(format_html('<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>', colour,
                                     " ".join(f"{px},{py}" for px, py in points)))
        parts.append(format_html_join("", '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}</title></circle>',
                                      ((px, py, colour, name) for px, py in points)))
    svg = format_html('<svg class="w-100 h-auto" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
                      WIDTH, HEIGHT, _("Monthly value per district"), mark_safe("".join(parts)))  # noqa: S308 (parts are format_html output)
    return {"svg": svg, "legend": legend}
