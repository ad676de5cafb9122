"""The one way an inbound answer goes back to a phone (or an e-mail address): a row of the
delivery ledger (``geodata.notify.outbox.queue_message``), unique per event and recipient, sent
by the ``notify.deliver`` task after the transaction commits (never if it rolls back), retried
with backoff and visible on the desk when it fails.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from geodata.models import ChannelKind
from geodata.notify.outbox import queue_message

SUBJECT = "Yaku"
CHANNELS = (ChannelKind.WHATSAPP, ChannelKind.SMS, ChannelKind.EMAIL)


def send_reply(
    session: Session,
    *,
    channel: str,
    to: str,
    text: str,
    event_key: str,
    report_id: int | None = None,
) -> None:
    """Send ``text`` to ``to`` by ``channel`` once ``session`` commits. ``event_key`` names the
    event (one reply per event and recipient: a gateway's retry sends nothing more);
    ``report_id`` the report it is about, if any."""
    kind = ChannelKind(channel)
    if kind not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    queue_message(
        session,
        event_key=event_key,
        recipient=to,
        channel=kind,
        subject=SUBJECT,
        text=text,
        report_id=report_id,
    )
