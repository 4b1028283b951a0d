"""Which grid cell a point lies in, from its coordinates.

The one hook through which a problem recorded without a sample point (or whose point has no
grid) is placed in a grid cell from its coordinates. Until grid boundaries are loaded it knows
no cell; the map's boundaries (campaign/geo.py) answer it once HQ uploads them.
"""

from decimal import Decimal


def grid_for_point(latitude: Decimal | float | None, longitude: Decimal | float | None):
    """The ``Grid`` whose boundary contains the WGS-84 point, or None when the point is not
    given or no loaded boundary contains it. Answers None while no grid boundaries are
    loaded; the map's boundary loader fills this in."""
    return None
