"""Nothing is lost: reports still ``received`` after a while are handed to validation again.

A report stays ``received`` when Redis was down at intake, when a worker died mid-task, or when
a task was lost; the periodic sweep finds them by the partial index ``ix_report_unprocessed``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from geodata.models import Report, ReportStatus
from geodata.reports.validation import MAX_VALIDATION_ATTEMPTS

SWEEP_BATCH = 1000


def claim_unprocessed(
    session: Session, older_than_seconds: float, limit: int = SWEEP_BATCH
) -> list[int]:
    """Ids of reports waiting longer than ``older_than_seconds``; marks them enqueued now.

    Reports enqueued recently (by the API or a previous sweep) are left alone, so a long queue
    is not flooded with copies; a copy would be harmless anyway (validation is idempotent).
    Poison reports (validation failed ``MAX_VALIDATION_ATTEMPTS`` times) wait for a moderator.
    """
    now = datetime.now(UTC)
    cutoff = now - timedelta(seconds=older_than_seconds)
    ids = list(
        session.scalars(
            select(Report.id)
            .where(
                Report.status == ReportStatus.RECEIVED,
                Report.validation_attempts < MAX_VALIDATION_ATTEMPTS,
                Report.received_at < cutoff,
                or_(Report.enqueued_at.is_(None), Report.enqueued_at < cutoff),
            )
            .order_by(Report.received_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(
            update(Report).where(Report.id.in_(ids)).values(enqueued_at=now),
            execution_options={"synchronize_session": False},
        )
    return ids
