"""Server-side sessions (browser cookie or bearer token) and API keys, stored as digests.

A session is revocable (``revoked_at``) and expires; its last use is refreshed at most once a
minute so that reading the desk does not write on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from geodata.accounts.tokens import digest, new_token
from geodata.models import Account, ApiKey, AuthSession
from geodata.settings import get_settings

API_KEY_PREFIX = "yk_"
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    record: AuthSession


def create_session(
    session: Session,
    account: Account,
    kind: str = "browser",
    user_agent: str | None = None,
    now: datetime | None = None,
) -> NewSession:
    settings = get_settings()
    now = now or datetime.now(UTC)
    lifetime = (
        timedelta(days=settings.session_days)
        if kind == "browser"
        else timedelta(hours=settings.bearer_token_hours)
    )
    token = new_token()
    record = AuthSession(
        token_hash=digest(token),
        csrf_token=new_token(24),
        account_id=account.id,
        kind=kind,
        created_at=now,
        expires_at=now + lifetime,
        last_seen_at=now,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(record)
    session.flush()
    return NewSession(token, record)


def resolve_session(
    session: Session, token: str, kind: str, now: datetime | None = None
) -> tuple[AuthSession, Account] | None:
    """The live session behind ``token`` and its active account, or None."""
    now = now or datetime.now(UTC)
    row = session.execute(
        select(AuthSession, Account)
        .join(Account, Account.id == AuthSession.account_id)
        .where(
            AuthSession.token_hash == digest(token),
            AuthSession.kind == kind,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
            Account.is_active.is_(True),
        )
    ).first()
    if row is None:
        return None
    record, account = row
    if record.last_seen_at is None or now - record.last_seen_at > TOUCH_EVERY:
        record.last_seen_at = now
    return record, account


def revoke_session(session: Session, record: AuthSession, now: datetime | None = None) -> None:
    record.revoked_at = now or datetime.now(UTC)


def revoke_all_sessions(session: Session, account_id: int, now: datetime | None = None) -> int:
    result = session.execute(
        update(AuthSession)
        .where(AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def create_api_key(session: Session, account: Account, name: str) -> tuple[str, ApiKey]:
    """A new key ``yk_<prefix>_<secret>``: returned once, stored as a digest."""
    prefix = new_token(6)[:8].replace("-", "x").replace("_", "x")
    secret = new_token()
    key = ApiKey(account_id=account.id, name=name[:100], prefix=prefix, key_hash=digest(secret))
    session.add(key)
    session.flush()
    return f"{API_KEY_PREFIX}{prefix}_{secret}", key


def resolve_api_key(
    session: Session, presented: str, now: datetime | None = None
) -> tuple[ApiKey, Account] | None:
    if not presented.startswith(API_KEY_PREFIX):
        return None
    prefix, _, secret = presented[len(API_KEY_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    row = session.execute(
        select(ApiKey, Account)
        .join(Account, Account.id == ApiKey.account_id)
        .where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None), Account.is_active.is_(True))
    ).first()
    if row is None or row[0].key_hash != digest(secret):
        return None
    key, account = row
    now = now or datetime.now(UTC)
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        key.last_used_at = now
    return key, account
