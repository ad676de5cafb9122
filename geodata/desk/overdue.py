"""Reports no body acknowledged in time: marked overdue and escalated to the district's ATM.

The ATM already sees every report of its district on its desk; the mark makes the escalation
visible (an internal note on the timeline, the desk's overdue filter and order, the
indicators). Idempotent: a report is marked once (``overdue_at``); a batch skips rows another
worker holds.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.accounts import audit
from geodata.i18n import translate
from geodata.models import Provider, Report
from geodata.reports.deadlines import overdue_clause
from geodata.reports.lifecycle import YAKU, transition
from geodata.reports.routing import district_atms

BATCH = 500


def mark_overdue(session: Session, now: datetime | None = None, limit: int = BATCH) -> list[int]:
    """Mark up to ``limit`` overdue reports; returns their ids (empty when none are left)."""
    now = now or datetime.now(UTC)
    reports = session.scalars(
        select(Report)
        .where(overdue_clause(now), Report.overdue_at.is_(None))
        .order_by(Report.due_at, Report.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not reports:
        return []
    atms = district_atms(session, [r.district_id for r in reports if r.district_id is not None])
    names = {
        provider_id: name
        for provider_id, name in session.execute(
            select(Provider.id, Provider.name).where(Provider.id.in_(atms.values()))
        )
    }
    for report in reports:
        atm = atms.get(report.district_id) if report.district_id is not None else None
        if atm is not None and atm != report.provider_id:
            note = translate(
                "Not acknowledged in time: escalated to {atm}, the district's ATM.",
                report.language,
            ).format(atm=names[atm])
        else:  # the ATM itself holds it, or the district has none
            note = translate("Not acknowledged in time.", report.language)
        transition(session, report, None, YAKU, note, public=False, now=now)
        report.overdue_at = now
        audit.record(
            session,
            "report.overdue",
            YAKU.name,
            subject_type="report",
            subject_id=report.tracking_code,
            due_at=report.due_at.isoformat() if report.due_at else None,
            escalated_to=atm,
        )
    session.flush()
    ids = [r.id for r in reports]
    jobs.enqueue(session, jobs.AGGREGATE_REPORTS, ids)
    return ids
