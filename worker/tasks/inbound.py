"""Replies to inbound messages (``geodata.inbound.replies``): delivered after the commit that
decided them, through the notify channels (the logging channel unless one is configured)."""

from __future__ import annotations

import logging

from geodata.database import session_scope
from geodata.inbound.replies import SEND_REPLY, SUBJECT
from geodata.inbound.settle import SETTLE_LOCATIONS, settle_lone_locations
from geodata.notify import Message, deliver, mask_address
from worker.app import celery_app

log = logging.getLogger("yaku.inbound")


@celery_app.task(name=SEND_REPLY, acks_late=False, ignore_result=True)
def send_reply(channel: str, to: str, text: str, event_key: str) -> bool:
    """Not acks_late: a delivery that ran must not run again after a crash (no ledger yet)."""
    delivered = deliver(Message(to=to, subject=SUBJECT, text=text))
    log.info(
        "reply %s to %s by %s: %s",
        event_key,
        mask_address(to),
        channel,
        "delivered" if delivered else "failed",
    )
    return delivered


@celery_app.task(name=SETTLE_LOCATIONS, acks_late=True, ignore_result=True)
def settle_locations() -> int:
    """Every minute (beat): locations shared alone whose text never came become reports."""
    with session_scope() as session:
        return len(settle_lone_locations(session))
