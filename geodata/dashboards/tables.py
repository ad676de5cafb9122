"""The numbers of each dashboard figure as rows, for the pages' tables and the CSV files.

Column names are the open data's (English, snake_case); the pages label them in the reader's
language. A CSV holds exactly what the figure's table shows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from geodata.dashboards.errors import FigureNotFound
from geodata.dashboards.figures import (
    ANSWERS,
    CATEGORIES,
    COLOURS,
    COMPLIANCE,
    AreaFigures,
)
from geodata.opendata.exporters import SafeCsvWriter

AREA_FIGURES = ("colours", "reports", "times", "open", "chlorine")
BODY_COLUMNS = (
    "name",
    "kind",
    "district",
    "received",
    "due",
    "answered_in_time",
    "share_in_time",
    "hours_to_answer_median",
    "resolved",
    "share_resolved",
)


def columns(figure: str) -> tuple[str, ...]:
    if figure == "colours":
        return ("week", "systems", *COLOURS, *(f"share_{c}" for c in COLOURS))
    if figure == "reports":
        return ("week", "total", *CATEGORIES)
    if figure == "times":
        return ("month", *ANSWERS)
    if figure == "open":
        return ("ubigeo", "name", "systems", "open_reports", "overdue_reports")
    if figure == "chlorine":
        return ("month", *COMPLIANCE, "chlorine_share", "compliant_share")
    raise FigureNotFound()


def rows(figures: AreaFigures, figure: str) -> list[dict[str, Any]]:
    if figure == "colours":
        out = []
        for week in figures.colour_weeks:
            item = dict(week)
            for colour in COLOURS:
                item[f"share_{colour}"] = (
                    round(week[colour] / week["systems"], 3) if week["systems"] else None
                )
            out.append(item)
        return out
    if figure == "reports":
        return figures.report_weeks
    if figure == "times":
        return figures.answer_months
    if figure == "open":
        own = {"ubigeo": figures.area.ubigeo, "name": figures.area.name, **figures.summary}
        return [own, *figures.children]
    if figure == "chlorine":
        return figures.compliance_months
    raise FigureNotFound()


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def to_csv(names: Sequence[str], items: Sequence[dict[str, Any]]) -> str:
    handle = io.StringIO()
    writer = SafeCsvWriter(handle)
    writer.writerow(names)
    for item in items:
        writer.writerow([cell(item.get(name)) for name in names])
    return handle.getvalue()
