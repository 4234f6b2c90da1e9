"""Which city or regency a point lies in, from the shipped boundaries (boundaries.geojson).

Pure functions over data loaded once per process (the file is read-only and the same for
every worker). The polygons are coarse (see the file's metadata): a point nearer a border
than the data's stated uncertainty is inside the area with its region to be confirmed, never
guessed. Source, licence and attribution: the file's metadata and README ("Open311").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # shapely is imported when a point is first located, not at app start
    from shapely import STRtree
    from shapely.geometry.base import BaseGeometry

BOUNDARIES = Path(__file__).with_name("boundaries.geojson")


@dataclass(frozen=True)
class Place:
    """Where a point is: outside the area, or inside with a region code (None: to be confirmed)."""

    is_inside_area: bool
    region_code: str | None = None


@dataclass(frozen=True)
class Boundaries:
    codes: tuple[str, ...]
    shapes: tuple[BaseGeometry, ...]
    tree: STRtree
    union: BaseGeometry
    uncertainty: float  # degrees
    metadata: dict


@cache
def boundaries() -> Boundaries:
    """The shipped boundaries, prepared for point queries (read once per process)."""
    import shapely
    from shapely.geometry import shape

    document = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    features = document["features"]
    shapes = tuple(shape(f["geometry"]) for f in features)
    for geometry in shapes:
        shapely.prepare(geometry)
    union = shapely.union_all(shapes)
    return Boundaries(
        codes=tuple(f["properties"]["code"] for f in features),
        shapes=shapes,
        tree=shapely.STRtree(shapes),
        union=union,
        uncertainty=float(document["metadata"]["border_uncertainty_degrees"]),
        metadata=document["metadata"],
    )


@cache
def _area(margin: float) -> BaseGeometry:
    """The portal's area: every shipped boundary, widened by the margin (degrees)."""
    import shapely

    area = boundaries().union.buffer(margin) if margin > 0 else boundaries().union
    shapely.prepare(area)
    return area


def locate(lat: float, lon: float, *, margin: float = 0.0) -> Place:
    """The region of a point (WGS84 degrees); inside the area but unsure: region None.

    A point in exactly one boundary and farther from its edge than the data's uncertainty
    gets that region; any other point within the area (the boundaries plus `margin`, and
    never less than the uncertainty) is inside with its region to be confirmed.
    """
    from shapely.geometry import Point

    found = boundaries()
    point = Point(lon, lat)
    hits = found.tree.query(point, predicate="within")
    if len(hits) == 1:
        region = found.shapes[hits[0]]
        if region.boundary.distance(point) >= found.uncertainty:
            return Place(True, found.codes[hits[0]])
    if len(hits) or _area(max(margin, found.uncertainty)).contains(point):
        return Place(True, None)
    return Place(False)
