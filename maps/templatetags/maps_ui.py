"""``{% map_config as map %}``: what the map partial needs (tile layers, the city's bounds in
the display system), so any page can include ``maps/_map.html`` without a view of its own."""

import json

from django import template

from campaign import geo

from ..tiles import tile_layers

register = template.Library()


@register.simple_tag
def map_config() -> dict:
    bounds = geo.city_bounds()
    box = None
    if bounds is not None:
        south, west = geo.to_display(bounds.south, bounds.west)
        north, east = geo.to_display(bounds.north, bounds.east)
        box = [[south, west], [north, east]]
    return {"tiles": json.dumps(tile_layers()), "bounds": json.dumps(box)}
