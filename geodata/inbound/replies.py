"""The one way an inbound answer goes back to a phone (or an e-mail address).

Today it hands the message to ``geodata.notify.delivery.deliver`` in the worker, after the
transaction commits (``geodata.jobs``; the task is ``worker/tasks/inbound.py``). At merge with
the messaging work, only this function changes: it becomes a ledger row,
``queue_message(session, event_key=event_key, recipient=to, channel=channel, subject=SUBJECT,
text=text, report_id=report_id)`` (``geodata.notify.outbox``), unique per event and recipient.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from geodata import jobs
from geodata.notify.base import mask_address

log = logging.getLogger("yaku.inbound")

SEND_REPLY = "inbound.send_reply"  # args: channel, to, text, event_key
SUBJECT = "Yaku"
CHANNELS = ("whatsapp", "sms", "email")


def send_reply(
    session: Session,
    *,
    channel: str,
    to: str,
    text: str,
    event_key: str,
    report_id: int | None = None,
) -> None:
    """Send ``text`` to ``to`` by ``channel`` once ``session`` commits (never if it rolls back).
    ``event_key`` names the event (one reply per event and recipient); ``report_id`` the
    report it is about, if any (the ledger keeps it)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    log.info("reply %s to %s by %s queued", event_key, mask_address(to), channel)
    jobs.enqueue(session, SEND_REPLY, channel, to, text, event_key)
