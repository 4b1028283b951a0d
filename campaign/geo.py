"""Coordinates: China's two coordinate systems, distances, boundaries and the city's bounds.

Every coordinate the application stores is WGS-84 (what a phone's GPS gives) and every
distance is computed in WGS-84. GCJ-02 (the "Mars" system of many Chinese map services) is
used only to *display* points over a tile server declared as GCJ-02 (``MAP_TILE_CRS``) and to
*read* boundary files declared as GCJ-02 (``GEOJSON_UPLOAD_CRS``); ``wgs84_to_gcj02`` and
``gcj02_to_wgs84`` are the only conversions, the published transform (the same one as the
open-source "eviltransform" and "coordtransform"), with no shift outside China.

Boundaries are GeoJSON Polygon/MultiPolygon geometries stored on ``District.boundary`` and
``Grid.boundary``; ``parse_boundaries`` validates an upload, ``district_for_point`` and
``grid_for_point`` find the area a point lies in, and ``city_bounds`` is the box other features
check coordinates against (the district boundaries' extent, else the ``CITY_BOUNDS`` setting).
Pure functions apart from the last three, which read the loaded boundaries.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

# --- WGS-84 <-> GCJ-02 ------------------------------------------------------------------------

# The Krasovsky 1940 ellipsoid the published transform is defined on.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323


def outside_china(lat: float, lon: float) -> bool:
    """The transform's own rectangle: outside it GCJ-02 equals WGS-84."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    result = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    result += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    result += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    result += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return result


def _shift_lon(x: float, y: float) -> float:
    result = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    result += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    result += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    result += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return result


def _gcj_offset(lat: float, lon: float) -> tuple[float, float]:
    d_lat = _shift_lat(lon - 105.0, lat - 35.0)
    d_lon = _shift_lon(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _KRASOVSKY_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_KRASOVSKY_A * (1 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_KRASOVSKY_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in GCJ-02 of a WGS-84 point; unchanged outside China."""
    lat, lon = float(lat), float(lon)
    if outside_china(lat, lon):
        return lat, lon
    d_lat, d_lon = _gcj_offset(lat, lon)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in WGS-84 of a GCJ-02 point, by fixed-point iteration (to under a centimetre)."""
    lat, lon = float(lat), float(lon)
    if outside_china(lat, lon):
        return lat, lon
    wgs_lat, wgs_lon = lat, lon
    for _step in range(30):
        gcj_lat, gcj_lon = wgs84_to_gcj02(wgs_lat, wgs_lon)
        err_lat, err_lon = gcj_lat - lat, gcj_lon - lon
        wgs_lat, wgs_lon = wgs_lat - err_lat, wgs_lon - err_lon
        if abs(err_lat) < 1e-9 and abs(err_lon) < 1e-9:
            break
    return wgs_lat, wgs_lon


# --- Distance -----------------------------------------------------------------------------------

EARTH_MEAN_RADIUS_M = 6371008.8  # IUGG mean radius of the WGS-84 ellipsoid


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (haversine, mean radius)."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lon2) - float(lon1))
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


# --- Display ------------------------------------------------------------------------------------


def tiles_are_gcj02() -> bool:
    return settings.MAP_TILE_CRS == "gcj02"


def to_display(lat: float, lon: float) -> tuple[float, float]:
    """A stored (WGS-84) point as the map's tiles expect it: shifted to GCJ-02 when they are."""
    if tiles_are_gcj02():
        return wgs84_to_gcj02(lat, lon)
    return float(lat), float(lon)


def map_geometry(geometry: dict, convert) -> dict:
    """A Polygon/MultiPolygon geometry with ``convert(lat, lon) -> (lat, lon)`` applied to every
    position (GeoJSON positions are [lon, lat])."""

    def ring(positions):
        return [[*reversed(convert(p[1], p[0])), *p[2:]] for p in positions]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}


def geometry_to_display(geometry: dict) -> dict:
    return map_geometry(geometry, wgs84_to_gcj02) if tiles_are_gcj02() else geometry


# --- GeoJSON boundaries -------------------------------------------------------------------------

POLYGON_TYPES = ("Polygon", "MultiPolygon")
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                  "GeometryCollection")
# Names a GeoJSON "crs" member may carry for longitude/latitude on WGS-84. CGCS2000 (EPSG:4490),
# China's national geographic system, agrees with WGS-84 to a few centimetres: taken as WGS-84.
WGS84_CRS_NAMES = {
    "urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84", "crs84", "ogc:crs84",
    "epsg:4326", "urn:ogc:def:crs:epsg::4326", "urn:ogc:def:crs:epsg:6.6:4326",
    "epsg:4490", "urn:ogc:def:crs:epsg::4490",
}


