"""Official-evidence properties of the public collections: each system's last official reading
and whether it is too old, and its DS 031-2010-SA Art. 66 figures for the last complete month
(Peru time). Aggregated figures only: who measured is never a person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Numeric, and_, cast, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, FromClause

from geodata.evidence.compliance import OFFICIAL
from geodata.models import DistrictIndicator, Measurement, SystemComplianceMonth, WaterSystem
from geodata.opendata.collections.base import SQLExpression
from geodata.settings import get_settings

# The last complete calendar month in Peru, at the time of the query.
LAST_COMPLETE_MONTH = cast(
    func.date_trunc("month", func.timezone("America/Lima", func.now())) - func.make_interval(0, 1),
    Date,
)

month = aliased(SystemComplianceMonth, name="system_compliance_last_month")


def system_month_join(systems: FromClause) -> FromClause:
    """``systems`` (a FROM clause with water_system) joined to its last complete month."""
    return systems.outerjoin(
        month, and_(month.system_id == WaterSystem.id, month.month == LAST_COMPLETE_MONTH)
    )


def _last_official() -> Any:
    return (
        select(func.max(Measurement.sampled_at))
        .where(Measurement.system_id == WaterSystem.id, Measurement.measured_by.in_(OFFICIAL))
        .correlate(WaterSystem)
        .scalar_subquery()
    )


def system_properties() -> dict[str, SQLExpression]:
    last = _last_official()
    days = int(get_settings().official_reading_max_age_days)
    too_old: ColumnElement[Any] = func.now() - func.make_interval(0, 0, 0, days)
    return {
        "last_official_reading_at": last,
        "official_reading_stale": or_(last.is_(None), last < too_old),
        "compliance_month": LAST_COMPLETE_MONTH,
        "chlorine_samples": func.coalesce(month.chlorine_samples, 0),
        "chlorine_share_at_least_05": func.round(cast(month.chlorine_share, Numeric), 3),
        "chlorine_samples_below_03": func.coalesce(month.chlorine_below_03, 0),
        "chlorine_rule_met": month.chlorine_rule_met,
        "enough_chlorine_samples": func.coalesce(month.enough_samples, False),
        "faecal_indicator_found": func.coalesce(month.faecal_positive, 0) > 0,
        "complies_ds031": func.coalesce(month.complies, False),
    }


SYSTEM_TYPES = {
    "last_official_reading_at": "date-time",
    "official_reading_stale": "boolean",
    "compliance_month": "date",
    "chlorine_samples": "integer",
    "chlorine_share_at_least_05": "number",
    "chlorine_samples_below_03": "integer",
    "chlorine_rule_met": "boolean",
    "enough_chlorine_samples": "boolean",
    "faecal_indicator_found": "boolean",
    "complies_ds031": "boolean",
}


def district_properties() -> dict[str, SQLExpression]:
    i = DistrictIndicator
    return {
        "compliance_month": i.compliance_month,
        "systems_sampled": func.coalesce(i.systems_sampled, 0),
        "systems_enough_samples": func.coalesce(i.systems_enough_samples, 0),
        "systems_chlorine_ok": func.coalesce(i.systems_chlorine_ok, 0),
        "systems_faecal_detected": func.coalesce(i.systems_faecal_detected, 0),
        "systems_compliant": func.coalesce(i.systems_compliant, 0),
        "chlorine_samples": func.coalesce(i.chlorine_samples, 0),
        "systems_without_recent_official_reading": func.coalesce(i.systems_stale, 0),
    }


DISTRICT_TYPES = {
    "compliance_month": "date",
    "systems_sampled": "integer",
    "systems_enough_samples": "integer",
    "systems_chlorine_ok": "integer",
    "systems_faecal_detected": "integer",
    "systems_compliant": "integer",
    "chlorine_samples": "integer",
    "systems_without_recent_official_reading": "integer",
}
