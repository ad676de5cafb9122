"""Rewrite the dashboard tables of some areas (and the bodies answering there), in SQL.

What counts, and why (the pages state the same under each figure):

* colours over time come from the status history (``status_change``): a system is grey from
  when it was created until its first change, then the colour of its last change; a week's
  figure is the state at the end of its Sunday (Peru time; the current week: now). Counting
  entries and exits per week and adding them up keeps this proportional to the changes, not
  to systems x weeks;
* reports are the public ones, each problem once (validated, not rejected, a duplicate counts
  with its original: ``reports.indicators.COUNTED`` and ``statuses.PUBLIC``), in the week or
  month they were received; times run from reception to the first answer (acknowledged) and to
  the solution (resolved); median and 90th percentile by ``percentile_cont``, of the reports
  that got there;
* open: public and still open (``statuses.LIVE``); overdue: ``deadlines.overdue_clause``;
* chlorine: the monthly DS 031-2010-SA Art. 66 figures of ``system_compliance_month``
  (``evidence.compliance``), summed over the systems of the area;
* an area is a district, a province or the department: medians are computed for each level
  from the reports themselves, never averaged from districts.

Incremental (the districts an aggregation touched, and their provinces) and full (every area,
the department included: its medians read every report of the region, so it waits for the
schedule) are the same statements with a different list, under one advisory lock. Weekly
counts are computed per district and summed up for provinces and the department.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Integer, bindparam, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from geodata.dashboards.areamap import DOTS
from geodata.dashboards.periods import Window, local_midnight, window
from geodata.models import AdminArea, AreaLevel, Report
from geodata.reports import statuses
from geodata.reports.deadlines import overdue_clause
from geodata.reports.indicators import COUNTED

LOCK = 7310
LOCAL = "'America/Lima'"


def _sql(clause: Any) -> str:
    """A core rule (COUNTED, overdue) as SQL on the table alias ``report``."""
    return str(clause.compile(dialect=postgresql.dialect()))


# Each district with itself, its province and its department: the areas its rows count for.
CHAIN = """
    chain AS (
        SELECT d.id AS district_id, d.id AS area_id FROM admin_area d WHERE d.level = 'district'
        UNION ALL
        SELECT d.id, d.parent_id FROM admin_area d
        WHERE d.level = 'district' AND d.parent_id IS NOT NULL
        UNION ALL
        SELECT d.id, p.parent_id FROM admin_area d JOIN admin_area p ON p.id = d.parent_id
        WHERE d.level = 'district' AND p.parent_id IS NOT NULL
    ), wanted AS (
        SELECT district_id, area_id FROM chain WHERE area_id = ANY(:areas)
    )
"""

COUNTED_SQL = f"({_sql(COUNTED)}) AND report.status = ANY(:public)"
ACK_HOURS = "extract(epoch FROM report.acknowledged_at - report.received_at) / 3600.0"
RES_HOURS = "extract(epoch FROM report.resolved_at - report.received_at) / 3600.0"

COLOUR_WEEKS = f"""
    WITH {CHAIN.strip()},
    own AS (
        SELECT district_id, area_id FROM chain
        WHERE area_id = district_id AND district_id = ANY(:districts)
    ), weeks AS (
        SELECT generate_series(CAST(:first_week AS date), CAST(:last_week AS date),
                               interval '7 days')::date AS week
    ), spans AS (
        SELECT ws.id, w.area_id, ws.created_at AS at, 0 AS ord, 'grey' AS status
        FROM water_system ws JOIN own w ON w.district_id = ws.district_id
        UNION ALL
        SELECT ws.id, w.area_id, sc.changed_at, 1, sc.status
        FROM water_system ws JOIN own w ON w.district_id = ws.district_id
        JOIN status_change sc ON sc.system_id = ws.id
        WHERE sc.changed_at < :weeks_end
    ), timed AS (
        SELECT area_id, status, at,
               lead(at) OVER (PARTITION BY id, area_id ORDER BY at, ord) AS until
        FROM spans WHERE at < :weeks_end
    ), events AS (
        SELECT area_id, status, at, 1 AS delta FROM timed
        UNION ALL
        SELECT area_id, status, until, -1 FROM timed WHERE until IS NOT NULL
    ), bucketed AS (
        SELECT area_id, status,
               greatest(date_trunc('week', at AT TIME ZONE {LOCAL})::date,
                        CAST(:first_week AS date)) AS week,
               sum(delta) AS delta
        FROM events GROUP BY 1, 2, 3
    ), grid AS (
        SELECT a.area_id, weeks.week, c.status
        FROM unnest(CAST(:districts AS integer[])) AS a(area_id)
        CROSS JOIN weeks
        CROSS JOIN unnest(ARRAY['green', 'yellow', 'red', 'grey']) AS c(status)
    ), running AS (
        SELECT g.area_id, g.week, g.status,
               sum(coalesce(b.delta, 0)) OVER (
                   PARTITION BY g.area_id, g.status ORDER BY g.week
               ) AS n
        FROM grid g LEFT JOIN bucketed b USING (area_id, week, status)
    )
    INSERT INTO dashboard_colour_week (area_id, week, systems, green, yellow, red, grey)
    SELECT area_id, week, sum(n),
           sum(n) FILTER (WHERE status = 'green'), sum(n) FILTER (WHERE status = 'yellow'),
           sum(n) FILTER (WHERE status = 'red'), sum(n) FILTER (WHERE status = 'grey')
    FROM running GROUP BY area_id, week
