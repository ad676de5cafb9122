"""The systems on an account's desk map (GeoJSON) and the bodies a report may be handed to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.accounts.scope import Scope
from geodata.models import Provider, Report, WaterSystem
from geodata.reports import deadlines, statuses

MAX_SYSTEMS = 5000


def systems_geojson(session: Session, scope: Scope, now: datetime | None = None) -> dict[str, Any]:
    """My systems with their colour, their unconfirmed citizen alert and open-report counts
    (open and overdue ones I may see; duplicates count once, with their original)."""
    now = now or datetime.now(UTC)
    counts = (
        select(
            Report.system_id.label("system_id"),
            func.count().label("open_reports"),
            func.count().filter(deadlines.overdue_clause(now)).label("overdue_reports"),
        )
        .where(
            Report.status.in_(statuses.LIVE),
            Report.duplicate_of_id.is_(None),
            Report.system_id.is_not(None),
            scope.reports_clause(),
        )
        .group_by(Report.system_id)
        .subquery()
    )
    rows = session.execute(
        select(
            WaterSystem.code,
            WaterSystem.name,
            WaterSystem.status,
            WaterSystem.alert_category,
            WaterSystem.alert_since,
            func.ST_X(WaterSystem.geom),
            func.ST_Y(WaterSystem.geom),
            func.coalesce(counts.c.open_reports, 0),
            func.coalesce(counts.c.overdue_reports, 0),
        )
        .outerjoin(counts, counts.c.system_id == WaterSystem.id)
        .where(scope.systems_clause())
        .order_by(WaterSystem.code)
        .limit(MAX_SYSTEMS)
    ).all()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(x, 5), round(y, 5)]},
            "properties": {
                "code": code,
                "name": name,
                "status": status.value,
                "alert": alert,
                "alert_since": since.isoformat() if since else None,
                "open_reports": int(open_reports),
                "overdue_reports": int(overdue),
            },
        }
        for code, name, status, alert, since, x, y, open_reports, overdue in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def reassign_targets(session: Session, report: Report) -> list[Provider]:
    """The bodies of the report's district other than its own, its ATM first."""
    if report.district_id is None:
        return []
    return list(
        session.scalars(
            select(Provider)
            .where(Provider.district_id == report.district_id)
            .where(Provider.id.is_distinct_from(report.provider_id))
            .order_by(Provider.is_district_atm.desc(), Provider.name)
        )
    )
