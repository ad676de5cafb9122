"""Errors of the dashboards."""

from __future__ import annotations

from geodata.errors import InvalidInput, NotFound


class AreaNotFound(NotFound):
    code = "area_not_found"
    message = "No area of La Libertad has this ubigeo at this level."


class FigureNotFound(NotFound):
    code = "figure_not_found"
    message = "There is no such figure."


class MonthOutOfRange(InvalidInput):
    code = "month_out_of_range"
    message = "The month must be one of the months the dashboards keep."
