"""How long a body has to acknowledge a report, and when a report is overdue.

One rule for validation (which sets ``due_at``), reassignment (a new body gets a new window),
the overdue check, the desk's filter and the indicators.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_

from geodata.models import Report, ReportStatus
from geodata.settings import Settings, get_settings


def due_at(is_urgent: bool, now: datetime, settings: Settings | None = None) -> datetime:
    """The time by which the responsible body must acknowledge (urgent: sooner)."""
    settings = settings or get_settings()
    hours = (
        settings.urgent_acknowledge_within_hours if is_urgent else settings.acknowledge_within_hours
    )
    return now + timedelta(hours=hours)


def overdue_clause(now: datetime) -> Any:
    """SQL: validated, past its due time, and not a duplicate (its original carries it)."""
    return and_(
        Report.status == ReportStatus.VALIDATED,
        Report.due_at < now,
        Report.duplicate_of_id.is_(None),
    )


def is_overdue(report: Report, now: datetime) -> bool:
    return (
        report.status is ReportStatus.VALIDATED
        and report.due_at is not None
        and report.due_at < now
        and report.duplicate_of_id is None
    )
