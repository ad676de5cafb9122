"""Reports as the citizen sees them: open reports with the last answer of the body responsible,
and the whole public timeline of one report.

Public only: never the reporter's contact or fingerprint, never an internal note, never the
name of a person (answers carry the body's name, ``ReportUpdate.actor_name``); descriptions and
notes have contacts masked. Yaku's own notes are rendered in the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from geodata.messages import shown
from geodata.models import ActorKind, Report, ReportUpdate
from geodata.opendata.privacy import mask_contacts, public_text
from geodata.reports import statuses

OPEN_REPORTS_SHOWN = 10


def _answer(update: ReportUpdate, language: str) -> dict[str, Any]:
    note = shown(update.note_msg, update.note, language)
    return {
        "status": str(update.to_status),
        "by": update.actor_name,
        "at": update.created_at,
        "date": update.created_at.date().isoformat(),
        "note": mask_contacts(note) if note else None,
    }


def last_answers(
    session: Session, report_ids: Sequence[int], language: str
) -> dict[int, dict[str, Any]]:
    """Per report, the newest public update written by a body (not by Yaku's checks)."""
    if not report_ids:
        return {}
    rows = session.scalars(
        select(ReportUpdate)
        .where(
            ReportUpdate.report_id.in_(list(report_ids)),
            ReportUpdate.is_public.is_(True),
            ReportUpdate.actor_kind != ActorKind.SYSTEM,
        )
        .order_by(ReportUpdate.report_id, ReportUpdate.created_at.desc(), ReportUpdate.id.desc())
    ).all()
    found: dict[int, dict[str, Any]] = {}
    for update in rows:
        found.setdefault(update.report_id, _answer(update, language))
    return found


def open_reports(
    session: Session, condition: ColumnElement[bool], language: str, limit: int = OPEN_REPORTS_SHOWN
) -> list[dict[str, Any]]:
    """Live public reports matching ``condition`` (newest first) with their last answer."""
    reports = session.scalars(
        select(Report)
        .where(condition, Report.status.in_(statuses.LIVE))
        .order_by(Report.received_at.desc(), Report.id.desc())
        .limit(limit)
    ).all()
    answers = last_answers(session, [r.id for r in reports], language)
    return [
        {
            "code": r.tracking_code,
            "category": str(r.category),
            "status": str(r.status),
            "received": r.received_at.date().isoformat(),
            "received_at": r.received_at,
            "description": public_text(r.description, r.public_description),
            "answer": answers.get(r.id),
        }
        for r in reports
    ]


def timeline(session: Session, report: Report, language: str) -> list[dict[str, Any]]:
    """Everything public that happened to a report, oldest first, starting with its arrival."""
    updates = session.scalars(
        select(ReportUpdate)
        .where(ReportUpdate.report_id == report.id, ReportUpdate.is_public.is_(True))
        .order_by(ReportUpdate.created_at, ReportUpdate.id)
    ).all()
    events: list[dict[str, Any]] = [
        {"status": "received", "by": None, "at": report.received_at, "note": None, "kind": "system"}
    ]
    for update in updates:
        event = _answer(update, language)
        event["kind"] = str(update.actor_kind)
        event["note_only"] = update.from_status == update.to_status
        events.append(event)
    return events


def last_change(events: list[dict[str, Any]]) -> datetime:
    return max(e["at"] for e in events)
