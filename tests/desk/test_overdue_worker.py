"""Overdue marking through a real Celery worker on the real Redis, and its beat entry.

The data is committed (the worker is another process) and removed afterwards, with what the
aggregation the marking sends wrote for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.models import (
    AuditEvent,
    DistrictIndicator,
    ProviderIndicator,
    Report,
    ReportCategory,
    ReportUpdate,
)
from geodata.reports.validation import validate_report
from tests import report_factories as make
from tests.celery_support import celery_client, flush_redis, running_worker, wait_for

pytestmark = pytest.mark.celery


@pytest.fixture
def waiting_report(engine: Engine) -> Iterator[int]:
    """A committed, validated leak report (no colour change) already past its due time."""
    with Session(engine) as session:
        place = make.systems(session, 1, offset=55)[0]
        accepted = make.report(session, place, ReportCategory.LEAK, device_id="overdue-worker")
        validate_report(session, accepted.id)
        report = session.get_one(Report, accepted.id)
        report.due_at = report.validated_at  # due at once: overdue from the start
        provider_id, district_id, code = (
            report.provider_id,
            report.district_id,
            report.tracking_code,
        )
        session.commit()
    yield accepted.id
    with Session(engine) as session:
        session.execute(delete(Report).where(Report.id == accepted.id))
        session.execute(delete(AuditEvent).where(AuditEvent.subject_id == code))
        session.execute(
            delete(ProviderIndicator).where(ProviderIndicator.provider_id == provider_id)
        )
        session.execute(
            delete(DistrictIndicator).where(DistrictIndicator.district_id == district_id)
        )
        session.commit()


def test_the_worker_marks_overdue_reports(engine: Engine, waiting_report: int) -> None:
    flush_redis()
    with running_worker("yaku-desk-overdue"):
        celery_client().send_task(jobs.MARK_OVERDUE)

        def marked() -> Report | None:
            with Session(engine) as session:
                report = session.get_one(Report, waiting_report)
                return report if report.overdue_at is not None else None

        report = wait_for(marked, timeout=30)

        def counted() -> ProviderIndicator | None:  # the aggregation the marking sent
            with Session(engine) as session:
                row = session.get(ProviderIndicator, report.provider_id)
                return row if row is not None and row.overdue_reports == 1 else None

        wait_for(counted, timeout=30)
        with Session(engine) as session:
            notes = session.scalars(
                select(ReportUpdate).where(
                    ReportUpdate.report_id == waiting_report, ReportUpdate.is_public.is_(False)
                )
            ).all()
            assert len(notes) == 1 and notes[0].actor_name == "Yaku"
            assert (notes[0].note or "").startswith("No fue atendido a tiempo")
        celery_client().send_task(jobs.MARK_OVERDUE)  # a second run marks nothing new
        celery_client().send_task("system.ping").get(timeout=20)
        with Session(engine) as session:
            notes_after = session.scalars(
                select(ReportUpdate.id).where(
                    ReportUpdate.report_id == waiting_report, ReportUpdate.is_public.is_(False)
                )
            ).all()
            assert len(notes_after) == 1
    flush_redis()


def test_beat_marks_overdue_reports_every_ten_minutes() -> None:
    import worker.tasks.desk  # noqa: F401  (what a worker imports from conf.include)
    from worker.app import celery_app

    assert "worker.tasks.desk" in celery_app.conf.include
    entries = {e["task"]: e["schedule"] for e in celery_app.conf.beat_schedule.values()}
    assert entries[jobs.MARK_OVERDUE] == 600.0
    assert jobs.MARK_OVERDUE in celery_app.tasks
