"""Where a report is and what it repeats: region, district tie-break, codes, duplicates.

Distances are metres on the ground (geography), with a degree-based pre-filter so that the GiST
index on ``report.geom`` does the searching.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger, Float, String

from geodata.models import SRID, Report, WaterSource, WaterSystem
from geodata.reports import statuses
from geodata.spatial import district_for

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LOWER_BOUND = 100_000.0  # holds for longitude too up to ~25 degrees S


@dataclass(frozen=True, slots=True)
class Link:
    system_id: int | None
    source_id: int | None


def make_point(lon: float, lat: float) -> Any:
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)


def district_at(session: Session, lon: float, lat: float) -> int | None:
    """The deterministic district choice where polygons overlap or leave gaps."""
    return session.scalar(select(district_for(make_point(lon, lat))))


def resolve_code(session: Session, code: str) -> tuple[Link, float, float] | None:
    """A system or source code given instead of coordinates: its link and its lon/lat."""
    system = session.execute(
        select(WaterSystem.id, func.ST_X(WaterSystem.geom), func.ST_Y(WaterSystem.geom)).where(
            WaterSystem.code == code
        )
    ).first()
    if system is not None:
        return Link(system[0], None), system[1], system[2]
    source = session.execute(
        select(
            WaterSource.id,
            WaterSource.system_id,
            func.ST_X(WaterSource.geom),
            func.ST_Y(WaterSource.geom),
        ).where(WaterSource.code == code)
    ).first()
    if source is not None:
        return Link(source[1], source[0]), source[2], source[3]
    return None


_RECENT_BY_SAME_REPORTER = text(
    """
    SELECT r.id, (
        SELECT count(*) FROM report o
        WHERE o.reporter_fingerprint = r.reporter_fingerprint
          AND o.received_at >= r.received_at - interval '1 hour'
          AND (o.received_at, o.id) < (r.received_at, r.id)
    ) AS earlier
    FROM report r
    WHERE r.id = ANY(:ids) AND r.reporter_fingerprint IS NOT NULL
      -- identified by its network address only: shared by many people, limited at intake
      AND r.reporter_fingerprint IS DISTINCT FROM r.network_fingerprint
    """
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))


def recent_counts(session: Session, report_ids: Sequence[int]) -> dict[int, int]:
    """Per report: how many reports the same reporter (device or contact) sent in the hour
    before it. Reports known only by their network address are not counted here."""
    if not report_ids:
        return {}
    rows = session.execute(_RECENT_BY_SAME_REPORTER, {"ids": list(report_ids)}).all()
    return {row.id: int(row.earlier) for row in rows}


_ORIGINALS = text(
    """
    SELECT q.id, o.id AS original, o.distance
    FROM unnest(:ids, :lons, :lats, :categories) AS q(id, lon, lat, category)
    JOIN report r ON r.id = q.id
    CROSS JOIN LATERAL (
        SELECT n.id, ST_Distance(n.geom::geography, r.geom::geography) AS distance
        FROM (
            -- the nearest candidate: reports near by the GiST index first (OFFSET 0 keeps the
            -- planner from mixing in the unselective status index), then the other conditions
            SELECT o.id, o.geom
            FROM (
                SELECT * FROM report o WHERE ST_DWithin(o.geom, r.geom, :degrees) OFFSET 0
            ) o
            WHERE o.id <> q.id
              AND o.category = q.category
              AND o.status = ANY(:live)
              AND o.duplicate_of_id IS NULL
              AND o.received_at BETWEEN r.received_at - :window AND r.received_at + :window
            ORDER BY o.geom <-> r.geom, o.id
            LIMIT 1
        ) n
        WHERE ST_DWithin(n.geom::geography, r.geom::geography, :metres)
    ) o
    """
).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger)),
    bindparam("lons", type_=ARRAY(Float)),
    bindparam("lats", type_=ARRAY(Float)),
    bindparam("categories", type_=ARRAY(String)),
    bindparam("live", type_=ARRAY(String)),
)


def duplicate_originals(
    session: Session,
    reports: Sequence[tuple[Report, float, float]],
    distance_m: float,
    window: timedelta,
) -> dict[int, int]:
    """For each report, the original it corroborates: same category, close by, in the window.

    Originals are validated reports that are not duplicates themselves; reports validated in
    the same batch count too (earlier ids first), so batch size never changes the outcome.
    """
    if not reports:
        return {}
    rows = session.execute(
        _ORIGINALS,
        {
            "ids": [r.id for r, _, _ in reports],
            "lons": [lon for _, lon, _ in reports],
            "lats": [lat for _, _, lat in reports],
            "categories": [r.category.value for r, _, _ in reports],
            "window": window,
            "degrees": distance_m / METRES_PER_DEGREE_LOWER_BOUND,
            "metres": distance_m,
            "live": statuses.values(statuses.LIVE),
        },
    ).all()
    from_database = {row.id: (row.distance, row.original) for row in rows}
    originals: dict[int, int] = {}
    batch_originals: list[tuple[Report, float, float]] = []
    for report, lon, lat in sorted(reports, key=lambda item: item[0].id):
        best = from_database.get(report.id)
        for other, other_lon, other_lat in batch_originals:
            if other.category != report.category:
                continue
            if abs(other.received_at - report.received_at) > window:
                continue
            distance = haversine_m(lon, lat, other_lon, other_lat)
            if distance <= distance_m and (best is None or (distance, other.id) < best):
                best = (distance, other.id)
        if best is None:
            batch_originals.append((report, lon, lat))
        else:
            originals[report.id] = best[1]
    return originals


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
