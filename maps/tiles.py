"""The base layers of the map: ``MAP_TILE_URL``, else 天地图 with ``TIANDITU_KEY``, else none."""

from django.conf import settings

TIANDITU_WMTS = (
    "https://t{s}.tianditu.gov.cn/%(layer)s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=%(layer)s"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%(key)s"
)


def tile_layers() -> list[dict]:
    """Each layer's URL template and subdomains, drawn in order. 天地图: the vector map (vec)
    and its annotations (cva), Web Mercator tiles on CGCS2000 ("_w"), so WGS-84 points need no shift.
    Without a tile server the map shows the points over the uploaded boundaries alone."""
    if settings.MAP_TILE_URL:
        return [{"url": settings.MAP_TILE_URL, "subdomains": "abc"}]
    if settings.TIANDITU_KEY:
        return [{"url": TIANDITU_WMTS % {"layer": layer, "key": settings.TIANDITU_KEY}, "subdomains": "01234567"}
                for layer in ("vec", "cva")]
    return []
