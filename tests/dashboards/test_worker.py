"""A real Celery worker refreshes the dashboards of the district an aggregation touched, and
beat refreshes every area on its schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.models import WaterSystem
from geodata.reports.aggregation import aggregate_for_subjects
from tests.celery_support import celery_client, flush_redis, running_worker, wait_for
from tests.web.conftest import committed_report

CODE = "SIASAR-160421"


def district_figures(engine: Engine, district_id: int) -> tuple[int, int] | None:
    with Session(engine) as session:
        row = session.execute(
            text("SELECT received_reports, open_reports FROM dashboard_area WHERE area_id = :d"),
            {"d": district_id},
        ).first()
    return (int(row[0]), int(row[1])) if row else None


def test_aggregation_in_the_worker_refreshes_the_districts_dashboard(engine: Engine) -> None:
    flush_redis()
    with Session(engine) as session:
        system_id, district_id = session.execute(
            select(WaterSystem.id, WaterSystem.district_id).where(WaterSystem.code == CODE)
        ).one()
        session.execute(text("DELETE FROM dashboard_area WHERE area_id = :d"), {"d": district_id})
        session.commit()
    now = datetime.now(UTC)
    try:
        with (
            committed_report(
                engine, CODE, received_at=now - timedelta(hours=5), validated_at=now
            ) as report,
            running_worker("yaku-dashboards"),
        ):
            celery_client().send_task(jobs.AGGREGATE_REPORTS, args=[[report.id]])
            assert wait_for(lambda: district_figures(engine, district_id), timeout=30) == (1, 1)
    finally:
        with Session(engine) as session:
            aggregate_for_subjects(session, [system_id])
            from geodata.dashboards.refresh import refresh

            refresh(session, [district_id])
            session.commit()
        flush_redis()


def test_beat_refreshes_every_dashboard() -> None:
    import worker.tasks.dashboards  # noqa: F401 (registers the tasks)
    from worker.app import celery_app

    entries = {e["task"]: e["schedule"] for e in celery_app.conf.beat_schedule.values()}
    assert entries[jobs.REFRESH_ALL_DASHBOARDS] <= 900
    assert jobs.REFRESH_ALL_DASHBOARDS in celery_app.tasks
    assert jobs.REFRESH_DASHBOARDS in celery_app.tasks
