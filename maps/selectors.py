"""What the map shows, read through each model's ``visible_to`` scoping and the lists' FilterSets.

Answers are GeoJSON FeatureCollections. Coordinates are stored in WGS-84; when the tile server
is GCJ-02 (``MAP_TILE_CRS``) they are shifted for display here, server-side, by campaign.geo
(the one tested implementation), and the answer says so in ``display_crs``. A bounding box
sent by the map (``bbox``) is in the display system and is converted back before querying.

Large ledgers: problems are open ones only unless a status filter is given, only those in the
bounding box when one is sent, and at most ``MAP_MAX_FEATURES`` (newest found first); the
answer carries ``total`` (counted no further than ``COUNT_LIMIT``) and ``shown``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import geo
from campaign.filters import SamplePointFilterSet
from campaign.models import District, DistrictBoundary, Grid, GridBoundary, SamplePoint
from ledger.choices import OPEN_STATUSES, Status
from ledger.pagination import bounded_count

COUNT_LIMIT = 100_000
# Ledger filters that choose statuses: with none of them the map shows open problems only.
STATUS_FILTERS = ("status", "open", "overdue", "closed_from", "closed_to")
# The ledger's filters that also narrow sample points (SamplePointFilterSet has the same names).
POINT_FILTERS = ("district", "category", "team", "responsible_unit")


class MapQueryError(ValueError):
    """A bad map parameter: ``errors`` is {parameter: [message]} (a 400 naming it)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class MapWindow:
    bbox: geo.Bounds | None  # WGS-84
    limit: int


def map_window(params) -> MapWindow:
    """The ``bbox`` (west,south,east,north in the display system) and ``limit`` parameters."""
    errors: dict[str, list[str]] = {}
    bbox = None
    if params.get("bbox") not in (None, ""):
        try:
            west, south, east, north = (float(part) for part in params["bbox"].split(","))
        except ValueError:
            errors["bbox"] = [_("Give four numbers: west,south,east,north.")]
        else:
            if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
                errors["bbox"] = [_("Need -180 <= west < east <= 180 and -90 <= south < north <= 90.")]
            else:
                if geo.tiles_are_gcj02():
                    south, west = geo.gcj02_to_wgs84(south, west)
                    north, east = geo.gcj02_to_wgs84(north, east)
                bbox = geo.Bounds(south=south, west=west, north=north, east=east)
    limit = settings.MAP_MAX_FEATURES
    if params.get("limit") not in (None, ""):
        try:
            limit = int(params["limit"])
        except ValueError:
            limit = 0
        if not 1 <= limit <= settings.MAP_MAX_FEATURES:
            errors["limit"] = [_("Give a whole number from 1 to %(max)s.") % {"max": settings.MAP_MAX_FEATURES}]
    if errors:
        raise MapQueryError(errors)
    return MapWindow(bbox=bbox, limit=limit)


def _in_box(queryset, bbox: geo.Bounds | None):
    queryset = queryset.filter(latitude__isnull=False, longitude__isnull=False)
    if bbox is None:
        return queryset
    return queryset.filter(latitude__gte=bbox.south, latitude__lte=bbox.north,
                           longitude__gte=bbox.west, longitude__lte=bbox.east)


def _point(lat, lon) -> dict:
    lat, lon = geo.to_display(lat, lon)
    return {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}


def _collection(features: list, *, total: int, more: bool, limit: int, **extra) -> dict:
    return {
        "type": "FeatureCollection",
        "display_crs": settings.MAP_TILE_CRS,
        "total": total,
        "total_is_lower_bound": more,
        "shown": len(features),
        "limit": limit,
        **extra,
        "features": features,
    }


