"""Errors of the report flow (rendered by the API's single AppError handler)."""

from __future__ import annotations

from geodata.errors import Conflict, NotFound


class ReportNotFound(NotFound):
    code = "report_not_found"
    message = "No report has this tracking code."


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    message = "This idempotency key was already used for a different report."


class SystemNotFound(NotFound):
    code = "system_not_found"
    message = "No water system has this code."


class SourceNotFound(NotFound):
    code = "source_not_found"
    message = "No water source has this code."


class SystemOrSourceNotFound(NotFound):
    code = "not_found"
    message = "No water system or source has this code."


class DistrictNotFound(NotFound):
    code = "district_not_found"
    message = "No district of La Libertad has this ubigeo."