"""

REPORT_WEEKS = f"""
    WITH {CHAIN.strip()}, own AS (
        SELECT district_id, area_id FROM chain
        WHERE area_id = district_id AND district_id = ANY(:districts)
    )
    INSERT INTO dashboard_report_week (area_id, week, category, reports)
    SELECT w.area_id, date_trunc('week', report.received_at AT TIME ZONE {LOCAL})::date,
           report.category, count(*)
    FROM report JOIN own w ON w.district_id = report.district_id
    WHERE {COUNTED_SQL}
      AND report.received_at >= :weeks_start AND report.received_at < :weeks_end
    GROUP BY 1, 2, 3
"""

ANSWER_MONTHS = f"""
    WITH {CHAIN.strip()}
    INSERT INTO dashboard_answer_month (
        area_id, month, received, acknowledged, acknowledged_in_time, resolved,
        hours_to_acknowledge_median, hours_to_acknowledge_p90,
        hours_to_resolve_median, hours_to_resolve_p90)
    SELECT w.area_id, date_trunc('month', report.received_at AT TIME ZONE {LOCAL})::date,
           count(*), count(report.acknowledged_at),
           count(*) FILTER (WHERE report.acknowledged_at <= report.due_at),
           count(report.resolved_at),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY {ACK_HOURS}),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY {ACK_HOURS}),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY {RES_HOURS}),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY {RES_HOURS})
    FROM report JOIN wanted w ON w.district_id = report.district_id
    WHERE {COUNTED_SQL} AND report.received_at >= :months_start
    GROUP BY 1, 2
"""

COMPLIANCE_MONTHS = f"""
    WITH {CHAIN.strip()}
    INSERT INTO dashboard_compliance_month (
        area_id, month, systems_sampled, systems_enough_samples, systems_compliant,
        chlorine_samples, chlorine_at_least_05, chlorine_below_03)
    SELECT w.area_id, c.month,
           count(*) FILTER (WHERE c.chlorine_samples > 0),
           count(*) FILTER (WHERE c.enough_samples), count(*) FILTER (WHERE c.complies),
           sum(c.chlorine_samples), sum(c.chlorine_at_least_05), sum(c.chlorine_below_03)
    FROM system_compliance_month c
    JOIN water_system ws ON ws.id = c.system_id
    JOIN wanted w ON w.district_id = ws.district_id
    WHERE c.month >= :first_month
    GROUP BY 1, 2
