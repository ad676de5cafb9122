"""Inbound messages' scheduled work. Replies travel through the delivery ledger
(``geodata.inbound.replies`` -> ``notify.deliver``)."""

from __future__ import annotations

from geodata.database import session_scope
from geodata.inbound.settle import SETTLE_LOCATIONS, settle_lone_locations
from worker.app import celery_app


@celery_app.task(name=SETTLE_LOCATIONS, acks_late=True, ignore_result=True)
def settle_locations() -> int:
    """Every minute (beat): locations shared alone whose text never came become reports."""
    with session_scope() as session:
        return len(settle_lone_locations(session))
