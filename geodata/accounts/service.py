"""Creating staff accounts and their memberships (the CLI, invitations and tests use this)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.accounts import audit
from geodata.accounts.errors import AccountExists, ProviderNotFound
from geodata.accounts.identifiers import parse_identifier
from geodata.accounts.passwords import hash_password
from geodata.accounts.signin import find_account
from geodata.models import Account, AdminArea, AreaLevel, Membership, Provider, Role, WaterSystem
from geodata.reports.routing import district_atm

BODY_ROLES = frozenset({Role.PROVIDER_STAFF, Role.ATM_STAFF})


def provider_of_system(session: Session, system_code: str) -> Provider:
    provider = session.scalars(
        select(Provider)
        .join(WaterSystem, WaterSystem.provider_id == Provider.id)
        .where(WaterSystem.code == system_code.strip())
    ).first()
    if provider is None:
        raise ProviderNotFound()
    return provider


def atm_of_district(session: Session, ubigeo: str) -> Provider:
    district_id = session.scalar(
        select(AdminArea.id).where(
            AdminArea.level == AreaLevel.DISTRICT, AdminArea.ubigeo_inei == ubigeo.strip()
        )
    )
    atm = district_atm(session, district_id)
    if atm is None:
        raise ProviderNotFound()
    return atm


def create_account(
    session: Session,
    identifier: str,
    *,
    display_name: str = "",
    password: str | None = None,
    actor: str,
    actor_account_id: int | None = None,
) -> Account:
    """A new active account (no membership yet). ``password`` None: the person sets one
    through an invitation, or signs in with one-time codes only."""
    parsed = parse_identifier(identifier)
    if find_account(session, parsed) is not None:
        raise AccountExists()
    account = Account(
        email=parsed.value if parsed.kind == "email" else None,
        phone=parsed.value if parsed.kind == "phone" else None,
        display_name=display_name.strip()[:200],
        password_hash=hash_password(password) if password is not None else None,
    )
    session.add(account)
    session.flush()
    audit.record(
        session,
        "account.created",
        actor,
        account_id=actor_account_id,
        subject_type="account",
        subject_id=account.id,
        identifier=parsed.value,
    )
    return account


def add_membership(
    session: Session,
    account: Account,
    role: Role,
    provider: Provider | None = None,
    *,
    actor: str,
    actor_account_id: int | None = None,
) -> Membership:
    """Give ``account`` a role; provider and ATM staff name their body (an ATM must be one)."""
    if (role in BODY_ROLES) != (provider is not None):
        raise ProviderNotFound()
    if role is Role.ATM_STAFF and provider is not None and not provider.is_district_atm:
        raise ProviderNotFound()
    existing = session.scalars(
        select(Membership).where(
            Membership.account_id == account.id,
            Membership.role == role,
            Membership.provider_id.is_(None)
            if provider is None
            else Membership.provider_id == provider.id,
        )
    ).first()
    if existing is not None:
        return existing
    membership = Membership(
        account_id=account.id, role=role, provider_id=provider.id if provider else None
    )
    session.add(membership)
    session.flush()
    audit.record(
        session,
        "membership.added",
        actor,
        account_id=actor_account_id,
        subject_type="account",
        subject_id=account.id,
        role=role.value,
        provider_id=provider.id if provider else None,
    )
    return membership
