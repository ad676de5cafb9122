"""Read-only queries for the citizen pages: a system's detail and a report's public tracking.

Only public fields leave this module: never ``reporter_contact`` nor ``reporter_fingerprint``,
never a non-public update note; contacts typed into a description are masked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from geodata.messages import shown
from geodata.models import (
    Measurement,
    Parameter,
    Report,
    StatusChange,
    WaterSource,
    WaterSystem,
)
from geodata.opendata.privacy import public_text
from geodata.reports import statuses
from web import answers
from web.queries import district_name, provider_contact


def system_detail(session: Session, code: str, language: str = "es") -> dict[str, Any] | None:
    system = session.scalars(select(WaterSystem).where(WaterSystem.code == code)).first()
    if system is None:
        return None
    source_ids = list(
        session.scalars(select(WaterSource.id).where(WaterSource.system_id == system.id))
    )
    history = status_history(session, system.id)
    return {
        "system": system,
        "district": district_name(session, system.district_id),
        "contact": provider_contact(session, system.provider, system.district_id),
        "sources": session.scalars(
            select(WaterSource).where(WaterSource.system_id == system.id).order_by(WaterSource.code)
        ).all(),
        "history": history,
        "reasons": {h.id: shown(h.reason_msg, h.reason, language) for h in history},
        "reason": shown(system.status_reason_msg, system.status_reason, language),
        "colour_since": colour_since(history, system.status, system.status_updated_at),
        "open_reports": answers.open_reports(session, Report.system_id == system.id, language),
        "reports": [r for r in listed_reports(session, system.id) if r.status not in statuses.LIVE],
        "measurements": measurements_of(session, system.id, source_ids),
    }


def colour_since(
    history: list[StatusChange], status: Any, updated_at: datetime | None
) -> datetime | None:
    """Since when the system has had its current colour: the first of the last run of changes
    to that colour in its history (aggregation writes a row only when the colour moves)."""
    since = None
    for change in reversed(history):
        if change.status != status:
            break
        since = change.changed_at
    return since or updated_at


def status_history(session: Session, system_id: int) -> list[StatusChange]:
    return list(
        session.scalars(
            select(StatusChange)
            .where(StatusChange.system_id == system_id)
            .order_by(StatusChange.changed_at, StatusChange.id)
        )
    )


def history_segments(
    history: list[StatusChange], now: datetime | None = None
) -> list[dict[str, Any]]:
    """Coloured spans of the status timeline as percentages of its width (for an SVG chart)."""
    if not history:
        return []
    now = now or datetime.now(UTC)
    start = history[0].changed_at
    total = max((now - start).total_seconds(), 1.0)
    segments = []
    for index, change in enumerate(history):
        end = history[index + 1].changed_at if index + 1 < len(history) else now
        x = (change.changed_at - start).total_seconds() / total * 100
        width = max((end - change.changed_at).total_seconds() / total * 100, 0.5)
        segments.append({"x": round(x, 2), "width": round(width, 2), "status": str(change.status)})
    return segments


def listed_reports(session: Session, system_id: int) -> list[Report]:
    return list(
        session.scalars(
            select(Report)
            .where(Report.system_id == system_id, Report.status.in_(statuses.PUBLIC))
            .order_by(Report.received_at.desc())
            .limit(30)
        )
    )


def measurements_of(
    session: Session, system_id: int, source_ids: list[int]
) -> list[tuple[Measurement, Parameter]]:
    linked = or_(Measurement.system_id == system_id, Measurement.source_id.in_(source_ids))
    rows = session.execute(
        select(Measurement, Parameter)
        .join(Parameter, Parameter.code == Measurement.parameter_code)
        .where(linked)
        .order_by(Measurement.sampled_at.desc())
        .limit(50)
    ).all()
    return [(m, p) for m, p in rows]


def normalize_code(value: str) -> str:
    """Tracking codes as people type them back: any case, with spaces or dashes."""
    return value.strip().upper().replace("-", "").replace(" ", "")


def report_tracking(
    session: Session, tracking_code: str, language: str = "es"
) -> dict[str, Any] | None:
    """A report's public face: its status, the whole public timeline (arrival, the automatic
    check, each answer of the body responsible with its public note, resolution)."""
    report = session.scalars(
        select(Report).where(Report.tracking_code == normalize_code(tracking_code))
    ).first()
    if report is None:
        return None
    system = session.get(WaterSystem, report.system_id) if report.system_id else None
    return {
        "tracking_code": report.tracking_code,
        "category": str(report.category),
        "status": str(report.status),
        "description": public_text(report.description, report.public_description),
        "received_at": report.received_at,
        "updated_at": report.updated_at,
        "rejection_reason": shown(report.rejection_reason_msg, report.rejection_reason, language),
        "location_code": report.location_code,
        "system": system,
        "district": district_name(session, report.district_id),
        "timeline": answers.timeline(session, report, language),
    }
