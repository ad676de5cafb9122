"""Desk tasks: mark the reports no body acknowledged in time (every 10 minutes, on beat)."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from geodata import jobs
from geodata.database import session_scope
from geodata.desk.overdue import BATCH, mark_overdue
from worker.app import celery_app

MAX_BATCHES = 20  # a bounded run; the next beat takes the rest


@celery_app.task(
    name=jobs.MARK_OVERDUE,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
    ignore_result=True,
)
def mark_overdue_reports() -> int:
    """Idempotent: a second run finds nothing new. One transaction per batch."""
    marked = 0
    for _ in range(MAX_BATCHES):
        with session_scope() as session:
            ids = mark_overdue(session)
        marked += len(ids)
        if len(ids) < BATCH:
            break
    return marked
