"""A report whose validation fails every time stops being retried and waits for moderators."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from geodata.models import Report, ReportCategory, ReportStatus
from geodata.reports.intake import NewReport, submit_report
from geodata.reports.sweep import claim_unprocessed
from geodata.reports.validation import MAX_VALIDATION_ATTEMPTS, claim
from tests import report_factories as make


@pytest.fixture
def poison(engine: Engine) -> Iterator[int]:
    """A committed report whose reading is not a number: validation raises every time (the API
    would refuse it; a row can still arrive so through an older client or a bug)."""
    with Session(engine) as session:
        place = make.systems(session, 1, offset=40)[0]
        accepted = submit_report(
            session,
            NewReport(
                category=ReportCategory.TURBID_WATER,
                lon=place.lon,
                lat=place.lat,
                measurements=[{"parameter": "ph", "value": "not a number"}],
                device_id="poison-device",
            ),
        )
        session.commit()
    yield accepted.id
    with Session(engine) as session:
        session.execute(delete(Report).where(Report.id == accepted.id))
        session.commit()


def test_failures_are_counted_outside_the_failed_transaction(engine: Engine, poison: int) -> None:
    from worker.tasks.reports import _validate

    for attempt in range(1, MAX_VALIDATION_ATTEMPTS + 2):
        _validate([poison])
        with Session(engine) as session:
            report = session.get_one(Report, poison)
            expected = min(attempt, MAX_VALIDATION_ATTEMPTS)
            assert report.validation_attempts == expected
            assert report.status is ReportStatus.RECEIVED
            assert report.validation_error is not None
            assert "ValueError" in report.validation_error
    with Session(engine) as session:
        assert poison not in [r.id for r in claim(session, [poison], backlog=1000)]
        assert poison not in claim_unprocessed(session, older_than_seconds=0)
        session.rollback()


def test_a_poison_report_taken_along_a_batch_is_found_and_counted(
    engine: Engine, poison: int
) -> None:
    """Taken as backlog by another report's task, it fails the batch; the retry one by one
    covers every claimed report, so it is still the one counted."""
    from worker.tasks.reports import _validate

    _validate([])  # no ids of its own: the poison report only comes as backlog
    with Session(engine) as session:
        attempts = session.scalar(select(Report.validation_attempts).where(Report.id == poison))
    assert attempts == 1
