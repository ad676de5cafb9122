"""Four weeks after a report is resolved, its reporter (if reachable) is asked once whether it
is really fixed (FixMyStreet's questionnaire); "no" re-opens it on the desk.

``notify_followup`` holds one row per report: written when the question is asked (or found
impossible to ask), so the beat task asks once; its answer makes the link single use.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from geodata.errors import Conflict, NotFound
from geodata.i18n import translate
from geodata.models import ActorKind, FollowUp, Report, ReportStatus
from geodata.notify import contacts, texts, tokens
from geodata.notify.outbox import queue_message
from geodata.reports.lifecycle import Actor, transition
from geodata.settings import get_settings

ANSWER_PATH = "/seguimiento/arreglado/"
FIXED, NOT_FIXED, NO_CONTACT = "fixed", "not_fixed", "no_contact"
BATCH = 200
REPORTER = Actor(ActorKind.CITIZEN, "Vecino/a", channel="link")


class FollowUpLinkInvalid(NotFound):
    code = "followup_link_invalid"
    message = "This link is not valid."


class FollowUpAnswered(Conflict):
    code = "followup_answered"
    message = "This question was already answered. Thank you."


def ask_followups(session: Session, now: datetime | None = None, limit: int = BATCH) -> int:
    """Ask the reporters of reports resolved ``notify_followup_days`` ago; returns how many."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=get_settings().notify_followup_days)
    reports = session.scalars(
        select(Report)
        .where(
            Report.status == ReportStatus.RESOLVED,
            Report.resolved_at <= cutoff,
            Report.reporter_contact.is_not(None),
            ~exists().where(FollowUp.report_id == Report.id),
        )
        .order_by(Report.resolved_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    asked = 0
    for report in reports:
        route = contacts.citizen_route(session, report.reporter_contact, now)
        session.add(
            FollowUp(report_id=report.id, asked_at=now, answer=None if route else NO_CONTACT)
        )
        if route is None:
            continue
        address, kind = route
        link = texts.url(ANSWER_PATH + tokens.sign(tokens.FOLLOWUP, report.id))
        subject, text = texts.followup_question(report, link)
        queue_message(
            session,
            event_key=f"report:{report.id}:followup",
            recipient=address,
            channel=kind,
            subject=subject,
            text=text,
            language=report.language,
            report_id=report.id,
        )
        asked += 1
    session.flush()
    return asked


def open_question(session: Session, token: str, *, lock: bool = False) -> tuple[FollowUp, Report]:
    report_id = tokens.verify(tokens.FOLLOWUP, token)
    followup = (
        session.get(FollowUp, report_id, with_for_update=lock) if report_id is not None else None
    )
    report = session.get(Report, report_id) if followup is not None else None
    if followup is None or report is None or followup.answer == NO_CONTACT:
        raise FollowUpLinkInvalid()
    return followup, report


def answer(session: Session, token: str, fixed: bool, now: datetime | None = None) -> Report:
    """Record the reporter's answer, once; "not fixed" re-opens a resolved or closed report
    (back to 'acknowledged': the body already knows it) with a public note."""
    now = now or datetime.now(UTC)
    followup, report = open_question(session, token, lock=True)
    if followup.answer is not None:
        raise FollowUpAnswered()
    followup.answer = FIXED if fixed else NOT_FIXED
    followup.answered_at = now
    if not fixed and ReportStatus(report.status) in (ReportStatus.RESOLVED, ReportStatus.CLOSED):
        note = translate("The reporter says the problem is not fixed.", report.language)
        transition(session, report, ReportStatus.ACKNOWLEDGED, REPORTER, note, now=now)
    session.flush()
    return report
