"""The one way to send a message to someone: ``queue_message`` adds a row to the delivery
ledger and schedules its delivery for after the transaction commits.

    from geodata.notify.outbox import queue_message
    row = queue_message(
        session,
        event_key=f"report:{report.id}:reply:{inbound_id}",
        recipient="+51987654321",          # e-mail, E.164 phone, or a webhook URL
        channel="whatsapp",                # email | whatsapp | sms | webhook | log
        subject="Yaku",
        text="Recibimos su reporte. Código: AB12CD",
    )

``(event_key, recipient)`` is unique: queueing the same event for the same recipient again
returns the existing row and sends nothing more. The caller commits; nothing leaves if it rolls
back. The worker task ``notify.deliver`` (args: the row's id) sends it once, retries transient
failures with backoff, and marks it ``failed`` with the error in the end.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.models import ChannelKind, Delivery

MAX_SUBJECT = 300


def queue_message(
    session: Session,
    *,
    event_key: str,
    recipient: str,
    channel: ChannelKind | str,
    subject: str,
    text: str,
    language: str = "es",
    report_id: int | None = None,
    provider_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> Delivery:
    """Add (once) the ledger row of ``event_key`` for ``recipient`` and send it after commit.

    ``details``: e-mail ``headers`` ({name: value}), WhatsApp ``template`` and ``params`` (used
    outside the 24-hour window), webhook ``data`` (a JSON object). ``provider_id``: the body on
    whose desk the delivery is listed (its failures are shown there).
    """
    stmt = (
        insert(Delivery)
        .values(
            event_key=event_key,
            recipient=recipient,
            channel=ChannelKind(channel).value,
            subject=subject[:MAX_SUBJECT],
            text=text,
            language=language,
            report_id=report_id,
            provider_id=provider_id,
            details=details or {},
        )
        .on_conflict_do_nothing(index_elements=["event_key", "recipient"])
        .returning(Delivery.id)
    )
    new_id = session.execute(stmt).scalar_one_or_none()
    if new_id is not None:
        jobs.enqueue(session, jobs.NOTIFY_DELIVER, new_id)
        row = session.get(Delivery, new_id)
    else:
        row = session.scalars(
            select(Delivery).where(Delivery.event_key == event_key, Delivery.recipient == recipient)
        ).one()
    assert row is not None
    return row
