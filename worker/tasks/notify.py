"""Messaging tasks: deliver one ledger row (``notify.deliver``), apply the rules to changed
reports and systems, and the beat's digest, follow-ups and sweep.

``notify.deliver`` is safe to run twice: the row is claimed ``FOR UPDATE SKIP LOCKED`` and only
while pending (``geodata.notify.ledger``). Its transient failures are retried with exponential
backoff up to ``notify_max_attempts``; the attempts are counted in the row, not in Celery.
"""

from __future__ import annotations

from collections.abc import Sequence

from celery import Task
from sqlalchemy.exc import OperationalError

from geodata import jobs
from geodata.database import session_scope
from geodata.notify import followups, ledger, rules, subscriptions
from worker.app import celery_app

DB_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


@celery_app.task(
    name=jobs.NOTIFY_DELIVER, bind=True, acks_late=True, ignore_result=True, **DB_RETRY
)
def deliver(self: Task, delivery_id: int) -> str:
    with session_scope() as session:
        result = ledger.attempt(session, int(delivery_id))
    if result.outcome is ledger.Outcome.RETRY:
        # A new message for the same row; the row's own count caps the attempts.
        raise self.retry(countdown=result.retry_in, max_retries=None)
    return result.outcome.value


@celery_app.task(name=jobs.NOTIFY_REPORTS, acks_late=True, ignore_result=True, **DB_RETRY)
def notify_reports(report_ids: Sequence[int]) -> int:
    with session_scope() as session:
        return rules.notify_reports(session, [int(i) for i in report_ids])


@celery_app.task(name=jobs.NOTIFY_STATUS_CHANGES, acks_late=True, ignore_result=True, **DB_RETRY)
def notify_status_changes(change_ids: Sequence[int]) -> int:
    with session_scope() as session:
        return subscriptions.notify_status_changes(session, [int(i) for i in change_ids])


@celery_app.task(name=jobs.NOTIFY_DIGEST, acks_late=True, ignore_result=True, **DB_RETRY)
def send_digests() -> int:
    with session_scope() as session:
        return rules.send_digests(session)


@celery_app.task(name=jobs.NOTIFY_FOLLOWUPS, acks_late=True, ignore_result=True, **DB_RETRY)
def ask_followups() -> int:
    with session_scope() as session:
        return followups.ask_followups(session)


@celery_app.task(name=jobs.NOTIFY_SWEEP, acks_late=True, ignore_result=True, **DB_RETRY)
def sweep_deliveries() -> int:
    """Pending rows whose task message was lost get a new one (a copy is harmless)."""
    with session_scope() as session:
        ids = ledger.stale_pending(session)
    jobs.dispatch([jobs.Job(jobs.NOTIFY_DELIVER, (i,)) for i in ids])
    return len(ids)
