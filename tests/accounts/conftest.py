"""Fixtures of the account tests: a real SMTP server, no waiting on failed tries, and a
snapshot of every account table to prove that a refused request changed nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.models import Account, ApiKey, AuthSession, Membership, OneTimeCode
from tests.smtp_support import mailbox  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def pauses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The waits a failed try asked for, instead of waiting them."""
    import geodata.accounts.signin as signin

    asked: list[float] = []
    monkeypatch.setattr(signin, "pause", asked.append)
    yield asked


def account_state(session: Session) -> tuple[object, ...]:
    """Everything a request might change in accounts (not the last-seen touch)."""
    session.flush()
    session.expire_all()
    return (
        session.execute(
            select(
                Account.id,
                Account.email,
                Account.phone,
                Account.display_name,
                Account.password_hash,
                Account.is_active,
                Account.failed_sign_ins,
                Account.locked_until,
            ).order_by(Account.id)
        ).all(),
        session.execute(
            select(
                Membership.id, Membership.account_id, Membership.role, Membership.provider_id
            ).order_by(Membership.id)
        ).all(),
        session.execute(
            select(AuthSession.id, AuthSession.revoked_at).order_by(AuthSession.id)
        ).all(),
        session.execute(select(ApiKey.id, ApiKey.revoked_at).order_by(ApiKey.id)).all(),
        session.execute(
            select(
                OneTimeCode.id, OneTimeCode.used_at, OneTimeCode.expires_at, OneTimeCode.attempts
            ).order_by(OneTimeCode.id)
        ).all(),
    )
