"""Spatial facts for many reports in one statement: covering districts, nearest system/source.

Nearest candidates come from the GiST index by KNN (``<->``); the few nearest are then measured
exactly in metres on the ground (geography).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger

KNN_CANDIDATES = 4

_FACTS = text(
    """
    SELECT r.id, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat,
           ARRAY(SELECT d.id FROM admin_area d
                 WHERE d.level = 'district' AND ST_Covers(d.geom, r.geom)
                 ORDER BY d.id) AS covering,
           sys.id AS system_id, sys.distance AS system_distance,
           src.id AS source_id, src.system_id AS source_system_id,
           src.distance AS source_distance
    FROM report r
    LEFT JOIN LATERAL (
        SELECT c.id, ST_Distance(c.geom::geography, r.geom::geography) AS distance
        FROM (SELECT id, geom FROM water_system ORDER BY geom <-> r.geom LIMIT :k) c
        ORDER BY distance, c.id LIMIT 1
    ) sys ON true
    LEFT JOIN LATERAL (
        SELECT c.id, c.system_id, ST_Distance(c.geom::geography, r.geom::geography) AS distance
        FROM (SELECT id, system_id, geom FROM water_source ORDER BY geom <-> r.geom LIMIT :k) c
        ORDER BY distance, c.id LIMIT 1
    ) src ON true
    WHERE r.id = ANY(:ids) AND r.geom IS NOT NULL
    """
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))


@dataclass(frozen=True, slots=True)
class Facts:
    lon: float
    lat: float
    covering: list[int]
    system_id: int | None
    system_distance: float | None
    source_id: int | None
    source_system_id: int | None
    source_distance: float | None

    def nearest_link(self, max_distance_m: float) -> tuple[int | None, int | None]:
        """(system, source) closest within the distance; a source brings its own system."""
        system_ok = self.system_distance is not None and self.system_distance <= max_distance_m
        source_ok = self.source_distance is not None and self.source_distance <= max_distance_m
        if source_ok and (
            not system_ok or (self.source_distance or 0) < (self.system_distance or 0)
        ):
            return self.source_system_id, self.source_id
        if system_ok:
            return self.system_id, None
        return None, None


def spatial_facts(session: Session, report_ids: Sequence[int]) -> dict[int, Facts]:
    rows = session.execute(_FACTS, {"ids": list(report_ids), "k": KNN_CANDIDATES}).all()
    return {row.id: Facts(*row[1:]) for row in rows}