"""


def _area_now(overdue: str) -> str:
    return f"""
    WITH {CHAIN.strip()},
    colours AS (
        SELECT w.area_id, count(*) AS systems,
               count(*) FILTER (WHERE ws.status = 'green') AS green,
               count(*) FILTER (WHERE ws.status = 'yellow') AS yellow,
               count(*) FILTER (WHERE ws.status = 'red') AS red,
               count(*) FILTER (WHERE ws.status = 'grey') AS grey
        FROM water_system ws JOIN wanted w ON w.district_id = ws.district_id
        GROUP BY 1
    ), answers AS (
        SELECT w.area_id,
               count(*) FILTER (
                   WHERE report.status = ANY(:live)
               ) AS open_reports,
               count(*) FILTER (WHERE {overdue}) AS overdue_reports,
               count(*) FILTER (WHERE report.received_at >= :months_start) AS received,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {ACK_HOURS})
                   FILTER (WHERE report.received_at >= :months_start) AS ack_median,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY {ACK_HOURS})
                   FILTER (WHERE report.received_at >= :months_start) AS ack_p90,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {RES_HOURS})
                   FILTER (WHERE report.received_at >= :months_start) AS res_median,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY {RES_HOURS})
                   FILTER (WHERE report.received_at >= :months_start) AS res_p90
        FROM report JOIN wanted w ON w.district_id = report.district_id
        WHERE {COUNTED_SQL}
        GROUP BY 1
    )
    INSERT INTO dashboard_area (
        area_id, systems, green, yellow, red, grey, open_reports, overdue_reports,
        received_reports, hours_to_acknowledge_median, hours_to_acknowledge_p90,
        hours_to_resolve_median, hours_to_resolve_p90, window_start, computed_at)
    SELECT a.area_id, coalesce(c.systems, 0), coalesce(c.green, 0), coalesce(c.yellow, 0),
           coalesce(c.red, 0), coalesce(c.grey, 0), coalesce(r.open_reports, 0),
           coalesce(r.overdue_reports, 0), coalesce(r.received, 0), r.ack_median, r.ack_p90,
           r.res_median, r.res_p90, :first_month, :now
    FROM unnest(CAST(:areas AS integer[])) AS a(area_id)
    LEFT JOIN colours c USING (area_id) LEFT JOIN answers r USING (area_id)
    """


BODY_MONTHS = f"""
    INSERT INTO dashboard_body_month (
        provider_id, month, received, due, answered, answered_in_time, resolved,
        hours_to_answer_median)
    SELECT report.provider_id,
           date_trunc('month', report.received_at AT TIME ZONE {LOCAL})::date,
           count(*),
           count(*) FILTER (
               WHERE report.acknowledged_at IS NOT NULL OR report.due_at < :now
           ),
           count(report.acknowledged_at),
           count(*) FILTER (WHERE report.acknowledged_at <= report.due_at),
           count(report.resolved_at),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY {ACK_HOURS})
    FROM report
    WHERE {COUNTED_SQL} AND report.received_at >= :months_start
      AND report.provider_id = ANY(:bodies)
    GROUP BY 1, 2