class GeoJSONError(ValueError):
    """An upload that is refused; ``messages`` says every reason (all or nothing)."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


@dataclass(frozen=True)
class BoundaryFeature:
    index: int  # position in the file's "features" (0-based, as in features[index])
    properties: dict
    geometry: dict  # Polygon or MultiPolygon, WGS-84


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_rings(rings: Any, where: str) -> str | None:
    """None when ``rings`` is a polygon's list of linear rings in lon/lat degrees, else why not."""
    if not isinstance(rings, list) or not rings:
        return _("%(where)s: a polygon needs at least one ring of positions.") % {"where": where}
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            return _("%(where)s: a ring needs at least 4 positions (the first repeated last).") % {"where": where}
        for position in ring:
            if not isinstance(position, list) or len(position) < 2 or not all(_is_number(v) for v in position[:3]):
                return _("%(where)s: %(position)s is not a position [longitude, latitude].") % {
                    "where": where, "position": json.dumps(position)[:60]}
            lon, lat = position[0], position[1]
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                return _(
                    "%(where)s: the coordinate [%(lon)s, %(lat)s] is not longitude/latitude in degrees "
                    "(projected coordinates in metres?). Export the boundaries from your GIS as WGS-84 "
                    "longitude/latitude (EPSG:4326)."
                ) % {"where": where, "lon": lon, "lat": lat}
        if ring[0][:2] != ring[-1][:2]:
            return _("%(where)s: a ring must end at its first position.") % {"where": where}
    return None


def _declared_crs_error(crs: Any) -> str | None:
    name = None
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        name = crs["properties"].get("name")
    if isinstance(name, str) and name.strip().lower() in WGS84_CRS_NAMES:
        return None
    return _(
        "The file declares the coordinate system %(crs)s. Boundaries must be WGS-84 longitude/latitude "
        "(CRS84, EPSG:4326): export them again in that system."
    ) % {"crs": json.dumps(name if name else crs, ensure_ascii=False)[:80]}


def parse_boundaries(data: bytes, *, source_crs: str | None = None) -> list[BoundaryFeature]:
    """The polygons of a GeoJSON FeatureCollection, in WGS-84, or GeoJSONError with every reason.

    Refused: larger than ``GEOJSON_MAX_MB``, not UTF-8 JSON, not a GeoJSON FeatureCollection, a
    feature that is not a Polygon/MultiPolygon, coordinates that are not lon/lat degrees, a
    declared ``crs`` other than WGS-84, an invalid polygon (self-intersecting, …). A file in
    GCJ-02 (``source_crs`` or the setting ``GEOJSON_UPLOAD_CRS``) is converted to WGS-84.
    """
    source_crs = source_crs or settings.GEOJSON_UPLOAD_CRS
    limit = settings.GEOJSON_MAX_MB * 1024 * 1024
    if len(data) > limit:
        raise GeoJSONError([_("The file is %(size).1f MB; at most %(limit)s MB is accepted.") % {
            "size": len(data) / 1024 / 1024, "limit": settings.GEOJSON_MAX_MB}])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GeoJSONError([_("The file is not JSON text (UTF-8).")]) from None

    def refuse_constant(name):
        raise ValueError(name)

    try:
        document = json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as exc:
        raise GeoJSONError([_("The file is not JSON: %(error)s at line %(line)s, column %(column)s.") % {
            "error": exc.msg, "line": exc.lineno, "column": exc.colno}]) from None
    except (ValueError, RecursionError):
        raise GeoJSONError([_("The file is not JSON.")]) from None
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        raise GeoJSONError([_("The file is JSON but not GeoJSON: it has no \"type\" member.")])
    kind = document["type"]
    if kind != "FeatureCollection":
        if kind == "Feature" or kind in GEOMETRY_TYPES:
            raise GeoJSONError([_("The file is a single %(type)s; a FeatureCollection with one feature per "
                                  "district or grid is expected.") % {"type": kind}])
        raise GeoJSONError([_("The file is JSON but not GeoJSON: unknown type %(type)s.") % {
            "type": json.dumps(kind, ensure_ascii=False)[:40]}])
    if "crs" in document and document["crs"] is not None:
        error = _declared_crs_error(document["crs"])
        if error:
            raise GeoJSONError([error])
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise GeoJSONError([_("The FeatureCollection has no features.")])

    errors: list[str] = []
    parsed: list[BoundaryFeature] = []
    for index, feature in enumerate(features):
        where = f"features[{index}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(_("%(where)s: not a GeoJSON Feature.") % {"where": where})
            continue
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
            errors.append(_("%(where)s: it has no geometry.") % {"where": where})
            continue
        if geometry["type"] not in POLYGON_TYPES:
            errors.append(_("%(where)s: a %(type)s is not an area; boundaries are Polygon or MultiPolygon.") % {
                "where": where, "type": geometry["type"]})
            continue
        coordinates = geometry.get("coordinates")
        if geometry["type"] == "Polygon":
            error = _check_rings(coordinates, where)
        elif not isinstance(coordinates, list) or not coordinates:
            error = _("%(where)s: a MultiPolygon needs at least one polygon.") % {"where": where}
        else:
            error = next((e for e in (_check_rings(p, where) for p in coordinates) if e), None)
        if error:
            errors.append(error)
            continue
        geometry = {"type": geometry["type"], "coordinates": coordinates}
        if source_crs == "gcj02":
            geometry = map_geometry(geometry, gcj02_to_wgs84)
        validity = explain_validity(shape(geometry))
        if validity != "Valid Geometry":
            errors.append(_("%(where)s: the polygon is not valid (%(reason)s).") % {"where": where, "reason": validity})
            continue
        parsed.append(BoundaryFeature(index=index, properties=properties, geometry=geometry))
    if errors:
        raise GeoJSONError(errors)
    return parsed


