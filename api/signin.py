"""What the sign-in API and the sign-in pages share: opening a session for a request, and the
client's address for the throttle."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from api.auth import SESSION_COOKIE
from geodata.accounts import audit
from geodata.accounts.sessions import NewSession, create_session, resolve_session, revoke_session
from geodata.models import Account


def client_address(request: Request) -> str | None:
    """The peer's address (behind a proxy, uvicorn's --proxy-headers makes it the client's)."""
    return request.client.host if request.client else None


def open_session(session: Session, request: Request, account: Account, kind: str) -> NewSession:
    """A new session for ``account``. A browser that was signed in (perhaps as someone else)
    loses its old session, so no session fixed before sign-in survives it."""
    if kind == "browser":
        old = request.cookies.get(SESSION_COOKIE)
        found = resolve_session(session, old, "browser") if old else None
        if found is not None:
            record, previous = found
            revoke_session(session, record)
            audit.record(
                session,
                "session.revoked",
                previous.email or previous.phone or "",
                account_id=previous.id,
                subject_type="auth_session",
                subject_id=record.id,
                reason="signed in again",
            )
    return create_session(session, account, kind, request.headers.get("user-agent"))
