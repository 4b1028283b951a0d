"""The map's panel on a sample point's page (campaign/panels.py): the point and its open
problems on the map, with a link to the full map. Registered from MapsConfig.ready()."""

from django.http import QueryDict
from django.urls import reverse

from campaign.panels import SAMPLE_POINT, Panel, register_panel


def point_map(request, point) -> dict | None:
    """Only for a point with coordinates: the map reads its problems from the map API, which
    loads them through visible_to like every list."""
    if point.latitude is None or point.longitude is None:
        return None
    query = QueryDict(mutable=True)
    query["sample_point"] = str(point.pk)
    return {"map_query": query.urlencode(), "map_url": f"{reverse('maps:map')}?{query.urlencode()}"}


def register() -> None:
    register_panel(SAMPLE_POINT, Panel(name="map", template="maps/panels/point_map.html", context=point_map,
                                       order=5))
