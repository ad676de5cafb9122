"""Factories for report tests: real seeded systems, reports through the real intake."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.models import ReportCategory, WaterSource, WaterSystem
from geodata.reports.intake import Accepted, NewReport, submit_report


@dataclass(frozen=True)
class Place:
    id: int
    code: str
    lon: float
    lat: float
    district_id: int | None


def systems(session: Session, count: int = 1, offset: int = 0) -> list[Place]:
    """Seeded systems with no source of their own nearer than the system point itself."""
    rows = session.execute(
        select(
            WaterSystem.id,
            WaterSystem.code,
            func.ST_X(WaterSystem.geom),
            func.ST_Y(WaterSystem.geom),
            WaterSystem.district_id,
        )
        .where(
            ~select(WaterSource.id)
            .where(func.ST_DWithin(WaterSource.geom, WaterSystem.geom, 0.02))
            .exists()
        )
        .order_by(WaterSystem.id)
        .offset(offset)
        .limit(count)
    ).all()
    return [Place(*row) for row in rows]


def source(session: Session) -> Place:
    row = session.execute(
        select(
            WaterSource.id,
            WaterSource.code,
            func.ST_X(WaterSource.geom),
            func.ST_Y(WaterSource.geom),
            WaterSource.district_id,
        )
        .where(WaterSource.system_id.is_not(None))
        .order_by(WaterSource.id)
        .limit(1)
    ).one()
    return Place(*row)


def report(
    session: Session,
    place: Place | None = None,
    category: ReportCategory = ReportCategory.NO_WATER,
    **fields: Any,
) -> Accepted:
    if place is not None:
        fields.setdefault("lon", place.lon)
        fields.setdefault("lat", place.lat)
    fields.setdefault("device_id", f"device-{fields.get('lon')}-{category}-{len(fields)}")
    return submit_report(session, NewReport(category=category, **fields))
