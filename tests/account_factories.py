"""Factories for staff accounts: one per role, real memberships, real sessions and tokens."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.accounts.scope import Scope, scope_for
from geodata.accounts.service import add_membership, create_account
from geodata.accounts.sessions import create_session
from geodata.models import Account, Provider, Role, WaterSystem

PASSWORD = "agua-limpia-2026"
_counter = itertools.count(1)


@dataclass(frozen=True)
class Staff:
    account: Account
    token: str
    csrf: str
    cookie: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def scope(self, session: Session) -> Scope:
        return scope_for(session, self.account.id)


def staff(session: Session, role: Role | None, provider: Provider | None = None) -> Staff:
    """An account with ``role`` (None: no role at all) for ``provider``, signed in twice: a
    bearer token for the API and a browser session (cookie + CSRF token) for the pages."""
    n = next(_counter)
    account = create_account(
        session, f"staff{n}-{role or 'none'}@example.org", password=PASSWORD, actor="tests"
    )
    if role is not None:
        add_membership(session, account, role, provider, actor="tests")
    bearer = create_session(session, account, "bearer")
    browser = create_session(session, account, "browser")
    return Staff(account, bearer.token, browser.record.csrf_token, browser.token)


def provider_of(session: Session, system_id: int) -> Provider:
    return session.scalars(
        select(Provider)
        .join(WaterSystem, WaterSystem.provider_id == Provider.id)
        .where(WaterSystem.id == system_id)
    ).one()


def atm(session: Session, district_id: int) -> Provider:
    return session.scalars(
        select(Provider).where(Provider.district_id == district_id, Provider.is_district_atm)
    ).one()
