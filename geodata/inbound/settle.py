"""A location shared alone still becomes a report: once ``inbound_pairing_minutes`` have
passed without a text from the same phone, it is reported as it is (category "other", the
place only), and the person gets the tracking code. Run every minute by the worker's beat."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.inbound import texts
from geodata.inbound.replies import send_reply
from geodata.inbound.service import window_start
from geodata.models import InboundMessage, ReportCategory
from geodata.reports.intake import NewReport, submit_report

SETTLE_LOCATIONS = "inbound.settle_locations"
BATCH = 200


def settle_lone_locations(session: Session, now: datetime | None = None) -> list[str]:
    """Report the locations whose text never came; returns their tracking codes. Idempotent
    (a settled location is no longer waiting; its report's key is the message's)."""
    now = now or datetime.now(UTC)
    lone = session.scalars(
        select(InboundMessage)
        .where(
            InboundMessage.kind == "location",
            InboundMessage.outcome == "waiting",
            InboundMessage.paired_at.is_(None),
            InboundMessage.sender.is_not(None),
            InboundMessage.lon.is_not(None),
            InboundMessage.received_at < window_start(now),
        )
        .order_by(InboundMessage.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    codes = []
    for message in lone:
        assert message.sender is not None
        accepted = submit_report(
            session,
            NewReport(
                category=ReportCategory.OTHER,
                lon=message.lon,
                lat=message.lat,
                language=texts.LANGUAGE,
                contact=message.sender,
                idempotency_key=f"inbound:{message.gateway}:{message.message_id}"[:100],
            ),
        )
        if accepted.created:
            jobs.enqueue(session, jobs.VALIDATE_REPORTS, [accepted.id])
        message.report_id = accepted.id
        message.outcome = "report"
        send_reply(
            session,
            channel="whatsapp" if message.gateway == "whatsapp" else "sms",
            to=message.sender,
            text=texts.say(texts.REPORT_RECEIVED, code=accepted.tracking_code),
            event_key=f"inbound:{message.gateway}:{message.message_id}:settled",
            report_id=accepted.id,
        )
        codes.append(accepted.tracking_code)
    session.flush()
    return codes
