"""Delivering one ledger row: claim it, send it once, record what happened.

``attempt`` is the whole body of the ``notify.deliver`` task. It claims the row with
``FOR UPDATE SKIP LOCKED`` and only while it is ``pending``, so a task delivered twice (acks
late, a sweep's copy) sends once: the second finds it sent, or held by the first. A transient
failure leaves it pending with its next attempt after an exponential backoff; the last
attempt, or a permanent failure, marks it ``failed`` with the error (addresses masked).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.models import ChannelKind, Delivery, DeliveryStatus
from geodata.notify import contacts
from geodata.notify.base import DeliveryFailure, Message, mask_address
from geodata.notify.delivery import channel_of, is_transient
from geodata.settings import Settings, get_settings

log = logging.getLogger("yaku.notify")
MAX_ERROR = 500


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # already sent or failed, held by another worker, or gone


@dataclass(frozen=True, slots=True)
class Attempt:
    outcome: Outcome
    retry_in: float = 0.0


def backoff(attempts: int, settings: Settings) -> float:
    """Seconds before the next try after ``attempts`` tries: base, 2 base, 4 base... capped."""
    return float(
        min(
            settings.notify_retry_base_seconds * 2 ** max(attempts - 1, 0),
            settings.notify_retry_max_seconds,
        )
    )


def claim(session: Session, delivery_id: int) -> Delivery | None:
    return session.scalars(
        select(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING)
        .with_for_update(skip_locked=True)
    ).first()


def compose(session: Session, row: Delivery, now: datetime, settings: Settings) -> Message:
    """The message as its channel sends it. WhatsApp: free text within 24 hours of the
    person's last message, else the approved template, which needs a recorded opt-in."""
    details = row.details or {}
    template: str | None = None
    params: tuple[str, ...] = ()
    if ChannelKind(row.channel) is ChannelKind.WHATSAPP:
        record = contacts.contact(session, row.recipient)
        if not contacts.whatsapp_window_open(record, now):
            if record is None or record.whatsapp_opt_in_at is None:
                raise DeliveryFailure("no WhatsApp opt-in recorded", transient=False)
            template = str(details.get("template") or settings.whatsapp_template)
            params = tuple(str(p) for p in details.get("params") or [row.text])
    return Message(
        to=row.recipient,
        subject=row.subject,
        text=row.text,
        headers={str(k): str(v) for k, v in (details.get("headers") or {}).items()},
        template=template,
        params=params,
        data=details.get("data"),
        event_key=row.event_key,
        language=row.language,
    )


def _describe(error: Exception, recipient: str) -> str:
    text = (
        f"{type(error).__name__}: {error}" if not isinstance(error, DeliveryFailure) else str(error)
    )
    masked = mask_address(recipient)
    for form in {recipient, recipient.lstrip("+")}:
        text = text.replace(form, masked)
    return text[:MAX_ERROR]


def attempt(
    session: Session,
    delivery_id: int,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> Attempt:
    """Try to send row ``delivery_id`` once; the caller's transaction records the outcome."""
    now = now or datetime.now(UTC)
    settings = settings or get_settings()
    row = claim(session, delivery_id)
    if row is None:
        return Attempt(Outcome.SKIPPED)
    row.attempts += 1
    channel = channel_of(row.channel, settings)
    try:
        channel.send(compose(session, row, now, settings))
    except Exception as error:
        row.error = _describe(error, row.recipient)
        transient = is_transient(error)
        if transient and row.attempts < settings.notify_max_attempts:
            delay = backoff(row.attempts, settings)
            row.next_attempt_at = now + timedelta(seconds=delay)
            log.warning(
                "delivery %s failed (attempt %s), retry in %.1fs: %s",
                row.id,
                row.attempts,
                delay,
                row.error,
            )
            session.flush()
            return Attempt(Outcome.RETRY, delay)
        row.status = DeliveryStatus.FAILED
        log.error(
            "delivery %s failed for good after %s attempts: %s", row.id, row.attempts, row.error
        )
        session.flush()
        return Attempt(Outcome.FAILED)
    row.status = DeliveryStatus.SENT
    row.sent_at = now
    row.sent_via = channel.name
    row.error = None
    session.flush()
    return Attempt(Outcome.SENT)


def stale_pending(
    session: Session, now: datetime | None = None, grace_seconds: float = 120, limit: int = 500
) -> list[int]:
    """Pending rows whose next attempt is long past: their task message was lost (Redis down,
    a killed worker). The sweep enqueues them again; the claim makes a copy harmless."""
    now = now or datetime.now(UTC)
    return list(
        session.scalars(
            select(Delivery.id)
            .where(
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.next_attempt_at < now - timedelta(seconds=grace_seconds),
            )
            .order_by(Delivery.next_attempt_at)
            .limit(limit)
        )
    )
