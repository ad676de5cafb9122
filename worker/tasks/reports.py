"""Report tasks: validate reports, sweep the ones left unprocessed.

Each task is one transaction (``session_scope``); follow-up work is buffered with
``geodata.jobs`` and sent only after commit. Validation claims rows with ``FOR UPDATE SKIP
LOCKED`` and only ``received`` ones, so a task delivered twice (acks_late, a sweep copy) does
nothing the second time. A report whose validation fails is retried alone; its failures are
counted outside the failed transaction, and after a few it waits for the moderators.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import OperationalError

from geodata import jobs
from geodata.database import session_scope
from geodata.models import ReportStatus
from geodata.reports.aggregation import aggregate_for_reports
from geodata.reports.sweep import claim_unprocessed
from geodata.reports.validation import Outcome, record_failure, validate_reports
from geodata.settings import get_settings
from worker.app import celery_app

log = logging.getLogger(__name__)

TRANSIENT = (ConnectionError, TimeoutError, OperationalError)
BACKLOG_PER_TASK = 200  # other waiting reports a task may take along (large batches under load)


def _validate(report_ids: Sequence[int]) -> int:
    ids = [int(i) for i in report_ids]
    claimed: list[int] = []
    try:
        outcomes = _validate_in_one_transaction(ids, BACKLOG_PER_TASK, claimed)
    except TRANSIENT:
        raise
    except Exception:
        # One bad report must not hold the others back: retry each claimed report alone; the
        # one that still fails has its failure counted (a poison report stops after a few).
        alone = list(dict.fromkeys(ids + claimed))
        log.exception("batch validation failed; validating %d reports one by one", len(alone))
        outcomes = []
        for report_id in alone:
            try:
                outcomes += _validate_in_one_transaction([report_id], 0)
            except TRANSIENT:
                raise
            except Exception as exc:
                log.exception("validation of report %s failed", report_id)
                with session_scope() as session:
                    record_failure(session, report_id, exc)
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
        jobs.dispatch([jobs.Job(jobs.AGGREGATE_REPORTS, (report_ids,))])


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


def _validate_in_one_transaction(
    ids: list[int], backlog: int, claimed: list[int] | None = None
) -> list[Outcome]:
    with session_scope() as session:
        return validate_reports(session, ids, backlog=backlog, claimed=claimed)


@celery_app.task(name="reports.validate", **VALIDATION_TASK)
def validate(report_id: int) -> int:
    """Validate or reject one ``received`` report; a second run finds nothing to do."""
    return _validate([report_id])


@celery_app.task(name=jobs.VALIDATE_REPORTS, **VALIDATION_TASK)
def validate_batch(report_ids: list[int]) -> int:
    """The same for a batch (what the API and the sweep send): one transaction for all."""
    return _validate(report_ids)


@celery_app.task(name=jobs.SWEEP_REPORTS, acks_late=True, ignore_result=True)
def sweep() -> int:
    """Re-enqueue every report still ``received`` after ``sweep_after_seconds``."""
    with session_scope() as session:
        ids = claim_unprocessed(session, get_settings().sweep_after_seconds)
        if ids:  # sent after commit, in messages of jobs.MAX_BATCH ids
            jobs.enqueue(session, jobs.VALIDATE_REPORTS, ids)
    if ids:
        log.info("sweep re-enqueued %d reports", len(ids))
    return len(ids)