# --- Loaded boundaries: the area of a point, the city's bounds ---------------------------------
# Boundaries live in DistrictBoundary / GridBoundary with their bounding box in columns, so the
# candidates for a point and the city's bounds are found in SQL without loading any polygon.


@dataclass(frozen=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def geometry_bounds(geometry: dict) -> Bounds:
    west, south, east, north = shape(geometry).bounds
    return Bounds(south=south, west=west, north=north, east=east)


def _area_for_point(model, area_field: str, lat, lon):
    if lat is None or lon is None:
        return None
    lat, lon = float(lat), float(lon)
    point = Point(lon, lat)
    candidates = model.objects.filter(south__lte=lat, north__gte=lat, west__lte=lon, east__gte=lon)
    inside = [(shape(b.geometry).area, getattr(b, f"{area_field}_id")) for b in candidates
              if shape(b.geometry).covers(point)]
    if not inside:
        return None
    # Nested or overlapping areas: the smallest holds the point most precisely.
    area_id = min(inside)[1]
    return model._meta.get_field(area_field).related_model.objects.get(pk=area_id)


def district_for_point(lat, lon):
    """The district whose uploaded boundary holds the WGS-84 point, or None."""
    from .models import DistrictBoundary

    return _area_for_point(DistrictBoundary, "district", lat, lon)


def grid_for_point(lat, lon):
    """The grid whose uploaded boundary holds the WGS-84 point (the smallest, if they overlap), or None."""
    from .models import GridBoundary

    return _area_for_point(GridBoundary, "grid", lat, lon)


def grid_locator():
    """``grid_for_point`` for many points: the grid boundaries are loaded once (two queries),
    and each point is then found in memory, the same rule (the smallest boundary that covers
    it). For a batch of problems (an import)."""
    from .models import Grid, GridBoundary

    boundaries = [(b.south, b.north, b.west, b.east, shape(b.geometry), b.grid_id) for b in GridBoundary.objects.all()]
    grids = {grid.pk: grid for grid in Grid.objects.filter(pk__in={b[-1] for b in boundaries})} if boundaries else {}
    found: dict = {}

    def locate(lat, lon):
        if lat is None or lon is None or not boundaries:
            return None
        key = (float(lat), float(lon))
        if key not in found:
            lat_f, lon_f = key
            point = Point(lon_f, lat_f)
            inside = [(geometry.area, grid_id) for south, north, west, east, geometry, grid_id in boundaries
                      if south <= lat_f <= north and west <= lon_f <= east and geometry.covers(point)]
            found[key] = grids.get(min(inside)[1]) if inside else None
        return found[key]

    return locate


def city_bounds() -> Bounds | None:
    """The box coordinates must lie in: the extent of the uploaded district boundaries, else
    the ``CITY_BOUNDS`` setting, else None (nothing is checked). One query."""
    from django.db.models import Max, Min

    from .models import DistrictBoundary

    box = DistrictBoundary.objects.aggregate(south=Min("south"), west=Min("west"), north=Max("north"), east=Max("east"))
    if box["south"] is not None:
        return Bounds(**box)
    return Bounds(*settings.CITY_BOUNDS) if settings.CITY_BOUNDS else None


def city_coordinate_errors(latitude, longitude, *, bounds: Bounds | None | str = "load") -> dict[str, str]:
    """The one validator of entered coordinates: {field: message} for a latitude or longitude
    outside the city's bounds (empty when both are inside, absent, or no bounds are known).

    Forms, serializers and importers attach each message to its field; an importer checking many
    rows passes ``bounds=city_bounds()`` once."""
    if latitude is None or longitude is None:
        return {}
    if bounds == "load":
        bounds = city_bounds()
    if bounds is None:
        return {}
    lat, lon = float(Decimal(str(latitude))), float(Decimal(str(longitude)))
    errors = {}
    if not bounds.south <= lat <= bounds.north:
        errors["latitude"] = _("The latitude %(value)s lies outside the city (%(low)s to %(high)s).") % {
            "value": latitude, "low": round(bounds.south, 6), "high": round(bounds.north, 6)}
    if not bounds.west <= lon <= bounds.east:
        errors["longitude"] = _("The longitude %(value)s lies outside the city (%(low)s to %(high)s).") % {
            "value": longitude, "low": round(bounds.west, 6), "high": round(bounds.east, 6)}
    return errors
