"""``{% map_config as map %}``: what the map partial needs (its tile layers), so any page can
include ``maps/_map.html`` without a view of its own. No query: the pages that embed the map
keep their query budget; the city's bounds come with the boundaries from the API."""

import json

from django import template

from ..tiles import tile_layers

register = template.Library()


@register.simple_tag
def map_config() -> dict:
    return {"tiles": json.dumps(tile_layers())}
