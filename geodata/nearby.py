"""Near me: the water systems and sources nearest to a point, with distance and direction.

Nearest neighbours in metres on the ground: PostGIS KNN (``<->``) on ``geom::geography``, served
by the GiST index of the same expression (migration 0003), so the answer costs the same for 371
or 100,000 systems.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from sqlalchemy import Float, Integer, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from geodata.models import SRID, AdminArea, WaterSource, WaterSystem

COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
SYSTEMS = 5
SOURCES = 3


def compass(azimuth_rad: float | None) -> str | None:
    """Eight-point compass direction of an azimuth (radians clockwise from north)."""
    if azimuth_rad is None:
        return None
    degrees = math.degrees(azimuth_rad) % 360
    return COMPASS[int((degrees + 22.5) // 45) % 8]


@lru_cache(maxsize=2)
def _statement(model: type[WaterSystem] | type[WaterSource]) -> Any:
    """Built once per table, with bound parameters (building it cost more than running it)."""
    district = aliased(AdminArea)
    # geography(geom) is the index's very expression geom::geography (a typed CAST, which
    # GeoAlchemy writes as geography(GEOMETRY,-1), would not match it and scan every row).
    here = func.geography(
        func.ST_SetSRID(
            func.ST_MakePoint(bindparam("lon", type_=Float), bindparam("lat", type_=Float)), SRID
        )
    )
    there = func.geography(model.geom)
    return (
        select(
            model.code,
            model.name,
            model.status,
            model.alert_category,
            func.ST_X(model.geom).label("lon"),
            func.ST_Y(model.geom).label("lat"),
            func.ST_Distance(there, here).label("distance"),
            func.ST_Azimuth(here, there).label("azimuth"),
            district.name.label("district"),
        )
        .outerjoin(district, district.id == model.district_id)
        .order_by(there.op("<->")(here))
        .limit(bindparam("count", type_=Integer))
    )


def nearest(
    session: Session, lon: float, lat: float, systems: int = SYSTEMS, sources: int = SOURCES
) -> list[dict[str, Any]]:
    """The nearest systems and sources to lon/lat, nearest first, each with its distance in
    metres and the direction to walk (from the point towards it)."""
    found: list[dict[str, Any]] = []
    for model, kind, count in ((WaterSystem, "system", systems), (WaterSource, "source", sources)):
        if count <= 0:
            continue
        rows = session.execute(_statement(model), {"lon": lon, "lat": lat, "count": count}).all()
        found += [
            {
                "kind": kind,
                "code": row.code,
                "name": row.name,
                "status": str(row.status),
                "alert": row.alert_category,
                "district": row.district,
                "lon": round(row.lon, 5),
                "lat": round(row.lat, 5),
                "distance_m": round(float(row.distance)),
                "direction": compass(row.azimuth),
            }
            for row in rows
        ]
    found.sort(key=lambda item: item["distance_m"])
    return found
