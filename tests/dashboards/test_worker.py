"""A real Celery worker refreshes the dashboards of the district an aggregation touched, and
beat refreshes every area on its schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.dashboards.refresh import refresh
from geodata.models import DistrictIndicator, StatusChange, WaterSystem
from tests.celery_support import celery_client, flush_redis, running_worker, wait_for
from tests.web.citizen_browser_support import STATUS_COLUMNS
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
    columns = [getattr(WaterSystem, c) for c in STATUS_COLUMNS]
    with Session(engine) as session:
        system_id, district_id = session.execute(
            select(WaterSystem.id, WaterSystem.district_id).where(WaterSystem.code == CODE)
        ).one()
        before = session.execute(select(*columns).where(WaterSystem.id == system_id)).one()
        last_change = session.scalar(select(func.max(StatusChange.id))) or 0
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
        # put back what the worker's aggregation changed (other tests read the seeded state)
        with Session(engine) as session:
            session.execute(
                update(WaterSystem)
                .where(WaterSystem.id == system_id)
                .values(dict(zip(STATUS_COLUMNS, before, strict=True)))
            )
            session.execute(delete(StatusChange).where(StatusChange.id > last_change))
            session.execute(
                delete(DistrictIndicator).where(DistrictIndicator.district_id == district_id)
            )
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