"""

MAP_DOTS = f"WITH {CHAIN.strip()},\n{DOTS}"

# Counts add up: a province's and the department's weeks are the sums of their districts'.
ROLL_UP = {
    "dashboard_colour_week": (
        "week", "sum(systems), sum(green), sum(yellow), sum(red), sum(grey)",
        "systems, green, yellow, red, grey",
    ),
    "dashboard_report_week": ("week, category", "sum(reports)", "reports"),
}  # fmt: skip


def _roll_up(table: str) -> str:
    keys, sums, names = ROLL_UP[table]
    return f"""
    WITH {CHAIN.strip()}
    INSERT INTO {table} (area_id, {keys}, {names})
    SELECT w.area_id, {", ".join("t." + k.strip() for k in keys.split(","))}, {sums}
    FROM {table} t JOIN wanted w ON w.district_id = t.area_id
    WHERE w.area_id <> w.district_id
    GROUP BY w.area_id, {", ".join("t." + k.strip() for k in keys.split(","))}
    """


TABLES = (
    "dashboard_area",
    "dashboard_map_dots",
    "dashboard_colour_week",
    "dashboard_report_week",
    "dashboard_answer_month",
    "dashboard_compliance_month",
)


def _ids(statement: str) -> TextClause:
    """The statement with its integer-array parameters typed (``areas``, ``bodies``)."""
    clause = text(statement)
    arrays = [n for n in ("areas", "bodies", "districts") if f":{n}" in statement]
    return clause.bindparams(*(bindparam(n, type_=ARRAY(Integer)) for n in arrays))


def _overdue_sql(now: datetime) -> str:
    compiled = overdue_clause(now).compile(dialect=postgresql.dialect())
    # psycopg's %(name)s placeholders (and their casts) as named text() parameters
    return re.sub(r"%\((\w+)\)s(::TIMESTAMP WITH TIME ZONE|::[A-Z]+)?", r":ov_\1", str(compiled))


def _overdue_params(now: datetime) -> dict[str, Any]:
    compiled = overdue_clause(now).compile(dialect=postgresql.dialect())
    return {
        f"ov_{name}": value.value if isinstance(value, Enum) else value
        for name, value in compiled.params.items()
    }


def areas_of(session: Session, district_ids: Sequence[int]) -> list[int]:
    """The districts with their province. The department (all of La Libertad: its medians
    read every report) is left to the full refresh of the schedule."""
    ids = set(district_ids)
    for _ in range(1):
        ids |= {
            p
            for p in session.scalars(
                select(AdminArea.parent_id).where(
                    AdminArea.id.in_(sorted(ids)), AdminArea.parent_id.is_not(None)
                )
            )
            if p is not None
        }
    return sorted(ids)


def bodies_of(session: Session, district_ids: Sequence[int] | None) -> list[int]:
    """Bodies holding reports of these districts (None: every body holding any report)."""
    query = select(Report.provider_id).where(Report.provider_id.is_not(None)).distinct()
    if district_ids is not None:
        query = query.where(Report.district_id.in_(list(district_ids)))
    return sorted(i for i in session.scalars(query) if i is not None)


def refresh(
    session: Session, district_ids: Sequence[int] | None = None, now: datetime | None = None
) -> list[int]:
    """Rewrite the figures of these districts and their provinces (None: every area, the
    department included), and of the bodies answering there. Returns the areas refreshed."""
    now = now or datetime.now(UTC)
    session.flush()
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK})
    if district_ids is None:
        areas = sorted(session.scalars(select(AdminArea.id)))
    else:
        areas = areas_of(session, district_ids)
    districts = sorted(
        session.scalars(
            select(AdminArea.id).where(
                AdminArea.id.in_(areas), AdminArea.level == AreaLevel.DISTRICT
            )
        )
    )
    bodies = bodies_of(session, district_ids)
    win = window(now)
    params = {**_params(win, now, areas, bodies), "districts": districts}
    for table in TABLES:
        session.execute(_ids(f"DELETE FROM {table} WHERE area_id = ANY(:areas)"), params)
    session.execute(_ids("DELETE FROM dashboard_body_month WHERE provider_id = ANY(:bodies)"),
                    params)  # fmt: skip
    if areas:
        for statement in (COLOUR_WEEKS, REPORT_WEEKS):
            session.execute(_ids(statement), params)
        for table in ROLL_UP:
            session.execute(_ids(_roll_up(table)), params)
        for statement in (ANSWER_MONTHS, COMPLIANCE_MONTHS, MAP_DOTS):
            session.execute(_ids(statement), params)
        session.execute(_ids(_area_now(_overdue_sql(now))), {**params, **_overdue_params(now)})
    if bodies:
        session.execute(_ids(BODY_MONTHS), params)
    return areas


def _params(win: Window, now: datetime, areas: list[int], bodies: list[int]) -> dict[str, Any]:
    return {
        "areas": areas,
        "bodies": bodies,
        "now": now,
        "first_week": win.first_week,
        "last_week": win.last_week,
        "weeks_start": local_midnight(win.first_week),
        "weeks_end": win.weeks_end,
        "months_start": win.months_start,
        "first_month": win.first_month,
        "public": statuses.values(statuses.PUBLIC),
        "live": statuses.values(statuses.LIVE),
    }
