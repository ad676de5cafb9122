"""One inbound message, processed once: stored (deduplicated on the gateway's id), read, acted
on, answered.

* a report (``AGUA 160421 NOHAY`` or free text) goes through the same intake as the web
  (``geodata.reports.intake.submit_report``) and is validated by the worker after commit; the
  phone is its private reporter contact;
* a report needs a place: a system code in the text, or a location shared from the same phone
  within ``inbound_pairing_minutes`` (before or after the text); a text without either, or a
  location without a text, waits that long for its other half (a location whose text never
  came then becomes a report on its own: ``geodata.inbound.settle``);
* ``ESTADO <código>`` answers the report's public status;
* a numbered reply from a provider's registered number answers a report (``answers``), and
  the reporter is told;
* anything else is answered with the syntax help. Every answer goes through ``send_reply``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from psycopg.types.json import Jsonb
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.errors import AppError
from geodata.inbound import texts
from geodata.inbound.answers import Answerer, answer_by_reply, answerer_for
from geodata.inbound.gateways import Incoming, phone_of
from geodata.inbound.places import resolve_code
from geodata.inbound.replies import send_reply
from geodata.inbound.syntax import Kind, Parsed, parse
from geodata.inbound.texts import say
from geodata.models import ChannelKind, InboundMessage, Report, ReportCategory, ReportUpdate
from geodata.notify.base import mask_address
from geodata.notify.contacts import touch_inbound
from geodata.reports.intake import NewReport, submit_report
from geodata.settings import get_settings

log = logging.getLogger("yaku.inbound")

INSERT_MESSAGE = text(
    """
    INSERT INTO inbound_message (gateway, message_id, sender, kind, text, lon, lat, payload)
    VALUES (:gateway, :message_id, :sender, :kind, :text, :lon, :lat, :payload)
    ON CONFLICT (gateway, message_id) DO NOTHING
    RETURNING id
    """
)


@dataclass(frozen=True, slots=True)
class Outcome:
    message_id: int
    outcome: str  # report, waiting, paired, status, answer, refused, help
    tracking_code: str | None = None
    reply: str | None = None


def receive(session: Session, incoming: Incoming, now: datetime | None = None) -> Outcome | None:
    """Process ``incoming`` unless this gateway already delivered it (then None). Flushes only;
    the reply and the report's validation leave after the caller's commit."""
    row_id = session.execute(
        INSERT_MESSAGE,
        {
            "gateway": incoming.gateway,
            "message_id": incoming.message_id,
            "sender": incoming.sender,
            "kind": incoming.kind,
            "text": incoming.text,
            "lon": incoming.lon,
            "lat": incoming.lat,
            "payload": Jsonb(dict(incoming.payload)) if incoming.payload is not None else None,
        },
    ).scalar()
    if row_id is None:
        log.info(
            "%s message %s from %s already processed",
            incoming.gateway,
            incoming.message_id,
            mask_address(incoming.sender),
        )
        return None
    if incoming.channel in (ChannelKind.WHATSAPP, ChannelKind.SMS):
        # WhatsApp: opens the 24-hour window for free text and is the person's opt-in;
        # SMS: consent to SMS replies.
        touch_inbound(session, incoming.sender, at=now, channel=incoming.channel)
    message = session.get_one(InboundMessage, row_id)
    outcome = _handle(session, message, incoming, now or datetime.now(UTC))
    message.outcome = outcome.outcome
    if outcome.reply:
        send_reply(
            session,
            channel=incoming.channel,
            to=incoming.sender,
            text=outcome.reply,
            event_key=f"inbound:{incoming.gateway}:{incoming.message_id}",
            report_id=message.report_id,
        )
    session.flush()
    log.info(
        "%s message %s from %s: %s %s",
        incoming.gateway,
        incoming.message_id,
        mask_address(incoming.sender),
        outcome.outcome,
        outcome.tracking_code or "",
    )
    return outcome


def _handle(
    session: Session, message: InboundMessage, incoming: Incoming, now: datetime
) -> Outcome:
    if incoming.kind == "location":
        return _location(session, message, incoming, now)
    if incoming.kind != "text":
        reply = texts.lines(say(texts.ONLY_TEXT), texts.help_text(incoming.channel))
        return Outcome(message.id, "help", reply=reply)
    answerer = answerer_for(session, incoming.sender)
    parsed = parse(incoming.text or "", answers=answerer is not None)
    if parsed.kind is Kind.ANSWER and answerer is not None and parsed.choice is not None:
        return _answer(session, message, incoming, parsed, answerer)
    if parsed.kind is Kind.STATUS:
        return Outcome(
            message.id, "status", reply=texts.status_reply(session, parsed.tracking_code)
        )
    # A body's number writing a few words (not AGUA ..., no system code) most likely answers a
    # notice: it is shown how, rather than asked where its "report" is.
    casual = parsed.kind is Kind.REPORT and not parsed.structured and not parsed.codes
    if parsed.kind is Kind.REPORT and not (answerer is not None and casual):
        return _report_text(session, message, incoming, parsed, now)
    reply = texts.help_text(incoming.channel, answers=answerer is not None)
    return Outcome(message.id, "help", reply=reply)


# --- reports ----------------------------------------------------------------------------------


def window_start(now: datetime) -> datetime:
    """The oldest moment a half-report may come from to be joined with its other half."""
    return now - timedelta(minutes=get_settings().inbound_pairing_minutes)


def _waiting(session: Session, sender: str, kind: str, now: datetime) -> InboundMessage | None:
    """The latest half-report (a text or a location) from ``sender`` still waiting."""
    return session.scalars(
        select(InboundMessage)
        .where(
            InboundMessage.sender == sender,
            InboundMessage.kind == kind,
            InboundMessage.outcome == "waiting",
            InboundMessage.paired_at.is_(None),
            InboundMessage.received_at >= window_start(now),
        )
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def _report_text(
    session: Session, message: InboundMessage, incoming: Incoming, parsed: Parsed, now: datetime
) -> Outcome:
    code = resolve_code(session, parsed.codes)
    place = _waiting(session, incoming.sender, "location", now)
    if code is None and place is None:
        minutes = get_settings().inbound_pairing_minutes
        unknown = say(texts.UNKNOWN_SYSTEM, code=parsed.codes[0]) if parsed.codes else ""
        reply = texts.lines(
            unknown,
            say(texts.NEED_PLACE, minutes=minutes),
            say(texts.NEED_PLACE_WHATSAPP) if incoming.channel == "whatsapp" else "",
        )
        return Outcome(message.id, "waiting", reply=reply)
    lon = place.lon if place is not None else None
    lat = place.lat if place is not None else None
    return _submit(session, message, incoming, parsed, code, lon, lat, paired=place)


def _location(
    session: Session, message: InboundMessage, incoming: Incoming, now: datetime
) -> Outcome:
    waiting = _waiting(session, incoming.sender, "text", now)
    if waiting is None:
        minutes = get_settings().inbound_pairing_minutes
        return Outcome(message.id, "waiting", reply=say(texts.LOCATION_WAITING, minutes=minutes))
    parsed = parse(waiting.text or "", answers=False)
    if parsed.kind is not Kind.REPORT:  # cannot happen: only report texts wait
        return Outcome(message.id, "waiting")
    origin = Incoming(
        gateway=waiting.gateway,
        message_id=waiting.message_id,
        sender=incoming.sender,
        kind="text",
        text=waiting.text,
    )
    outcome = _submit(
        session, message, origin, parsed, None, incoming.lon, incoming.lat, paired=waiting
    )
    return Outcome(message.id, "paired", outcome.tracking_code, outcome.reply)


def _submit(
    session: Session,
    message: InboundMessage,
    incoming: Incoming,
    parsed: Parsed,
    code: str | None,
    lon: float | None,
    lat: float | None,
    *,
    paired: InboundMessage | None,
) -> Outcome:
    accepted = submit_report(
        session,
        NewReport(
            category=parsed.category or ReportCategory.OTHER,
            description=(incoming.text or "").strip(),
            lon=lon,
            lat=lat,
            location_code=code,
            language=texts.LANGUAGE,
            contact=incoming.sender,
            idempotency_key=f"inbound:{incoming.gateway}:{incoming.message_id}"[:100],
        ),
    )
    if accepted.created:
        jobs.enqueue(session, jobs.VALIDATE_REPORTS, [accepted.id])
    message.report_id = accepted.id
    if paired is not None:
        paired.report_id = accepted.id
        paired.paired_at = message.received_at
        paired.outcome = "paired"
    reply = say(texts.REPORT_RECEIVED, code=accepted.tracking_code)
    return Outcome(message.id, "report", accepted.tracking_code, reply)


# --- providers' answers -----------------------------------------------------------------------


def _answer(
    session: Session,
    message: InboundMessage,
    incoming: Incoming,
    parsed: Parsed,
    answerer: Answerer,
) -> Outcome:
    assert parsed.choice is not None
    try:
        result = answer_by_reply(
            session,
            answerer,
            parsed.choice,
            parsed.tracking_code,
            parsed.description,
            incoming.channel,
        )
    except AppError as refused:
        reply = say(texts.ANSWER_REFUSED, reason=refused.localized(texts.LANGUAGE))
        return Outcome(message.id, "refused", reply=reply)
    report = result.report
    message.report_id = report.id
    status = texts.status_label(report.status)
    reply = say(texts.ANSWER_DONE, code=report.tracking_code, status=status)
    if result.update is not None:
        tell_reporter(session, report, result.update)
    return Outcome(message.id, "answer", report.tracking_code, reply)


def reporter_channel(session: Session, report: Report) -> tuple[str, str] | None:
    """How the reporter of ``report`` is reached: back by the gateway they wrote from, else by
    the contact they left on the web (a phone by SMS, an e-mail address by e-mail)."""
    contact = (report.reporter_contact or "").strip()
    if not contact:
        return None
    if "@" in contact:
        return "email", contact
    gateway = session.scalar(
        select(InboundMessage.gateway)
        .where(InboundMessage.report_id == report.id, InboundMessage.sender.is_not(None))
        .order_by(InboundMessage.id)
        .limit(1)
    )
    try:
        phone = phone_of(contact)
    except AppError:
        return None
    return ("whatsapp" if gateway == "whatsapp" else "sms"), phone


def tell_reporter(session: Session, report: Report, update: ReportUpdate) -> None:
    """The reporter hears a public answer: the new status (or that there is news), and the
    body's note."""
    reach = reporter_channel(session, report)
    if reach is None or not update.is_public:
        return
    session.flush()  # the update's id names the event
    channel, to = reach
    code, body = report.tracking_code, update.actor_name or ""
    if update.from_status != update.to_status:
        status = texts.status_label(update.to_status)
        head = say(texts.CITIZEN_STATUS, code=code, body=body, status=status)
    else:
        head = say(texts.CITIZEN_NOTE, code=code, body=body)
    send_reply(
        session,
        channel=channel,
        to=to,
        text=texts.lines(head, (update.note or "").strip()),
        event_key=f"report:{report.id}:update:{update.id}",
        report_id=report.id,
    )
