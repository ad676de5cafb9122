"""The sweep hands back to validation only reports still waiting, and marks them enqueued."""

from __future__ import annotations

from sqlalchemy.orm import Session

from geodata.models import Report
from geodata.reports.sweep import claim_unprocessed
from geodata.reports.validation import validate_report
from tests import report_factories as make


def test_sweep_takes_waiting_reports_older_than_the_threshold(session: Session) -> None:
    place = make.systems(session)[0]
    waiting = make.report(session, place, device_id="sweep-1")
    done = make.report(session, place, device_id="sweep-2")
    validate_report(session, done.id)
    assert claim_unprocessed(session, older_than_seconds=3600) == []
    claimed = claim_unprocessed(session, older_than_seconds=0)
    assert waiting.id in claimed and done.id not in claimed
    session.expire_all()
    report = session.get_one(Report, waiting.id)
    assert report.enqueued_at is not None and report.enqueued_at > report.received_at
