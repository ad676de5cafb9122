"""DS 031-2010-SA Art. 66 per system and month, and how old each system's official evidence is.

The rule: in a month, at least 90 % of the network samples of free residual chlorine at or
above 0.5 mg/L, and none below 0.3 mg/L. What counts, and why:

* official samples only (operator or laboratory): citizens' readings are not the provider's
  control;
* for chlorine, samples at the NETWORK sample point (the article speaks of the distribution
  network; reservoir and tap readings are shown but not counted);
* a month is a calendar month in Peru's time (UTC-5);
* the 90 % is compared in integers (10 x at-or-above >= 9 x samples), so 9 of 10 is exactly
  the boundary and meets it;
* "enough samples": at least ``compliance_min_samples`` network chlorine samples in the month
  (default 4, one a week: the least a JASS logbook keeps; with fewer, one share says little);
* bacteriology: official E. coli, thermotolerant and total coliform results of the month at any
  sample point but the source (raw water is not what is served); a faecal indicator (E. coli,
  thermotolerant coliforms) found in any of them means the month does not comply.

A month complies when the chlorine rule is met with enough samples and no faecal indicator was
found. Everything is computed in PostgreSQL (``refresh_systems``, ``refresh_districts``) by
aggregation, incrementally for the systems new readings touch and fully on its schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer

from geodata.evidence.fields import PERU
from geodata.models import MeasuredBy, Measurement, SystemComplianceMonth
from geodata.settings import get_settings

OFFICIAL = (MeasuredBy.OPERATOR.value, MeasuredBy.LAB.value)

REFRESH_SYSTEMS = text(
    """
    WITH official AS (
        SELECT m.system_id,
               date_trunc('month', m.sampled_at AT TIME ZONE 'America/Lima')::date AS month,
               m.measured_by, m.parameter_code, m.value, m.sampled_at,
               (m.parameter_code = 'free_chlorine' AND m.sample_point = 'network') AS chlorine
        FROM measurement m
        WHERE m.system_id = ANY(:ids)
          AND m.measured_by IN ('operator', 'lab')
          AND m.sample_point IS DISTINCT FROM 'source'
    ), counted AS (
        SELECT system_id, month,
               count(*) FILTER (WHERE chlorine) AS chlorine_samples,
               count(*) FILTER (WHERE chlorine AND value >= 0.5) AS chlorine_at_least_05,
               count(*) FILTER (WHERE chlorine AND value < 0.3) AS chlorine_below_03,
               min(value) FILTER (WHERE chlorine) AS chlorine_min,
               count(*) FILTER (
                   WHERE parameter_code IN ('e_coli', 'thermotolerant_coliforms',
                                            'total_coliforms')
               ) AS bacteriology_samples,
               count(*) FILTER (
                   WHERE parameter_code IN ('e_coli', 'thermotolerant_coliforms') AND value > 0
               ) AS faecal_positive,
               count(*) FILTER (
                   WHERE parameter_code = 'total_coliforms' AND value > 0
               ) AS total_coliform_positive,
               count(*) FILTER (WHERE measured_by = 'operator') AS operator_samples,
               count(*) FILTER (WHERE measured_by = 'lab') AS lab_samples,
               max(sampled_at) AS last_sampled_at
        FROM official
        GROUP BY system_id, month
    ), judged AS (
        SELECT counted.*,
               CASE WHEN chlorine_samples = 0 THEN NULL
                    ELSE 10 * chlorine_at_least_05 >= 9 * chlorine_samples
                         AND chlorine_below_03 = 0
               END AS chlorine_rule_met,
               chlorine_samples >= :min_samples AS enough_samples
        FROM counted
    )
    INSERT INTO system_compliance_month (
        system_id, month, chlorine_samples, chlorine_at_least_05, chlorine_below_03,
        chlorine_share, chlorine_min, chlorine_rule_met, enough_samples, bacteriology_samples,
        faecal_positive, total_coliform_positive, complies, operator_samples, lab_samples,
        last_sampled_at, computed_at
    )
    SELECT system_id, month, chlorine_samples, chlorine_at_least_05, chlorine_below_03,
           chlorine_at_least_05::float8 / nullif(chlorine_samples, 0), chlorine_min,
           chlorine_rule_met, enough_samples, bacteriology_samples, faecal_positive,
           total_coliform_positive,
           coalesce(chlorine_rule_met, false) AND enough_samples AND faecal_positive = 0,
           operator_samples, lab_samples, last_sampled_at, :now
    FROM judged
    """
).bindparams(bindparam("ids", type_=ARRAY(Integer)))

CLEAR_SYSTEMS = text("DELETE FROM system_compliance_month WHERE system_id = ANY(:ids)").bindparams(
    bindparam("ids", type_=ARRAY(Integer))
)

REFRESH_DISTRICTS = text(
    """
    WITH figures AS (
        SELECT ws.district_id,
               count(*) FILTER (WHERE c.chlorine_samples > 0) AS systems_sampled,
               count(*) FILTER (WHERE c.enough_samples) AS systems_enough_samples,
               count(*) FILTER (WHERE c.chlorine_rule_met) AS systems_chlorine_ok,
               count(*) FILTER (WHERE c.faecal_positive > 0) AS systems_faecal_detected,
               count(*) FILTER (WHERE c.complies) AS systems_compliant,
               coalesce(sum(c.chlorine_samples), 0) AS chlorine_samples,
               count(*) FILTER (
                   WHERE last.at IS NULL OR last.at < :stale_before
               ) AS systems_stale
        FROM water_system ws
        LEFT JOIN system_compliance_month c ON c.system_id = ws.id AND c.month = :month
        LEFT JOIN LATERAL (
            SELECT max(m.sampled_at) AS at FROM measurement m
            WHERE m.system_id = ws.id AND m.measured_by IN ('operator', 'lab')
        ) last ON true
        WHERE ws.district_id = ANY(:ids)
        GROUP BY ws.district_id
    )
    UPDATE district_indicator d
    SET compliance_month = :month,
        systems_sampled = coalesce(f.systems_sampled, 0),
        systems_enough_samples = coalesce(f.systems_enough_samples, 0),
        systems_chlorine_ok = coalesce(f.systems_chlorine_ok, 0),
        systems_faecal_detected = coalesce(f.systems_faecal_detected, 0),
        systems_compliant = coalesce(f.systems_compliant, 0),
        chlorine_samples = coalesce(f.chlorine_samples, 0),
        systems_stale = coalesce(f.systems_stale, 0)
    FROM unnest(:ids) AS wanted(id) LEFT JOIN figures f ON f.district_id = wanted.id
    WHERE d.district_id = wanted.id
    """
).bindparams(bindparam("ids", type_=ARRAY(Integer)))


def month_of(moment: datetime) -> date:
    """The calendar month (its first day) of ``moment`` in Peru."""
    local = moment.astimezone(PERU)
    return date(local.year, local.month, 1)


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def last_complete_month(now: datetime) -> date:
    return previous_month(month_of(now))


def stale_before(now: datetime) -> datetime:
    return now - timedelta(days=get_settings().official_reading_max_age_days)


def refresh_systems(session: Session, system_ids: Sequence[int], now: datetime) -> None:
    """Rewrite the monthly figures of these systems from all their official measurements."""
    ids = sorted(set(system_ids))
    if ids:
        session.execute(CLEAR_SYSTEMS, {"ids": ids})
        session.execute(
            REFRESH_SYSTEMS,
            {"ids": ids, "min_samples": get_settings().compliance_min_samples, "now": now},
        )


def refresh_districts(session: Session, district_ids: Sequence[int], now: datetime) -> None:
    """The districts' compliance columns of ``district_indicator``, for the last complete
    month, and how many of their systems lack a recent official reading."""
    ids = sorted(set(district_ids))
    if ids:
        session.execute(
            REFRESH_DISTRICTS,
            {"ids": ids, "month": last_complete_month(now), "stale_before": stale_before(now)},
        )


@dataclass(frozen=True, slots=True)
class MonthFigures:
    month: date
    chlorine_samples: int
    chlorine_at_least_05: int
    chlorine_below_03: int
    chlorine_share: float | None
    chlorine_min: float | None
    chlorine_rule_met: bool | None
    enough_samples: bool
    bacteriology_samples: int
    faecal_positive: int
    total_coliform_positive: int
    complies: bool
    operator_samples: int
    lab_samples: int

    @property
    def share_percent(self) -> int | None:
        return None if self.chlorine_share is None else round(self.chlorine_share * 100)


FIGURE_COLUMNS = [
    getattr(SystemComplianceMonth, name)
    for name in MonthFigures.__dataclass_fields__  # same names, same order
]


def system_months(session: Session, system_id: int, months: int = 12) -> list[MonthFigures]:
    """The system's months with official samples, newest first."""
    rows = session.execute(
        select(*FIGURE_COLUMNS)
        .where(SystemComplianceMonth.system_id == system_id)
        .order_by(SystemComplianceMonth.month.desc())
        .limit(months)
    ).all()
    return [MonthFigures(*row) for row in rows]


def last_official(session: Session, system_ids: Sequence[int]) -> dict[int, datetime]:
    """When each system was last sampled by an operator or a laboratory."""
    if not system_ids:
        return {}
    rows = session.execute(
        select(Measurement.system_id, func.max(Measurement.sampled_at))
        .where(Measurement.system_id.in_(list(system_ids)), Measurement.measured_by.in_(OFFICIAL))
        .group_by(Measurement.system_id)
    ).all()
    return {row[0]: row[1] for row in rows if row[0] is not None}


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old a system's official evidence is, for "no recent official reading" notices."""

    last_official_at: datetime | None
    max_age_days: int
    stale: bool


def freshness(last_at: datetime | None, now: datetime) -> Freshness:
    days = get_settings().official_reading_max_age_days
    return Freshness(last_at, days, last_at is None or last_at < stale_before(now))


def figures_dict(figures: MonthFigures | None) -> dict[str, Any] | None:
    if figures is None:
        return None
    out = {name: getattr(figures, name) for name in MonthFigures.__dataclass_fields__}
    out["month"] = figures.month.strftime("%Y-%m")
    return out
