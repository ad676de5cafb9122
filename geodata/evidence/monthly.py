"""The monthly report of a district for its ATM: each system's samples and compliance (DS
031-2010-SA Art. 66), and the citizen reports of the month with the time taken to answer them.

Aggregated figures only: who measured is "operador" or "laboratorio", reporters never appear.
A month is a calendar month in Peru's time. Everything is counted in PostgreSQL.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from geodata.errors import InvalidInput, NotFound
from geodata.evidence.compliance import stale_before
from geodata.evidence.fields import PERU
from geodata.i18n import translate
from geodata.models import AdminArea, AreaLevel
from geodata.reports import statuses
from geodata.settings import get_settings

SYSTEM_SQL = """
    SELECT ws.code, ws.name, p.name AS provider, ws.population_served, ws.status,
           coalesce(c.operator_samples, 0) + coalesce(c.lab_samples, 0) AS official_samples,
           coalesce(c.chlorine_samples, 0) AS chlorine_samples,
           coalesce(c.chlorine_at_least_05, 0) AS chlorine_at_least_05,
           coalesce(c.chlorine_below_03, 0) AS chlorine_below_03,
           round((c.chlorine_share * 100)::numeric, 1) AS chlorine_percent,
           c.chlorine_rule_met, coalesce(c.enough_samples, false) AS enough_samples,
           coalesce(c.bacteriology_samples, 0) AS bacteriology_samples,
           coalesce(c.faecal_positive, 0) AS faecal_positive,
           coalesce(c.complies, false) AS complies,
           last.at AS last_official_at,
           (last.at IS NULL OR last.at < :stale_before) AS stale,
           coalesce(r.received, 0) AS reports_received,
           coalesce(r.resolved, 0) AS reports_resolved,
           r.median_hours_to_acknowledge
    FROM water_system ws
    LEFT JOIN provider p ON p.id = ws.provider_id
    LEFT JOIN system_compliance_month c ON c.system_id = ws.id AND c.month = :month
    LEFT JOIN LATERAL (
        SELECT max(m.sampled_at) AS at FROM measurement m
        WHERE m.system_id = ws.id AND m.measured_by IN ('operator', 'lab')
    ) last ON true
    LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE rp.received_at >= :start AND rp.received_at < :end)
                   AS received,
               count(*) FILTER (WHERE rp.resolved_at >= :start AND rp.resolved_at < :end)
                   AS resolved,
               round((percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY extract(epoch FROM rp.acknowledged_at - rp.received_at) / 3600
               ) FILTER (WHERE rp.received_at >= :start AND rp.received_at < :end
                           AND rp.acknowledged_at IS NOT NULL))::numeric, 1)
                   AS median_hours_to_acknowledge
        FROM report rp
        WHERE rp.system_id = ws.id AND rp.status IN :public AND rp.duplicate_of_id IS NULL
    ) r ON true
    WHERE ws.district_id = :district
