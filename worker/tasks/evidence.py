"""Aggregation after new official readings: the touched systems' and sources' colours, their
monthly compliance and their districts' indicators (the same code as the full recompute)."""

from __future__ import annotations

from geodata import jobs
from geodata.database import session_scope
from geodata.reports.aggregation import aggregate_for_subjects
from worker.app import celery_app
from worker.tasks.aggregate import RETRY


@celery_app.task(name=jobs.AGGREGATE_SYSTEMS, **RETRY)
def aggregate_systems(system_ids: list[int]) -> int:
    with session_scope() as session:
        result = aggregate_for_subjects(session, [int(i) for i in system_ids])
        if result.districts:
            jobs.enqueue(session, jobs.REFRESH_DASHBOARDS, result.districts)
    return len(result.changed_systems)


@celery_app.task(name=jobs.AGGREGATE_SOURCES, **RETRY)
def aggregate_sources(source_ids: list[int]) -> int:
    with session_scope() as session:
        result = aggregate_for_subjects(session, [], [int(i) for i in source_ids])
    return len(result.changed_sources)
