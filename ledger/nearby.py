"""Duplicate detection: the open problems of a category near a place and a moment (selectors).

``nearby`` is the core and takes any queryset whose model has a latitude, a longitude, a
category and a time (field names are parameters), so the public reports above the ledger reuse
it; ``problems_nearby`` is the ledger's use of it: the open problems a user may see, each with
its first before-photo.

What "near" means, exactly (tests in ledger/tests/test_nearby.py):
- the great-circle distance (haversine on the mean earth radius, the same formula as
  ``campaign.geo.haversine_m``), computed in SQL, is at most the radius (inclusive);
- the time is within ``days`` before or after the moment (inclusive at both ends);
- the same category; the results sorted nearest first (then the older first), at most ``limit``.

Speed: the database first bounds the search to a box around the circle, which an index
answers, then computes the exact distance for the few rows inside. The box is exact, not a
guess: its latitude half-height is the angular radius, its longitude half-width
``asin(sin(d) / cos(lat))`` (the widest longitude a great circle of radius ``d`` reaches), so
it widens with the latitude; a circle that reaches a pole takes every longitude, and one that
crosses the antimeridian is two boxes. On PostgreSQL the box is ``point(longitude, latitude)
<@ box(...)`` over a GiST expression index of the open problems (migration 0014); on SQLite a
range on an index of (latitude, longitude).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Expression, F, FloatField, IntegerField
from django.urls import reverse
from django.utils import timezone

from campaign.geo import EARTH_MEAN_RADIUS_M

from .choices import OPEN_STATUSES, PhotoKind
from .models import EvidencePhoto, Problem

DEFAULT_LIMIT = 10
# Float noise of the distance (sin, asin in double precision) is far below a micrometre: the
# radius is inclusive up to it, so a point computed to lie exactly on the circle is in.
_EDGE_M = 1e-6
# Stored coordinates are decimals with 6 places: the box is widened by a little more than their
# rounding so that a point on the circle's edge is never cut off by the box.
_BOX_MARGIN_DEG = 1e-6


def search_boxes(latitude: float, longitude: float, radius_m: float) -> list[tuple[float, float, float, float]]:
    """The boxes (south, west, north, east), in degrees, that hold every point within
    ``radius_m`` of the point: one box, or two when the circle crosses the antimeridian."""
    lat, lon = float(latitude), float(longitude)
    angle = radius_m / EARTH_MEAN_RADIUS_M  # the circle's angular radius, in radians
    d_lat = math.degrees(angle) + _BOX_MARGIN_DEG
    south, north = max(-90.0, lat - d_lat), min(90.0, lat + d_lat)
    cos_lat = math.cos(math.radians(lat))
    if south <= -90.0 or north >= 90.0 or math.sin(angle) >= cos_lat:
        return [(south, -180.0, north, 180.0)]  # the circle holds a pole: every longitude
    d_lon = math.degrees(math.asin(math.sin(angle) / cos_lat)) + _BOX_MARGIN_DEG
    west, east = lon - d_lon, lon + d_lon
    if west < -180.0:
        return [(south, west + 360.0, north, 180.0), (south, -180.0, north, east)]
    if east > 180.0:
        return [(south, west, north, 180.0), (south, -180.0, north, east - 360.0)]
    return [(south, west, north, east)]


class InBoxes(Expression):
    """True when the row's (latitude, longitude) lies in one of ``boxes``. On PostgreSQL the
    expression is the one the GiST index of migration 0014 is built on (it must stay identical
    for the index to be used)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, lat_field: str, lon_field: str, boxes):
        super().__init__()
        self.lat, self.lon, self.boxes = F(lat_field), F(lon_field), list(boxes)

    def get_source_expressions(self):
        return [self.lat, self.lon]

    def set_source_expressions(self, exprs):
        self.lat, self.lon = exprs

    def _columns(self, compiler):
        lat_sql, lat_params = compiler.compile(self.lat)
        lon_sql, lon_params = compiler.compile(self.lon)
        if lat_params or lon_params:
            raise ValueError("InBoxes takes plain columns.")
        return lat_sql, lon_sql

    def as_sql(self, compiler, connection):
        lat, lon = self._columns(compiler)
        parts, params = [], []
        for south, west, north, east in self.boxes:
            parts.append(f"({lat} BETWEEN %s AND %s AND {lon} BETWEEN %s AND %s)")
            params += [south, north, west, east]
        return "(" + " OR ".join(parts) + ")", params

    def as_postgresql(self, compiler, connection):
        lat, lon = self._columns(compiler)
        parts, params = [], []
        for south, west, north, east in self.boxes:
            parts.append(f"point(({lon})::float8, ({lat})::float8) <@ box(point(%s, %s), point(%s, %s))")
            params += [west, south, east, north]
        return "(" + " OR ".join(parts) + ")", params


