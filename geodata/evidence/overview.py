"""The systems on a member of staff's desk with their compliance of a month and how old their
last official reading is (the "my systems" view of the desk and its API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from geodata.accounts.scope import Scope
from geodata.evidence.compliance import FIGURE_COLUMNS, OFFICIAL, stale_before
from geodata.models import AdminArea, Measurement, Provider, SystemComplianceMonth, WaterSystem

MAX_ROWS = 2000


def desk_systems(
    session: Session, scope: Scope, month: date, now: datetime
) -> list[dict[str, Any]]:
    """Every system in ``scope`` (by name), with the month's figures (None: no official
    sample that month) and its freshness."""
    district = aliased(AdminArea)
    last = (
        select(func.max(Measurement.sampled_at))
        .where(Measurement.system_id == WaterSystem.id, Measurement.measured_by.in_(OFFICIAL))
        .correlate(WaterSystem)
        .scalar_subquery()
    )
    figures = [c for c in FIGURE_COLUMNS if c.key != "month"]
    rows = session.execute(
        select(
            WaterSystem.code,
            WaterSystem.name,
            WaterSystem.status,
            district.name.label("district"),
            Provider.name.label("provider"),
            last.label("last_official_at"),
            SystemComplianceMonth.month,
            *figures,
        )
        .outerjoin(district, district.id == WaterSystem.district_id)
        .outerjoin(Provider, Provider.id == WaterSystem.provider_id)
        .outerjoin(
            SystemComplianceMonth,
            (SystemComplianceMonth.system_id == WaterSystem.id)
            & (SystemComplianceMonth.month == month),
        )
        .where(scope.systems_clause())
        .order_by(WaterSystem.name, WaterSystem.code)
        .limit(MAX_ROWS)
    ).all()
    threshold = stale_before(now)
    out = []
    for row in rows:
        item = dict(row._mapping)
        sampled = item.pop("month") is not None
        item["status"] = str(item["status"])
        item["stale"] = item["last_official_at"] is None or item["last_official_at"] < threshold
        item["sampled"] = sampled
        out.append(item)
    return out
