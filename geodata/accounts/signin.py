"""Signing in with a password: a delay that grows with failures and a lockout after several.

Failures are counted on the account and logged; they are returned, not raised, so that the
caller's transaction commits them (a failed sign-in must leave its trace) before it answers
with the error. Unknown identifiers spend the same time as known ones and answer the same, so
the form does not tell who has an account.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.accounts import audit
from geodata.accounts.errors import AccountLocked, BadCredentials, InvalidIdentifier
from geodata.accounts.identifiers import Identifier, parse_identifier
from geodata.accounts.passwords import hash_password, needs_rehash, verify_password
from geodata.errors import AppError
from geodata.models import Account
from geodata.settings import get_settings


def find_account(session: Session, identifier: Identifier) -> Account | None:
    column = Account.email if identifier.kind == "email" else Account.phone
    return session.scalars(select(Account).where(column == identifier.value)).first()


def pause(seconds: float) -> None:
    """Wait before answering a failed attempt (tests replace it)."""
    if seconds > 0:
        time.sleep(seconds)


def failure_delay(failures: int) -> float:
    """Seconds to wait before answering a failed attempt: 0, 0.5, 1, 2, 4 (capped)."""
    return 0.0 if failures <= 1 else min(4.0, 0.25 * 2 ** (failures - 1))


@dataclass(frozen=True, slots=True)
class SignIn:
    account: Account | None
    error: AppError | None = None


def authenticate_password(
    session: Session,
    identifier_text: str,
    password: str,
    now: datetime | None = None,
    sleep: bool = True,
) -> SignIn:
    """The active account whose password matches, or the error to answer with
    (BadCredentials, AccountLocked). Commit ``session`` either way; ``sleep`` slows a
    guessing client down."""
    try:
        return SignIn(_authenticate(session, identifier_text, password, now, sleep))
    except (BadCredentials, AccountLocked) as error:
        return SignIn(None, error)


def _authenticate(
    session: Session, identifier_text: str, password: str, now: datetime | None, sleep: bool
) -> Account:
    now = now or datetime.now(UTC)
    try:
        identifier = parse_identifier(identifier_text)
    except InvalidIdentifier:
        verify_password(None, password)
        raise BadCredentials() from None
    account = find_account(session, identifier)
    if account is not None:
        check_not_locked(session, account, identifier.value, now)
    ok = verify_password(account.password_hash if account else None, password)
    if account is None or not ok or not account.is_active:
        record_failure(session, account, identifier.value, "password", now, sleep)
        raise BadCredentials()
    if account.password_hash and needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    record_success(session, account, identifier.value, "password", now)
    return account


def check_not_locked(session: Session, account: Account, who: str, now: datetime) -> None:
    """Raise AccountLocked (and log the refused try) while ``account`` is locked out."""
    if account.locked_until is not None and account.locked_until > now:
        minutes = math.ceil((account.locked_until - now).total_seconds() / 60)
        audit.record(session, "sign_in.locked", who, account_id=account.id)
        raise AccountLocked(minutes=minutes)


def record_failure(
    session: Session, account: Account | None, who: str, method: str, now: datetime, sleep: bool
) -> None:
    """Count a failed try (password, code...) on the account, lock it after too many, log it,
    and wait longer the more failures there were."""
    settings = get_settings()
    if account is not None:
        account.failed_sign_ins += 1
        if account.failed_sign_ins >= settings.max_failed_sign_ins:
            account.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            account.failed_sign_ins = 0
            audit.record(session, "account.locked", who, account_id=account.id, method=method)
    audit.record(
        session,
        "sign_in.failed",
        who,
        account_id=account.id if account else None,
        method=method,
    )
    if sleep:
        pause(failure_delay(account.failed_sign_ins if account else 1))


def record_success(
    session: Session, account: Account, who: str, method: str, now: datetime
) -> None:
    account.failed_sign_ins = 0
    account.locked_until = None
    account.last_sign_in_at = now
    audit.record(session, "sign_in", who, account_id=account.id, method=method)