class DistanceM(Expression):
    """The great-circle distance in metres from a point to the row's coordinates:
    ``campaign.geo.haversine_m`` written in SQL, on PostgreSQL and SQLite alike. One node, not
    a tree of Django functions: the query is compiled on every search, and a tree of some thirty
    expressions cost several times the query itself (bench/nearby.py)."""

    output_field = FloatField()
    template = (
        "(%s * asin({least}(1.0, sqrt(power(sin((radians({lat}) - %s) / 2), 2) "
        "+ %s * cos(radians({lat})) * power(sin((radians({lon}) - %s) / 2), 2)))))"
    )

    def __init__(self, lat_field: str, lon_field: str, latitude, longitude):
        super().__init__()
        self.lat, self.lon = F(lat_field), F(lon_field)
        self.phi, self.lam = math.radians(float(latitude)), math.radians(float(longitude))

    def get_source_expressions(self):
        return [self.lat, self.lon]

    def set_source_expressions(self, exprs):
        self.lat, self.lon = exprs

    def _sql(self, compiler, cast: str, least: str):
        lat_sql, lat_params = compiler.compile(self.lat)
        lon_sql, lon_params = compiler.compile(self.lon)
        if lat_params or lon_params:
            raise ValueError("DistanceM takes plain columns.")
        sql = self.template.format(least=least, lat=cast % lat_sql, lon=cast % lon_sql)
        return sql, [2 * EARTH_MEAN_RADIUS_M, self.phi, math.cos(self.phi), self.lam]

    def as_sql(self, compiler, connection):
        return self._sql(compiler, "CAST(%s AS REAL)", "MIN")

    def as_postgresql(self, compiler, connection):
        return self._sql(compiler, "(%s)::float8", "least")


def nearby(queryset, *, latitude, longitude, category, at: datetime | None = None, radius_m: float | None = None,
           days: int | None = None, limit: int = DEFAULT_LIMIT, lat_field: str = "latitude",
           lon_field: str = "longitude", category_field: str = "category", time_field: str = "found_at"):
    """The rows of ``queryset`` of ``category`` (an instance, an id, or a list of either)
    within ``radius_m`` metres (default NEARBY_RADIUS_M) of the point and ``days`` days
    (default NEARBY_DAYS) of ``at`` (default now), nearest first, at most ``limit``; each
    carries ``distance_m``. The caller narrows ``queryset`` (scope, open, not itself)."""
    radius_m = float(settings.NEARBY_RADIUS_M if radius_m is None else radius_m)
    days = settings.NEARBY_DAYS if days is None else days
    at = at or timezone.now()
    categories = category if isinstance(category, (list, tuple, set, frozenset)) else [category]
    category_ids = [getattr(c, "pk", c) for c in categories]
    window = (at - timedelta(days=days), at + timedelta(days=days))
    # One annotate and one filter: every clone and every resolved expression costs, and the
    # query is built anew on every search.
    return list(
        queryset.annotate(distance_m=DistanceM(lat_field, lon_field, latitude, longitude))
        .filter(
            InBoxes(lat_field, lon_field, search_boxes(latitude, longitude, radius_m)),
            **{f"{category_field}__in": category_ids, f"{time_field}__range": window,
               "distance_m__lte": radius_m + _EDGE_M},
        )
        .order_by("distance_m", time_field, "pk")[:limit]
    )


# --- The ledger's use --------------------------------------------------------------------------


class FirstBeforePhoto(Expression):
    """The id of a problem's first before-photo (by upload time), or NULL: written as SQL for
    the same reason as ``DistanceM`` (a ``Subquery`` is a whole second query to build and
    compile on every search); the photo table's index on ``problem_id`` answers it."""

    output_field = IntegerField()

    def __init__(self):
        super().__init__()
        self.problem = F("pk")

    def get_source_expressions(self):
        return [self.problem]

    def set_source_expressions(self, exprs):
        (self.problem,) = exprs

    def as_sql(self, compiler, connection):
        problem_sql, params = compiler.compile(self.problem)
        # The table name is the model's; the kind is a parameter.
        table = EvidencePhoto._meta.db_table
        sql = f"(SELECT ph.id FROM {table} ph WHERE ph.problem_id = {problem_sql} AND ph.kind = %s "  # noqa: S608
        return sql + "ORDER BY ph.uploaded_at, ph.id LIMIT 1)", [*params, PhotoKind.BEFORE.value]


def problems_nearby(*, user, category, latitude, longitude, at: datetime | None = None, exclude=None,
                    radius_m: float | None = None, days: int | None = None, limit: int = DEFAULT_LIMIT):
    """The open problems ``user`` may see that may be the same as one of ``category`` at the
    point (see ``nearby``), each with ``before_photo_id``, its first before-photo (or None).
    One query."""
    problems = (
        Problem.objects.visible_to(user)
        .only("pk", "code", "description", "status", "address", "found_at", "latitude", "longitude")
        .annotate(before_photo_id=FirstBeforePhoto())
        .filter(status__in=OPEN_STATUSES)
    )
    if exclude is not None:
        problems = problems.exclude(pk=getattr(exclude, "pk", exclude))
    return nearby(problems, latitude=latitude, longitude=longitude, category=category, at=at, radius_m=radius_m,
                  days=days, limit=limit)


def thumbnail_urls(photo_ids) -> dict[int, str]:
    """The thumbnail URL of each photo id (one ``reverse`` for them all)."""
    pattern = reverse("ledger:photo_thumbnail", args=[0])
    head, tail = pattern.rsplit("/0/", 1)
    return {pk: f"{head}/{pk}/{tail}" for pk in photo_ids if pk is not None}
