"""Dashboard figures: the districts an aggregation touched (with their province and the
region), and every area on the beat schedule. Idempotent: each run rewrites its areas' rows
from the data, under one advisory lock (``geodata.dashboards.refresh``)."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from geodata import jobs
from geodata.dashboards.refresh import refresh
from geodata.database import session_scope
from worker.app import celery_app

RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
    "ignore_result": True,
}


@celery_app.task(name=jobs.REFRESH_DASHBOARDS, **RETRY)
def refresh_districts(district_ids: list[int]) -> int:
    with session_scope() as session:
        return len(refresh(session, [int(i) for i in district_ids]))


@celery_app.task(name=jobs.REFRESH_ALL_DASHBOARDS, **RETRY)
def refresh_all() -> int:
    with session_scope() as session:
        return len(refresh(session))
