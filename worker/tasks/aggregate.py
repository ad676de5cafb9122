"""Aggregation tasks: the statuses and indicators reports touch, and the full recompute."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from geodata import jobs
from geodata.database import session_scope
from geodata.reports.aggregation import aggregate_for_reports, recompute_all
from worker.app import celery_app

RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),  # deadlock or lost connection: rerun from scratch
    "retry_backoff": True,
    "retry_backoff_max": 30,
    "max_retries": 5,
    "ignore_result": True,
}


@celery_app.task(name=jobs.AGGREGATE_REPORTS, **RETRY)
def aggregate_reports(report_ids: list[int]) -> int:
    """Incremental update after a batch of validated reports."""
    with session_scope() as session:
        result = aggregate_for_reports(session, [int(i) for i in report_ids])
        if result.districts:
            jobs.enqueue(session, jobs.REFRESH_DASHBOARDS, result.districts)
    return len(result.changed_systems) + len(result.changed_sources)


@celery_app.task(name=jobs.RECOMPUTE_ALL, acks_late=True, ignore_result=True)
def recompute_all_statuses() -> int:
    """Full recompute on a schedule, then refresh the published downloads."""
    with session_scope() as session:
        result = recompute_all(session)
        jobs.enqueue(session, jobs.REFRESH_ALL_DASHBOARDS)
        jobs.enqueue(session, jobs.PUBLISH_DOWNLOADS)
    return len(result.changed_systems) + len(result.changed_sources)
