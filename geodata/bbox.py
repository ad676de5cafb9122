"""The one bounding-box parser: ``west,south,east,north`` in lon/lat (CRS84), for every route.

OGC API - Features also allows six numbers (with heights, which are ignored). The map asks
with its viewport, which Leaflet may let run past the antimeridian or the poles when zoomed
out: ``clamp`` trims such a box to the world instead of refusing it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func

from geodata.errors import InvalidInput
from geodata.models.base import SRID


class InvalidBBox(InvalidInput):
    code = "invalid_parameter"
    message = "bbox must contain only numbers, got '{value}'"


@dataclass(frozen=True, slots=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    def as_list(self) -> list[float]:
        return [self.west, self.south, self.east, self.north]

    def envelope(self) -> Any:
        return func.ST_MakeEnvelope(self.west, self.south, self.east, self.north, SRID)

    @property
    def area_deg2(self) -> float:
        return (self.east - self.west) * (self.north - self.south)


def parse_bbox(value: str | None, *, clamp: bool = False) -> BBox | None:
    """None for no value; raises InvalidBBox (400, a translated reason) when malformed."""
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) not in (4, 6):
        raise InvalidBBox(
            "bbox must have 4 numbers (minx,miny,maxx,maxy) or 6 with heights, got {count}",
            count=len(parts),
        )
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise InvalidBBox(value=_shown(value)) from None
    if not all(math.isfinite(n) for n in numbers):
        raise InvalidBBox(value=_shown(value))
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    west, south, east, north = numbers
    if clamp:
        west, east = max(west, -180.0), min(east, 180.0)
        south, north = max(south, -90.0), min(north, 90.0)
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise InvalidBBox("bbox longitudes must lie between -180 and 180")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise InvalidBBox("bbox latitudes must lie between -90 and 90")
    if west > east:
        raise InvalidBBox("bbox minx must not be greater than maxx")
    if south > north:
        raise InvalidBBox("bbox miny must not be greater than maxy")
    return BBox(west, south, east, north)


def _shown(value: str, limit: int = 80) -> str:
    """The offending value as echoed in a message: printable and short."""
    printable = "".join(c if c.isprintable() else "?" for c in value)
    return printable if len(printable) <= limit else printable[:limit] + "…"
