"""Read the dashboard tables: one area's figures, its sub-areas, and the bodies of a month.

Reads only the summary tables ``refresh`` wrote (a few dozen rows per page); the weeks and
months without a row are filled with zeros here, so every series has the window's length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from geodata.dashboards.errors import AreaNotFound
from geodata.dashboards.periods import Window, months_of, weeks_of, window
from geodata.models import (
    AdminArea,
    AreaLevel,
    DashboardAnswerMonth,
    DashboardArea,
    DashboardBodyMonth,
    DashboardColourWeek,
    DashboardComplianceMonth,
    DashboardReportWeek,
    Provider,
    ReportCategory,
)
from geodata.settings import get_settings

COLOURS = ("green", "yellow", "red", "grey")
CATEGORIES = tuple(c.value for c in ReportCategory)
SUMMARY = (
    "systems",
    *COLOURS,
    "open_reports",
    "overdue_reports",
    "received_reports",
    "hours_to_acknowledge_median",
    "hours_to_acknowledge_p90",
    "hours_to_resolve_median",
    "hours_to_resolve_p90",
)
ANSWERS = (
    "received",
    "acknowledged",
    "acknowledged_in_time",
    "resolved",
    "hours_to_acknowledge_median",
    "hours_to_acknowledge_p90",
    "hours_to_resolve_median",
    "hours_to_resolve_p90",
)
COMPLIANCE = (
    "systems_sampled",
    "systems_enough_samples",
    "systems_compliant",
    "chlorine_samples",
    "chlorine_at_least_05",
    "chlorine_below_03",
)
BODY = ("received", "due", "answered", "answered_in_time", "resolved", "hours_to_answer_median")


@dataclass(frozen=True, slots=True)
class Area:
    id: int
    level: str
    ubigeo: str
    name: str
    parent_ubigeo: str | None
    parent_name: str | None
    parent_level: str | None


@dataclass
class AreaFigures:
    area: Area
    window: Window
    summary: dict[str, Any]
    colour_weeks: list[dict[str, Any]] = field(default_factory=list)
    report_weeks: list[dict[str, Any]] = field(default_factory=list)
    answer_months: list[dict[str, Any]] = field(default_factory=list)
    compliance_months: list[dict[str, Any]] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)


def find_area(session: Session, level: AreaLevel, ubigeo: str | None = None) -> Area:
    """The department (``ubigeo`` None: La Libertad), or a province or district by ubigeo."""
    parent = aliased(AdminArea)
    query = (
        select(
            AdminArea.id,
            AdminArea.level,
            AdminArea.ubigeo_inei,
            AdminArea.name,
            parent.ubigeo_inei,
            parent.name,
            parent.level,
        )
        .outerjoin(parent, parent.id == AdminArea.parent_id)
        .where(AdminArea.level == level)
    )
    if ubigeo is not None:
        query = query.where(AdminArea.ubigeo_inei == ubigeo)
    row = session.execute(query.order_by(AdminArea.ubigeo_inei).limit(1)).first()
    if row is None:
        raise AreaNotFound()
    return Area(
        row[0],
        str(row[1].value),
        row[2],
        row[3],
        row[4],
        row[5],
        str(row[6].value) if row[6] is not None else None,
    )


def share(part: int, whole: int) -> float | None:
    """A share rounded to 3 decimals, None when there is nothing to share."""
    return round(part / whole, 3) if whole else None


def _summary(row: DashboardArea | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        name: (getattr(row, name) if row is not None else (None if "hours" in name else 0))
        for name in SUMMARY
    }
    out["computed_at"] = row.computed_at if row is not None else None
    systems = out["systems"]
    for colour in COLOURS:
        out[f"share_{colour}"] = share(out[colour], systems)
    return out


def area_figures(session: Session, area: Area, now: datetime | None = None) -> AreaFigures:
    now = now or datetime.now().astimezone()
    win = window(now)
    figures = AreaFigures(area, win, _summary(session.get(DashboardArea, area.id)))
    figures.colour_weeks = _colour_weeks(session, area.id, win)
    figures.report_weeks = _report_weeks(session, area.id, win)
    figures.answer_months = _months(session, DashboardAnswerMonth, ANSWERS, area.id, win)
    figures.compliance_months = _months(session, DashboardComplianceMonth, COMPLIANCE, area.id, win)
    for item in figures.compliance_months:
        samples, systems = item["chlorine_samples"], item["systems_sampled"]
        item["chlorine_share"] = (
            round(item["chlorine_at_least_05"] / samples, 3) if samples else None
        )
        item["compliant_share"] = round(item["systems_compliant"] / systems, 3) if systems else None
    figures.children = children(session, area)
    return figures


def _colour_weeks(session: Session, area_id: int, win: Window) -> list[dict[str, Any]]:
    rows = {
        r.week: r
        for r in session.scalars(
            select(DashboardColourWeek).where(
                DashboardColourWeek.area_id == area_id, DashboardColourWeek.week >= win.first_week
            )
        )
    }
    out = []
    for week in weeks_of(win):
        row = rows.get(week)
        item: dict[str, Any] = {"week": week, "systems": row.systems if row else 0}
        for colour in COLOURS:
            item[colour] = getattr(row, colour) if row else 0
        out.append(item)
    return out


def _report_weeks(session: Session, area_id: int, win: Window) -> list[dict[str, Any]]:
    counts: dict[tuple[date, str], int] = {
        (week, category): reports
        for week, category, reports in session.execute(
            select(
                DashboardReportWeek.week, DashboardReportWeek.category, DashboardReportWeek.reports
            ).where(
                DashboardReportWeek.area_id == area_id, DashboardReportWeek.week >= win.first_week
            )
        )
    }
    out = []
    for week in weeks_of(win):
        by = {c: counts.get((week, c), 0) for c in CATEGORIES}
        out.append({"week": week, "total": sum(by.values()), **by})
    return out


def _months(
    session: Session, model: Any, names: tuple[str, ...], area_id: int, win: Window
) -> list[dict[str, Any]]:
    rows = {
        r.month: r
        for r in session.scalars(
            select(model).where(model.area_id == area_id, model.month >= win.first_month)
        )
    }
    out = []
    for month in months_of(win):
        row = rows.get(month)
        item: dict[str, Any] = {"month": month}
        for name in names:
            item[name] = getattr(row, name) if row else (None if "hours" in name else 0)
        out.append(item)
    return out


def children(session: Session, area: Area) -> list[dict[str, Any]]:
    """The provinces of the department, or the districts of a province, with their figures."""
    if area.level == AreaLevel.DISTRICT.value:
        return []
    rows = session.execute(
        select(AdminArea.ubigeo_inei, AdminArea.name, AdminArea.level, DashboardArea)
        .outerjoin(DashboardArea, DashboardArea.area_id == AdminArea.id)
        .where(AdminArea.parent_id == area.id)
        .order_by(AdminArea.name)
    ).all()
    return [
        {"ubigeo": u, "name": n, "level": str(lv.value), **_summary(row)} for u, n, lv, row in rows
    ]


def bodies_of_month(
    session: Session, month: date, area: Area | None = None
) -> list[dict[str, Any]]:
    """Every body with public reports received in ``month`` (of the area, if given), with
    its figures: most reports first."""
    district = aliased(AdminArea)
    query = (
        select(
            Provider.id,
            Provider.name,
            Provider.kind,
            Provider.is_district_atm,
            district.name,
            *(getattr(DashboardBodyMonth, n) for n in BODY),
        )
        .join(DashboardBodyMonth, DashboardBodyMonth.provider_id == Provider.id)
        .outerjoin(district, district.id == Provider.district_id)
        .where(DashboardBodyMonth.month == month)
        .order_by(DashboardBodyMonth.received.desc(), Provider.name)
    )
    if area is not None and area.level != AreaLevel.DEPARTMENT.value:
        inside = select(AdminArea.id).where(
            (AdminArea.id == area.id) | (AdminArea.parent_id == area.id)
        )
        query = query.where(Provider.district_id.in_(inside))
    out = []
    for row in session.execute(query):
        names = ("provider_id", "name", "kind", "is_district_atm", "district")
        item = dict(zip(names, row[:5], strict=True))
        item["kind"] = str(item["kind"].value)
        item.update(zip(BODY, row[5:], strict=True))
        item["share_in_time"] = share(item["answered_in_time"], item["due"])
        item["share_resolved"] = share(item["resolved"], item["received"])
        out.append(item)
    return out


def ranked(bodies: list[dict[str, Any]], count: int = 3) -> tuple[list[dict[str, Any]], ...]:
    """(best, worst) of the month: bodies with at least ``dashboard_ranking_min_reports``
    reports due, by share answered in time, then median time to answer, then reports."""
    least = get_settings().dashboard_ranking_min_reports
    eligible = [b for b in bodies if b["due"] >= least]

    def hours(b: dict[str, Any]) -> float:
        return b["hours_to_answer_median"] if b["hours_to_answer_median"] is not None else 1e9

    best = sorted(eligible, key=lambda b: (-b["share_in_time"], hours(b), -b["due"], b["name"]))
    worst = sorted(eligible, key=lambda b: (b["share_in_time"], -hours(b), -b["due"], b["name"]))
    top = best[:count]
    bottom = [b for b in worst if b not in top][:count]
    return top, bottom


def last_body_months(session: Session) -> list[date]:
    """Months that have body figures, newest first."""
    return list(
        session.scalars(
            select(DashboardBodyMonth.month).distinct().order_by(DashboardBodyMonth.month.desc())
        )
    )


def district_columns() -> dict[str, Any]:
    """The current figures of a district, for the OGC collection (joined on ``area_id``)."""
    return {name: getattr(DashboardArea, name) for name in SUMMARY}
