"""Report tasks: validate reports, sweep the ones left unprocessed.

Each task is one transaction (``session_scope``); follow-up tasks are sent only after commit.
Validation claims rows with ``FOR UPDATE SKIP LOCKED`` and only ``received`` ones, so a task
delivered twice (acks_late, a sweep copy) does nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import OperationalError

from geodata.database import session_scope
from geodata.models import ReportStatus
from geodata.reports.aggregation import aggregate_for_reports
from geodata.reports.sweep import claim_unprocessed
from geodata.reports.validation import Outcome, validate_reports
from geodata.settings import get_settings
from worker.app import celery_app

log = logging.getLogger(__name__)

TRANSIENT = (ConnectionError, TimeoutError, OperationalError)
SWEEP_BATCH_SIZE = 100
BACKLOG_PER_TASK = 200  # other waiting reports a task may take along (large batches under load)


def _validate(report_ids: Sequence[int]) -> int:
    ids = [int(i) for i in report_ids]
    try:
        outcomes = _validate_in_one_transaction(ids, BACKLOG_PER_TASK)
    except TRANSIENT:
        raise
    except Exception:
        # One bad report must not hold the others back: retry each alone, then give up on it
        # (it stays 'received', the sweep retries later and the log says why).
        log.exception("batch validation failed; validating %d reports one by one", len(ids))
        outcomes = []
        for report_id in ids:
            try:
                outcomes += _validate_in_one_transaction([report_id], 0)
            except Exception:
                log.exception("validation of report %s failed", report_id)
    validated = [o.report_id for o in outcomes if o.status is ReportStatus.VALIDATED]
    if validated:
        _aggregate(validated)
    return len(outcomes)


def _aggregate(report_ids: list[int]) -> None:
    """The incremental aggregation right away, in its own transaction after the validation
    commit (no second queue to wait in); if it fails, ``aggregate.reports`` retries it."""
    try:
        with session_scope() as session:
            aggregate_for_reports(session, report_ids)
    except Exception:
        log.warning("inline aggregation failed; enqueued instead", exc_info=True)
        celery_app.send_task("aggregate.reports", args=[report_ids], ignore_result=True)


# Safe to run twice (claims skip what is no longer 'received'); retried only on named
# transient errors, with backoff and a cap.
VALIDATION_TASK: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
    "ignore_result": True,
}


def _validate_in_one_transaction(ids: list[int], backlog: int) -> list[Outcome]:
    with session_scope() as session:
        return validate_reports(session, ids, backlog=backlog)


@celery_app.task(name="reports.validate", **VALIDATION_TASK)
def validate(report_id: int) -> int:
    """Validate or reject one ``received`` report; a second run finds nothing to do."""
    return _validate([report_id])


@celery_app.task(name="reports.validate_batch", **VALIDATION_TASK)
def validate_batch(report_ids: list[int]) -> int:
    """The same for a batch (what the API and the sweep send): one transaction for all."""
    return _validate(report_ids)


@celery_app.task(name="reports.sweep", acks_late=True, ignore_result=True)
def sweep() -> int:
    """Re-enqueue every report still ``received`` after ``sweep_after_seconds``."""
    with session_scope() as session:
        ids = claim_unprocessed(session, get_settings().sweep_after_seconds)
    for start in range(0, len(ids), SWEEP_BATCH_SIZE):
        chunk = ids[start : start + SWEEP_BATCH_SIZE]
        celery_app.send_task("reports.validate_batch", args=[chunk], ignore_result=True)
    if ids:
        log.info("sweep re-enqueued %d reports", len(ids))
    return len(ids)