def map_problems(filtered, params, window: MapWindow) -> dict:
    """Problems of ``filtered`` (the ledger's FilterSet over ``Problem.objects.visible_to``)."""
    open_only = not any(params.get(name) not in (None, "") for name in STATUS_FILTERS)
    if open_only:
        filtered = filtered.filter(status__in=OPEN_STATUSES)
    matches = _in_box(filtered, window.bbox)
    total, more = bounded_count(matches, COUNT_LIMIT)
    rows = matches.order_by("-found_at", "-pk").values_list(
        "pk", "code", "status", "deadline", "latitude", "longitude", "description", "sample_point_id",
    )[: window.limit]
    today = timezone.localdate()
    labels = dict(Status.choices)
    features = []
    for pk, code, status, deadline, lat, lon, description, point_id in rows:
        overdue = status in OPEN_STATUSES and deadline is not None and deadline < today
        features.append({
            "type": "Feature",
            "id": pk,
            "geometry": _point(lat, lon),
            "properties": {
                "kind": "problem",
                "code": code,
                "status": status,
                "status_label": str(labels.get(status, status)),
                "overdue": overdue,
                "deadline": deadline.isoformat() if deadline else None,
                "description": description[:120],
                "sample_point": point_id,
                "url": reverse("ledger:problem_detail", args=[pk]),
            },
        })
    return _collection(features, total=total, more=more, limit=window.limit, open_only=open_only)


def map_sample_points(user, visible_problems, params, window: MapWindow, *, request=None) -> dict:
    """Active sample points the user may see with coordinates, narrowed by the ledger filters
    that apply to points, each with its count of open and overdue problems (of those visible)."""
    data = {name: params[name] for name in POINT_FILTERS if params.get(name) not in (None, "")}
    filterset = SamplePointFilterSet(data, queryset=SamplePoint.objects.visible_to(user), request=request)
    if not filterset.is_valid():
        raise MapQueryError({name: [str(e) for e in errors] for name, errors in filterset.errors.items()})
    points = filterset.qs.filter(active=True)
    if params.get("sample_point") not in (None, ""):
        points = points.filter(pk=params["sample_point"]) if str(params["sample_point"]).isdigit() else points.none()
    matches = _in_box(points, window.bbox)
    total, more = bounded_count(matches, COUNT_LIMIT)
    rows = list(matches.order_by("code").values_list("pk", "code", "name", "latitude", "longitude")[: window.limit])
    today = timezone.localdate()
    counts = {
        point_id: (n_open, n_overdue)
        for point_id, n_open, n_overdue in visible_problems.filter(
            sample_point_id__in=[row[0] for row in rows], status__in=OPEN_STATUSES,
        ).order_by().values("sample_point_id").annotate(
            n_open=Count("pk"), n_overdue=Count("pk", filter=Q(deadline__lt=today)),
        ).values_list("sample_point_id", "n_open", "n_overdue")
    }
    features = []
    for pk, code, name, lat, lon in rows:
        n_open, n_overdue = counts.get(pk, (0, 0))
        features.append({
            "type": "Feature",
            "id": pk,
            "geometry": _point(lat, lon),
            "properties": {
                "kind": "sample_point",
                "code": code,
                "name": name,
                "open_problems": n_open,
                "overdue_problems": n_overdue,
                "url": reverse("campaign:sample_point_detail", args=[pk]),
            },
        })
    return _collection(features, total=total, more=more, limit=window.limit)


def map_boundaries(user) -> dict:
    """The uploaded boundaries of the districts and grids the user may see, and the city's
    bounds (``campaign.geo.city_bounds``) as the collection's bbox."""
    features = []
    for kind, model, area_model, field in (("district", DistrictBoundary, District, "district"),
                                           ("grid", GridBoundary, Grid, "grid")):
        visible = area_model.objects.visible_to(user)
        for boundary in model.objects.filter(**{f"{field}__in": visible}).select_related(field).order_by(f"{field}__code"):
            area = getattr(boundary, field)
            features.append({
                "type": "Feature",
                "id": f"{kind}-{area.pk}",
                "geometry": geo.geometry_to_display({"type": boundary.geometry["type"],
                                                     "coordinates": boundary.geometry["coordinates"]}),
                "properties": {"kind": kind, "code": area.code, "name": str(area)},
            })
    answer = {"type": "FeatureCollection", "display_crs": settings.MAP_TILE_CRS}
    bounds = geo.city_bounds()
    if bounds is not None:  # the city's box (RFC 7946 "bbox": west, south, east, north), for the first view
        south, west = geo.to_display(bounds.south, bounds.west)
        north, east = geo.to_display(bounds.north, bounds.east)
        answer["bbox"] = [west, south, east, north]
    return {**answer, "features": features}
