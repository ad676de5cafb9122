"""Inviting new staff: an account with its role, and a single-use link (7 days) with which the
person chooses a password and is signed in.

Inviting someone again (the first message was lost) ends the earlier link. A person who has
already chosen a password is not invited again: they get a role instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from geodata.accounts import audit, codes
from geodata.accounts.errors import AlreadySignedUp, PasswordsDiffer
from geodata.accounts.identifiers import parse_identifier
from geodata.accounts.messages import INVITATION_LINK_PATH, invitation_message, link
from geodata.accounts.passwords import hash_password
from geodata.accounts.roles import role_label
from geodata.accounts.service import add_membership, create_account
from geodata.accounts.signin import find_account, record_success
from geodata.models import Account, Provider, Role
from geodata.notify import Message
from geodata.settings import get_settings


@dataclass(frozen=True, slots=True)
class Invitation:
    account: Account
    link: str
    expires_at: datetime
    message: Message  # deliver after commit


def invite(
    session: Session,
    identifier_text: str,
    role: Role | None,
    provider: Provider | None,
    *,
    display_name: str = "",
    actor: str,
    actor_account_id: int | None = None,
    language: str = "es",
    now: datetime | None = None,
) -> Invitation:
    """Create (or find, if it never signed up) the account, give it ``role`` for ``provider``
    and issue its invitation link."""
    now = now or datetime.now(UTC)
    identifier = parse_identifier(identifier_text)
    account = find_account(session, identifier)
    if account is None:
        account = create_account(
            session,
            identifier.value,
            display_name=display_name,
            actor=actor,
            actor_account_id=actor_account_id,
        )
    elif account.password_hash is not None or account.last_sign_in_at is not None:
        raise AlreadySignedUp()
    elif display_name.strip():
        account.display_name = display_name.strip()[:200]
    if role is not None:
        add_membership(
            session, account, role, provider, actor=actor, actor_account_id=actor_account_id
        )
    return issue_invitation(
        session,
        account,
        identifier.value,
        actor=actor,
        actor_account_id=actor_account_id,
        language=language,
        now=now,
    )


def issue_invitation(
    session: Session,
    account: Account,
    to: str,
    *,
    actor: str,
    actor_account_id: int | None,
    language: str,
    now: datetime,
) -> Invitation:
    lifetime = timedelta(days=get_settings().invitation_days)
    issued = codes.issue(session, account, codes.INVITATION, lifetime, now)
    audit.record(
        session,
        "invitation.created",
        actor,
        account_id=actor_account_id,
        subject_type="account",
        subject_id=account.id,
        expires_at=issued.record.expires_at.isoformat(),
    )
    session.refresh(account, ["memberships"])
    roles = [role_label(Role(m.role), language) for m in account.memberships]
    message = invitation_message(
        to, issued.token, roles, account.display_name, actor, language=language
    )
    return Invitation(
        account, link(INVITATION_LINK_PATH, issued.token), issued.record.expires_at, message
    )


def resend(
    session: Session,
    account: Account,
    *,
    actor: str,
    actor_account_id: int | None,
    language: str = "es",
    now: datetime | None = None,
) -> Invitation:
    """A new link for an account that has not signed up yet (the old one ends)."""
    if account.password_hash is not None or account.last_sign_in_at is not None:
        raise AlreadySignedUp()
    to = account.email or account.phone or ""
    return issue_invitation(
        session,
        account,
        to,
        actor=actor,
        actor_account_id=actor_account_id,
        language=language,
        now=now or datetime.now(UTC),
    )


def check(session: Session, token: str, now: datetime | None = None) -> Account:
    """The account a live invitation link is for (LinkInvalid, LinkUsed, LinkExpired)."""
    _, account = codes.by_link(session, token, codes.INVITATION, now or datetime.now(UTC))
    return account


def accept(
    session: Session,
    token: str,
    password: str,
    confirmation: str | None = None,
    now: datetime | None = None,
) -> Account:
    """Set the password of the invited account and spend the link; the caller signs it in.
    Raises the link's errors, PasswordsDiffer or WeakPassword (nothing is changed then)."""
    now = now or datetime.now(UTC)
    record, account = codes.by_link(session, token, codes.INVITATION, now)
    if confirmation is not None and confirmation != password:
        raise PasswordsDiffer()
    account.password_hash = hash_password(password)
    record.used_at = now
    who = account.email or account.phone or ""
    audit.record(
        session,
        "invitation.accepted",
        who,
        account_id=account.id,
        subject_type="account",
        subject_id=account.id,
    )
    record_success(session, account, who, "invitation", now)
    return account
