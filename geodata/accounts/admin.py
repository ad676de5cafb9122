"""What administrators do to accounts: list them, add and remove roles, deactivate and
reactivate. Callers check ``scope.can_manage_accounts()`` first; every change is audited.

Deactivation ends the account's sessions, API keys and open codes at once (resolving a session
also checks that its account is active, so nothing the account holds keeps working). Yaku never
loses its last active administrator through these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from geodata.accounts import audit, codes
from geodata.accounts.errors import (
    AccountNotFound,
    LastAdministrator,
    MembershipNotFound,
    NoSuchAccount,
    NotOnYourself,
)
from geodata.accounts.identifiers import parse_identifier
from geodata.accounts.sessions import revoke_all_sessions
from geodata.accounts.signin import find_account
from geodata.models import Account, ApiKey, Membership, Provider, Role


@dataclass(frozen=True, slots=True)
class MembershipView:
    id: int
    role: Role
    provider_id: int | None
    provider_name: str | None


@dataclass(frozen=True, slots=True)
class AccountView:
    account: Account
    memberships: tuple[MembershipView, ...]

    @property
    def invited(self) -> bool:
        """Invited but never signed up."""
        return self.account.password_hash is None and self.account.last_sign_in_at is None


def _views(session: Session, accounts: list[Account]) -> list[AccountView]:
    provider_ids = sorted({m.provider_id for a in accounts for m in a.memberships if m.provider_id})
    names: dict[int, str] = {
        pid: name
        for pid, name in session.execute(
            select(Provider.id, Provider.name).where(Provider.id.in_(provider_ids))
        )
    }
    return [
        AccountView(
            a,
            tuple(
                MembershipView(m.id, Role(m.role), m.provider_id, names.get(m.provider_id or 0))
                for m in a.memberships
            ),
        )
        for a in accounts
    ]


def list_accounts(session: Session) -> list[AccountView]:
    accounts = list(
        session.scalars(
            select(Account).options(selectinload(Account.memberships)).order_by(Account.id)
        )
    )
    return _views(session, accounts)


def view(session: Session, account: Account) -> AccountView:
    session.refresh(account, ["memberships"])
    return _views(session, [account])[0]


def get_account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NoSuchAccount()
    return account


def find_by_reference(session: Session, reference: str) -> Account:
    """An account by number (``12``, ``#12``) or by e-mail or phone."""
    text = reference.strip().removeprefix("#")
    if text.isdigit() and len(text) < 8:  # phone numbers have at least 8 digits
        return get_account(session, int(text))
    account = find_account(session, parse_identifier(reference))
    if account is None:
        raise AccountNotFound()
    return account


def _active_administrators(session: Session) -> set[int]:
    return set(
        session.scalars(
            select(Membership.account_id)
            .join(Account, Account.id == Membership.account_id)
            .where(Membership.role == Role.ADMINISTRATOR, Account.is_active.is_(True))
        )
    )


def _keep_an_administrator(session: Session, losing: int) -> None:
    """Refuse when ``losing`` is the only active administrator."""
    administrators = _active_administrators(session)
    if losing in administrators and administrators <= {losing}:
        raise LastAdministrator()


def remove_membership(
    session: Session, account: Account, membership_id: int, *, actor: str, actor_account_id: int
) -> None:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.account_id != account.id:
        raise MembershipNotFound()
    if membership.role == Role.ADMINISTRATOR:
        _keep_an_administrator(session, account.id)
    audit.record(
        session,
        "membership.removed",
        actor,
        account_id=actor_account_id,
        subject_type="account",
        subject_id=account.id,
        role=Role(membership.role).value,
        provider_id=membership.provider_id,
    )
    session.delete(membership)
    session.flush()
    session.expire(account, ["memberships"])


def deactivate(
    session: Session,
    account: Account,
    *,
    actor: str,
    actor_account_id: int | None,
    now: datetime | None = None,
) -> None:
    now = now or datetime.now(UTC)
    if actor_account_id == account.id:
        raise NotOnYourself()
    if not account.is_active:
        return
    _keep_an_administrator(session, account.id)
    account.is_active = False
    sessions_ended = revoke_all_sessions(session, account.id, now)
    keys_ended = session.execute(
        update(ApiKey)
        .where(ApiKey.account_id == account.id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount  # type: ignore[attr-defined]
    codes.end_open(session, account.id, None, now)
    audit.record(
        session,
        "account.deactivated",
        actor,
        account_id=actor_account_id,
        subject_type="account",
        subject_id=account.id,
        sessions_ended=sessions_ended,
        api_keys_ended=int(keys_ended or 0),
    )


def reactivate(
    session: Session, account: Account, *, actor: str, actor_account_id: int | None
) -> None:
    """Active again, with no session or key: the person signs in anew."""
    if account.is_active:
        return
    account.is_active = True
    account.failed_sign_ins = 0
    account.locked_until = None
    audit.record(
        session,
        "account.reactivated",
        actor,
        account_id=actor_account_id,
        subject_type="account",
        subject_id=account.id,
    )
