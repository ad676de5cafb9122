"""What a signed-in person manages of their own account: password, open sessions, API keys.

Every change is in the audit log. A session or key of another account is "not found", never
"forbidden", so numbers of other people's sessions tell nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from geodata.accounts import audit
from geodata.accounts.errors import (
    ApiKeyNotFound,
    CurrentPasswordWrong,
    PasswordsDiffer,
    SessionNotFound,
)
from geodata.accounts.passwords import hash_password, verify_password
from geodata.accounts.sessions import create_api_key, revoke_session
from geodata.accounts.signin import record_failure
from geodata.errors import AppError
from geodata.models import Account, ApiKey, AuthSession


def open_sessions(
    session: Session, account_id: int, now: datetime | None = None
) -> list[AuthSession]:
    now = now or datetime.now(UTC)
    return list(
        session.scalars(
            select(AuthSession)
            .where(
                AuthSession.account_id == account_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
            )
            .order_by(AuthSession.created_at.desc(), AuthSession.id.desc())
        )
    )


def revoke_own_session(
    session: Session, account: Account, session_id: int, actor: str, now: datetime | None = None
) -> AuthSession:
    now = now or datetime.now(UTC)
    record = session.get(AuthSession, session_id)
    if (
        record is None
        or record.account_id != account.id
        or record.revoked_at is not None
        or record.expires_at <= now
    ):
        raise SessionNotFound()
    revoke_session(session, record, now)
    audit.record(
        session,
        "session.revoked",
        actor,
        account_id=account.id,
        subject_type="auth_session",
        subject_id=record.id,
    )
    return record


def end_session(session: Session, record: AuthSession, actor: str) -> None:
    """Sign out: the session (browser or bearer token) stops working now."""
    revoke_session(session, record)
    audit.record(
        session,
        "sign_out",
        actor,
        account_id=record.account_id,
        subject_type="auth_session",
        subject_id=record.id,
        kind=record.kind,
    )


def change_password(
    session: Session,
    account: Account,
    current: str,
    new: str,
    confirmation: str | None,
    *,
    keep_session_id: int | None,
    actor: str,
    now: datetime | None = None,
    sleep: bool = True,
) -> AppError | None:
    """Set a new password when ``current`` is right; the account's other sessions end (a
    thief's among them). A wrong current password counts as a failed sign-in; the error is
    returned so that count commits. WeakPassword and PasswordsDiffer are raised."""
    now = now or datetime.now(UTC)
    who = account.email or account.phone or ""
    if account.password_hash is not None and not verify_password(account.password_hash, current):
        record_failure(session, account, who, "password_change", now, sleep)
        return CurrentPasswordWrong()
    if confirmation is not None and confirmation != new:
        raise PasswordsDiffer()
    account.password_hash = hash_password(new)
    ended = session.execute(
        update(AuthSession)
        .where(
            AuthSession.account_id == account.id,
            AuthSession.revoked_at.is_(None),
            AuthSession.id != (keep_session_id or -1),
        )
        .values(revoked_at=now)
    ).rowcount  # type: ignore[attr-defined]
    audit.record(
        session,
        "account.password_changed",
        actor,
        account_id=account.id,
        subject_type="account",
        subject_id=account.id,
        sessions_ended=int(ended or 0),
    )
    return None


def api_keys(session: Session, account_id: int) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.account_id == account_id, ApiKey.revoked_at.is_(None))
            .order_by(ApiKey.id.desc())
        )
    )


def new_api_key(session: Session, account: Account, name: str, actor: str) -> tuple[str, ApiKey]:
    """The key in clear (shown once) and its row."""
    secret, key = create_api_key(session, account, name.strip() or "API")
    audit.record(
        session,
        "api_key.created",
        actor,
        account_id=account.id,
        subject_type="api_key",
        subject_id=key.id,
        name=key.name,
        prefix=key.prefix,
    )
    return secret, key


def revoke_api_key(
    session: Session, account: Account, key_id: int, actor: str, now: datetime | None = None
) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.account_id != account.id or key.revoked_at is not None:
        raise ApiKeyNotFound()
    key.revoked_at = now or datetime.now(UTC)
    audit.record(
        session,
        "api_key.revoked",
        actor,
        account_id=account.id,
        subject_type="api_key",
        subject_id=key.id,
    )
    return key
