"""HQ uploads district and grid boundaries (GeoJSON): validated, matched, written all or nothing.

Each feature names its district or grid by a property (``code`` or ``name``); every feature
must match exactly one, and a district or grid may be named once. A refused upload writes
nothing and says every reason with the feature's place in the file (``features[3]``).
Districts and grids the file does not name keep the boundary they had.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from campaign import geo
from campaign.models import District, DistrictBoundary, Grid, GridBoundary, User

from .structure import _check_can_manage

KINDS = ("district", "grid")
MATCH_FIELDS = ("code", "name")


def _index_areas(kind: str, match_by: str) -> dict[str, list]:
    """Every district or grid by the text a feature may give for it."""
    model = District if kind == "district" else Grid
    index: dict[str, list] = {}
    for area in model.objects.all():
        keys = {getattr(area, match_by).strip()}
        if kind == "district" and match_by == "name" and area.name_en:
            keys.add(area.name_en.strip())
        for key in keys:
            index.setdefault(key.casefold(), []).append(area)
    return index


def boundaries_upload(*, kind: str, data: bytes, match_by: str, by: User, source_crs: str | None = None) -> int:
    """Store the boundaries of a GeoJSON FeatureCollection on the districts or grids its
    features name; returns how many. Raises ``geo.GeoJSONError`` listing every problem."""
    _check_can_manage(by)
    if kind not in KINDS or match_by not in MATCH_FIELDS:
        raise ValueError(f"kind={kind!r}, match_by={match_by!r}")
    features = geo.parse_boundaries(data, source_crs=source_crs)
    index = _index_areas(kind, match_by)
    kind_label = _("district") if kind == "district" else _("grid")
    errors: list[str] = []
    matched: dict[int, tuple] = {}  # area pk -> (feature, area)
    for feature in features:
        where = f"features[{feature.index}]"
        value = feature.properties.get(match_by)
        if value is None or str(value).strip() == "":
            errors.append(_('%(where)s: the property "%(property)s" that names its %(kind)s is missing.') % {
                "where": where, "property": match_by, "kind": kind_label})
            continue
        areas = index.get(str(value).strip().casefold(), [])
        if not areas:
            errors.append(_('%(where)s: no %(kind)s has the %(property)s "%(value)s".') % {
                "where": where, "kind": kind_label, "property": match_by, "value": value})
            continue
        if len(areas) > 1:
            errors.append(_('%(where)s: the %(property)s "%(value)s" names %(count)s of them; match by code.') % {
                "where": where, "count": len(areas), "property": match_by, "value": value})
            continue
        area = areas[0]
        if area.pk in matched:
            errors.append(_('%(where)s: "%(value)s" was already given by features[%(first)s].') % {
                "where": where, "value": value, "first": matched[area.pk][0].index})
            continue
        matched[area.pk] = (feature, area)
    if errors:
        raise geo.GeoJSONError(errors)
    with transaction.atomic():
        for feature, area in matched.values():
            box = geo.geometry_bounds(feature.geometry)
            values = {"geometry": feature.geometry, "south": box.south, "west": box.west, "north": box.north,
                      "east": box.east}
            if kind == "district":
                DistrictBoundary.objects.update_or_create(district=area, defaults=values)
            else:
                GridBoundary.objects.update_or_create(grid=area, defaults=values)
    return len(matched)
