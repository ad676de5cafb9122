"""Signing in without a password: a six-digit code or a magic link sent to the e-mail or phone.

Asking for a code answers the same whether or not an account has that identifier (the message
simply goes nowhere), and is throttled per identifier and per client address. A wrong code
counts against the code (dead after a few tries) and against the account, exactly like a wrong
password (growing delay, lockout). The magic link carries 256 random bits that cannot be
guessed, so it also opens a locked account: the lockout stops guessing, and the link proves
that its holder reads the account's mail. Like ``signin``, errors are returned so that the
caller commits the counts and the audit trail before answering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from geodata.accounts import audit, codes, throttle
from geodata.accounts.errors import (
    AccountLocked,
    CodeInvalid,
    InvalidIdentifier,
    LinkExpired,
    LinkInvalid,
    LinkUsed,
)
from geodata.accounts.identifiers import parse_identifier
from geodata.accounts.messages import sign_in_message
from geodata.accounts.signin import (
    SignIn,
    check_not_locked,
    find_account,
    record_failure,
    record_success,
)
from geodata.errors import AppError
from geodata.notify import Message
from geodata.settings import get_settings


@dataclass(frozen=True, slots=True)
class CodeRequest:
    """The message to deliver after commit (None when no account has the identifier), or the
    error to answer with."""

    message: Message | None = None
    error: AppError | None = None


def request_code(
    session: Session,
    identifier_text: str,
    client_address: str | None,
    language: str,
    next_path: str | None = None,
    now: datetime | None = None,
) -> CodeRequest:
    """Raises InvalidIdentifier for text that is no e-mail or phone (that tells nobody
    anything); otherwise returns, so that the throttle's counts commit."""
    now = now or datetime.now(UTC)
    identifier = parse_identifier(identifier_text)
    refused = throttle.check_code_request(session, identifier.value, client_address, now)
    if refused is not None:
        audit.record(session, "sign_in_code.throttled", identifier.value)
        return CodeRequest(error=refused)
    account = find_account(session, identifier)
    if account is None or not account.is_active:
        audit.record(
            session,
            "sign_in_code.unknown",
            identifier.value,
            account_id=account.id if account else None,
        )
        return CodeRequest()
    lifetime = timedelta(minutes=get_settings().sign_in_code_minutes)
    issued = codes.issue(session, account, codes.SIGN_IN, lifetime, now)
    audit.record(
        session,
        "sign_in_code.sent",
        identifier.value,
        account_id=account.id,
        subject_type="one_time_code",
        subject_id=issued.record.id,
    )
    return CodeRequest(
        sign_in_message(identifier.value, issued.code, issued.token, language, next_path)
    )


def verify_code(
    session: Session,
    identifier_text: str,
    code: str,
    now: datetime | None = None,
    sleep: bool = True,
) -> SignIn:
    """The account whose live code this is, or CodeInvalid / AccountLocked. Commit either way."""
    now = now or datetime.now(UTC)
    try:
        identifier = parse_identifier(identifier_text)
    except InvalidIdentifier:
        record_failure(session, None, identifier_text.strip()[:200], "code", now, sleep)
        return SignIn(None, CodeInvalid())
    account = find_account(session, identifier)
    try:
        if account is not None:
            check_not_locked(session, account, identifier.value, now)
    except AccountLocked as error:
        return SignIn(None, error)
    record = codes.live_code(session, account.id, now) if account is not None else None
    if account is None or record is None or not account.is_active:
        record_failure(session, account, identifier.value, "code", now, sleep)
        return SignIn(None, CodeInvalid())
    if not codes.code_matches(record, code):
        record.attempts += 1
        record_failure(session, account, identifier.value, "code", now, sleep)
        return SignIn(None, CodeInvalid())
    record.used_at = now
    record_success(session, account, identifier.value, "code", now)
    return SignIn(account)


def use_link(session: Session, token: str, now: datetime | None = None) -> SignIn:
    """The account of a live magic link (spent now), or LinkInvalid / LinkUsed / LinkExpired."""
    now = now or datetime.now(UTC)
    try:
        record, account = codes.by_link(session, token, codes.SIGN_IN, now)
    except (LinkInvalid, LinkUsed, LinkExpired) as error:
        audit.record(session, "sign_in.failed", "magic link", method="link", reason=error.code)
        return SignIn(None, error)
    record.used_at = now
    record_success(session, account, account.email or account.phone or "", "link", now)
    return SignIn(account)
