"""A place given on a public page: WGS-84 inside the city's bounds."""

import math

from django.utils.translation import gettext as _

from ..geo import city_bounds, city_coordinate_errors, gcj02_to_wgs84


def place_to_wgs84(latitude, longitude, *, gcj02: bool = False) -> tuple[float, float]:
    """The point in WGS-84, as it is stored; ``gcj02=True`` for a point picked on a GCJ-02 map
    (most Chinese commercial maps). A phone's GPS (navigator.geolocation) is already WGS-84."""
    latitude, longitude = float(latitude), float(longitude)
    return gcj02_to_wgs84(latitude, longitude) if gcj02 else (latitude, longitude)


def place_errors(latitude, longitude, *, gcj02: bool = False) -> list[str]:
    """Messages for the reporter when the point is not a place in the city (empty when it is,
    or when the city has no bounds yet). The bounds are campaign.geo's: the uploaded district
    boundaries, else the CITY_BOUNDS setting."""
    try:
        latitude, longitude = place_to_wgs84(latitude, longitude, gcj02=gcj02)
    except (TypeError, ValueError):
        return [_("The place has no valid coordinates. Pick it on the map or use your phone's location.")]
    if not (math.isfinite(latitude) and math.isfinite(longitude) and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        return [_("The place has no valid coordinates. Pick it on the map or use your phone's location.")]
    bounds = city_bounds()
    if not city_coordinate_errors(latitude, longitude, bounds=bounds):
        return []
    return [_("This place lies outside the city's area (latitude %(south)s to %(north)s, longitude %(west)s to "
              "%(east)s). Reports can only be taken for places in the city.") % {
        "south": round(bounds.south, 4), "north": round(bounds.north, 4),
        "west": round(bounds.west, 4), "east": round(bounds.east, 4)}]
