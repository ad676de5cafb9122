"""One-time secrets in ``one_time_code``: a six-digit code and a link token, issued together.

A sign-in code lives ``sign_in_code_minutes`` (10) and dies after ``sign_in_code_attempts`` (5)
wrong tries; an invitation lives ``invitation_days`` (7). Each is used once. Only digests are
stored: the link token (256 random bits) as SHA-256, the short code as an HMAC under the
service's secret key, because the SHA-256 of one of a million codes is reversed in a moment.
Issuing a new secret of the same purpose ends the account's older ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from geodata.accounts.errors import LinkExpired, LinkInvalid, LinkUsed
from geodata.accounts.tokens import digest, keyed_digest, new_numeric_code, new_token, same
from geodata.models import Account, OneTimeCode
from geodata.settings import get_settings

SIGN_IN = "sign_in"
INVITATION = "invitation"


@dataclass(frozen=True, slots=True)
class Issued:
    record: OneTimeCode
    code: str
    token: str


def code_digest(account_id: int, code: str) -> str:
    return keyed_digest(get_settings().secret_key, "one-time-code", account_id, code)


def issue(
    session: Session, account: Account, purpose: str, lifetime: timedelta, now: datetime
) -> Issued:
    end_open(session, account.id, purpose, now)
    code, token = new_numeric_code(), new_token()
    record = OneTimeCode(
        account_id=account.id,
        purpose=purpose,
        code_hash=code_digest(account.id, code),
        link_hash=digest(token),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(record)
    session.flush()
    return Issued(record, code, token)


def end_open(session: Session, account_id: int, purpose: str | None, now: datetime) -> None:
    """Make the account's unused secrets (of ``purpose``, or all) expire now."""
    statement = update(OneTimeCode).where(
        OneTimeCode.account_id == account_id,
        OneTimeCode.used_at.is_(None),
        OneTimeCode.expires_at > now,
    )
    if purpose is not None:
        statement = statement.where(OneTimeCode.purpose == purpose)
    session.execute(statement.values(expires_at=now))


def live_code(session: Session, account_id: int, now: datetime) -> OneTimeCode | None:
    """The account's current sign-in code, if it may still be tried."""
    return session.scalars(
        select(OneTimeCode)
        .where(
            OneTimeCode.account_id == account_id,
            OneTimeCode.purpose == SIGN_IN,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > now,
            OneTimeCode.attempts < get_settings().sign_in_code_attempts,
        )
        .order_by(OneTimeCode.id.desc())
        .limit(1)
        .with_for_update()
    ).first()


def code_matches(record: OneTimeCode, code: str) -> bool:
    return same(record.code_hash, code_digest(record.account_id, code.strip()))


def by_link(
    session: Session, token: str, purpose: str, now: datetime
) -> tuple[OneTimeCode, Account]:
    """The live secret behind a link token and its active account, or why not: LinkInvalid
    (unknown, altered, or of an inactive account), LinkUsed, LinkExpired."""
    row = session.execute(
        select(OneTimeCode, Account)
        .join(Account, Account.id == OneTimeCode.account_id)
        .where(OneTimeCode.link_hash == digest(token), OneTimeCode.purpose == purpose)
        .with_for_update(of=OneTimeCode)
    ).first()
    if row is None or not row[1].is_active:
        raise LinkInvalid()
    record, account = row
    if record.used_at is not None:
        raise LinkUsed()
    spent = purpose == SIGN_IN and record.attempts >= get_settings().sign_in_code_attempts
    if record.expires_at <= now or spent:
        raise LinkExpired()
    return record, account
