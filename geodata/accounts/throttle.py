"""How often someone may ask for a sign-in code: fixed windows counted in PostgreSQL.

Each request adds one hit to its key (an identifier or a client address, kept as a keyed digest
so the table holds no e-mail, phone or address) in the current window, in one upsert that
returns the new count; concurrent requests in several API processes count correctly. Windows
older than a day are deleted as new hits arrive.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geodata.accounts.errors import TooManyCodeRequests
from geodata.accounts.tokens import keyed_digest
from geodata.models import SignInThrottle
from geodata.settings import get_settings

KEEP = timedelta(days=1)


def window_start(now: datetime, window: timedelta) -> datetime:
    seconds = window.total_seconds()
    return datetime.fromtimestamp(math.floor(now.timestamp() / seconds) * seconds, UTC)


def hit(session: Session, kind: str, value: str, now: datetime, window: timedelta) -> int:
    """Count one request of ``kind`` ("identifier", "address") for ``value``; the count so far
    in this window, this one included."""
    key = keyed_digest(get_settings().secret_key, "throttle", kind, value)
    start = window_start(now, window)
    inserted = insert(SignInThrottle).values(key=key, window_start=start, hits=1)
    statement = inserted.on_conflict_do_update(
        index_elements=[SignInThrottle.key, SignInThrottle.window_start],
        set_={"hits": SignInThrottle.hits + 1},
    ).returning(SignInThrottle.hits)
    count = int(session.execute(statement).scalar_one())
    session.execute(delete(SignInThrottle).where(SignInThrottle.window_start < now - KEEP))
    return count


def check_code_request(
    session: Session, identifier: str, address: str | None, now: datetime
) -> TooManyCodeRequests | None:
    """Count a code request against its identifier and its client address; the error to answer
    with when either went over its limit (returned, so the caller commits the counts)."""
    settings = get_settings()
    window = timedelta(minutes=settings.code_request_window_minutes)
    over = hit(session, "identifier", identifier, now, window) > (
        settings.code_requests_per_identifier
    )
    if address:
        over = (
            hit(session, "address", address, now, window) > (settings.code_requests_per_address)
            or over
        )
    if not over:
        return None
    remaining = window_start(now, window) + window - now
    return TooManyCodeRequests(minutes=max(1, math.ceil(remaining.total_seconds() / 60)))