"""
SYSTEM_ROWS = text(SYSTEM_SQL + " ORDER BY ws.name, ws.code")
SYSTEM_TOTALS = text(
    f"""
    SELECT count(*) AS systems,
           count(*) FILTER (WHERE chlorine_samples > 0) AS sampled,
           coalesce(sum(official_samples), 0) AS official_samples,
           coalesce(sum(chlorine_samples), 0) AS chlorine_samples,
           count(*) FILTER (WHERE chlorine_rule_met) AS chlorine_ok,
           count(*) FILTER (WHERE enough_samples) AS enough_samples,
           count(*) FILTER (WHERE faecal_positive > 0) AS faecal,
           count(*) FILTER (WHERE complies) AS complies,
           count(*) FILTER (WHERE stale) AS stale
    FROM ({SYSTEM_SQL}) AS per_system
    """
)

DISTRICT_REPORTS = text(
    """
    SELECT count(*) FILTER (WHERE received_at >= :start AND received_at < :end) AS received,
           count(*) FILTER (WHERE resolved_at >= :start AND resolved_at < :end) AS resolved,
           count(*) FILTER (
               WHERE received_at < :end
                 AND (resolved_at IS NULL OR resolved_at >= :end)
                 AND (closed_at IS NULL OR closed_at >= :end)
           ) AS open_at_end,
           round((percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM acknowledged_at - received_at) / 3600
           ) FILTER (WHERE received_at >= :start AND received_at < :end
                       AND acknowledged_at IS NOT NULL))::numeric, 1)
               AS median_hours_to_acknowledge,
           round((percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM resolved_at - received_at) / 3600
           ) FILTER (WHERE resolved_at >= :start AND resolved_at < :end))::numeric, 1)
               AS median_hours_to_resolve
    FROM report
    WHERE district_id = :district AND status IN :public AND duplicate_of_id IS NULL
    """
)

# CSV columns: (key of a system row, English msgid of its header).
CSV_COLUMNS = (
    ("code", "code"),
    ("name", "system"),
    ("provider", "provider"),
    ("population_served", "population served"),
    ("status", "colour"),
    ("official_samples", "official samples"),
    ("chlorine_samples", "network chlorine samples"),
    ("chlorine_at_least_05", "samples at or above 0.5 mg/L"),
    ("chlorine_below_03", "samples below 0.3 mg/L"),
    ("chlorine_percent", "% at or above 0.5 mg/L"),
    ("chlorine_rule_met", "chlorine rule met (Art. 66)"),
    ("enough_samples", "enough samples"),
    ("bacteriology_samples", "bacteriology samples"),
    ("faecal_positive", "faecal indicator found"),
    ("complies", "complies"),
    ("last_official_at", "last official reading"),
    ("stale", "no recent official reading"),
    ("reports_received", "reports received"),
    ("reports_resolved", "reports resolved"),
    ("median_hours_to_acknowledge", "median hours to acknowledge"),
)


@dataclass
class MonthlyReport:
    ubigeo: str
    district: str
    month: date
    systems: list[dict[str, Any]]
    totals: dict[str, int]
    reports: dict[str, Any]
    min_samples: int


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime.combine(month, time(), tzinfo=PERU)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime.combine(following, time(), tzinfo=PERU)


class InvalidMonth(InvalidInput):
    code = "invalid_month"
    message = "Give the month as YYYY-MM, between 2000-01 and 2099-12."


def parse_month(value: str) -> date:
    """``2026-05`` -> 2026-05-01, or InvalidMonth (400, translated)."""
    year, _, month = value.partition("-")
    try:
        parsed = date(int(year), int(month), 1)
    except ValueError:
        raise InvalidMonth() from None
    if not 2000 <= parsed.year <= 2099:
        raise InvalidMonth()
    return parsed


def monthly_report(session: Session, ubigeo: str, month: date, now: datetime) -> MonthlyReport:
    district = session.execute(
        select(AdminArea.id, AdminArea.name).where(
            AdminArea.ubigeo_inei == ubigeo, AdminArea.level == AreaLevel.DISTRICT
        )
    ).first()
    if district is None:
        raise NotFound("No district has the ubigeo {ubigeo}.", ubigeo=ubigeo)
    start, end = month_bounds(month)
    params = {
        "district": district.id,
        "month": month,
        "start": start,
        "end": end,
        "stale_before": stale_before(now),
        "public": tuple(s.value for s in statuses.PUBLIC),
    }
    public: Any = bindparam("public", expanding=True)
    systems = [dict(r._mapping) for r in session.execute(SYSTEM_ROWS.bindparams(public), params)]
    totals = dict(session.execute(SYSTEM_TOTALS.bindparams(public), params).one()._mapping)
    reports = dict(session.execute(DISTRICT_REPORTS.bindparams(public), params).one()._mapping)
    return MonthlyReport(
        ubigeo,
        district.name,
        month,
        systems,
        totals,
        reports,
        get_settings().compliance_min_samples,
    )


def _cell(value: Any, language: str) -> Any:
    if value is True:
        return translate("yes", language)
    if value is False:
        return translate("no", language)
    if isinstance(value, datetime):
        return value.astimezone(PERU).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else value


def monthly_csv(report: MonthlyReport, language: str) -> str:
    """One row per system, then the district's total row (with the reports not linked to a
    system); headers in ``language`` (Spanish by default)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([translate(header, language) for _, header in CSV_COLUMNS])
    for row in report.systems:
        writer.writerow([_cell(row[key], language) for key, _ in CSV_COLUMNS])
    totals = report.totals
    total_row = {
        "code": report.ubigeo,
        "name": translate("DISTRICT TOTAL", language) + f" {report.district}",
        "official_samples": totals["official_samples"],
        "chlorine_samples": totals["chlorine_samples"],
        "chlorine_rule_met": f"{totals['chlorine_ok']}/{totals['systems']}",
        "enough_samples": f"{totals['enough_samples']}/{totals['systems']}",
        "faecal_positive": totals["faecal"],
        "complies": f"{totals['complies']}/{totals['systems']}",
        "stale": totals["stale"],
        "reports_received": report.reports["received"],
        "reports_resolved": report.reports["resolved"],
        "median_hours_to_acknowledge": report.reports["median_hours_to_acknowledge"],
    }
    writer.writerow([_cell(total_row.get(key), language) for key, _ in CSV_COLUMNS])
    return out.getvalue()


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "is_finite"):  # Decimal from round(..)::numeric
        return float(value)
    return str(value) if hasattr(value, "value") else value


def report_dict(report: MonthlyReport) -> dict[str, Any]:
    return {
        "district": {"ubigeo": report.ubigeo, "name": report.district},
        "month": report.month.strftime("%Y-%m"),
        "min_samples_per_month": report.min_samples,
        "totals": report.totals,
        "reports": {k: _json_value(v) for k, v in report.reports.items()},
        "systems": [{k: _json_value(v) for k, v in row.items()} for row in report.systems],
    }
