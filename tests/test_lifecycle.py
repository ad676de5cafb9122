"""The one report lifecycle: allowed moves, the update row, the timestamps, 409 otherwise."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.models import ActorKind, Report, ReportStatus, ReportUpdate
from geodata.reports import statuses
from geodata.reports.lifecycle import (
    Actor,
    IllegalTransition,
    NoteRequired,
    ReasonRequired,
    transition,
)
from tests import report_factories as make

BODY = Actor(
    ActorKind.PROVIDER, "JASS Prueba", role="provider_staff", account_id=None, channel="desk"
)
ALL = list(ReportStatus)


def report_in(session: Session, status: ReportStatus) -> Report:
    place = make.systems(session)[0]
    accepted = make.report(session, place)
    report = session.get_one(Report, accepted.id)
    report.status = status
    if status is ReportStatus.REJECTED:
        report.rejection_reason = "spam"
    session.flush()
    return report


@pytest.mark.parametrize(("current", "target"), list(itertools.product(ALL, ALL)))
def test_every_move_is_allowed_or_refused_by_the_table(
    session: Session, current: ReportStatus, target: ReportStatus
) -> None:
    report = report_in(session, current)
    allowed = target in statuses.TRANSITIONS[current]
    if current is target:
        allowed = current in statuses.NOTE_ALLOWED
    if allowed:
        update = transition(session, report, target, BODY, "nota")
        session.flush()
        assert report.status is target
        assert (update.from_status, update.to_status) == (current, target)
        assert update.actor_name == "JASS Prueba" and update.channel == "desk"
    else:
        with pytest.raises(IllegalTransition):
            transition(session, report, target, BODY, "nota")
        assert report.status is current
        assert (
            session.scalars(select(ReportUpdate).where(ReportUpdate.report_id == report.id)).all()
            == []
        )


def test_timestamps_follow_the_moves(session: Session) -> None:
    report = report_in(session, ReportStatus.RECEIVED)
    t0 = datetime(2026, 11, 1, 8, tzinfo=UTC)
    transition(session, report, ReportStatus.VALIDATED, BODY, now=t0)
    assert report.validated_at == t0 and report.acknowledged_at is None
    transition(session, report, ReportStatus.IN_PROGRESS, BODY, now=t0 + timedelta(hours=5))
    assert report.acknowledged_at == t0 + timedelta(hours=5)  # the first answer stops the clock
    transition(session, report, ReportStatus.RESOLVED, BODY, now=t0 + timedelta(days=2))
    assert report.resolved_at == t0 + timedelta(days=2)
    assert report.acknowledged_at == t0 + timedelta(hours=5)
    transition(session, report, ReportStatus.ACKNOWLEDGED, BODY, "volvió a fallar")
    assert report.resolved_at is None  # re-opened
    transition(session, report, ReportStatus.CLOSED, BODY, now=t0 + timedelta(days=9))
    assert report.closed_at == t0 + timedelta(days=9)


def test_a_note_keeps_the_status_and_needs_text(session: Session) -> None:
    report = report_in(session, ReportStatus.VALIDATED)
    update = transition(session, report, None, BODY, "  Vamos mañana  ", public=False)
    assert report.status is ReportStatus.VALIDATED
    assert update.note == "Vamos mañana" and update.is_public is False
    with pytest.raises(NoteRequired):
        transition(session, report, None, BODY, "   ")


def test_a_rejection_needs_a_reason(session: Session) -> None:
    report = report_in(session, ReportStatus.VALIDATED)
    with pytest.raises(ReasonRequired):
        transition(session, report, ReportStatus.REJECTED, BODY)
    transition(session, report, ReportStatus.REJECTED, BODY, "publicidad")
    assert report.rejection_reason == "publicidad"
    transition(session, report, ReportStatus.VALIDATED, BODY)  # a moderator restores it
    assert report.rejection_reason is None


def test_the_refusal_is_translated() -> None:
    error = IllegalTransition(current="resolved", target="received")
    assert error.status_code == 409
    assert error.localized("es") == "Un reporte «resuelto» no puede pasar a «recibido»."
    assert error.localized("en") == "A report that is 'resolved' cannot become 'received'."
