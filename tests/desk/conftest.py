"""A small world for desk tests, in the rolled-back session: two bodies in two districts with a
validated report each, and one member of staff of every role (and one without any)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from geodata.accounts.service import add_membership, create_account
from geodata.accounts.sessions import create_session
from geodata.models import Provider, Report, ReportCategory, Role
from geodata.reports.validation import validate_report
from tests import account_factories as accounts
from tests import report_factories as make

ROLES = ("administrator", "moderator", "provider_staff", "atm_staff", "health", "analyst")
_devices = itertools.count(1)


@dataclass
class World:
    a: make.Place
    b: make.Place
    provider_a: Provider
    provider_b: Provider
    atm_a: Provider
    report_a: Report
    report_b: Report
    staff: dict[str, accounts.Staff]  # every role, "none" and "other" (staff of provider B)


def member(session: Session, role: Role | None, provider: Provider | None = None) -> accounts.Staff:
    """Like ``account_factories.staff`` (real account, membership, bearer and browser
    sessions) but without a password: argon2 costs a fifth of a second per account, and the
    desk's tests sign in with sessions only."""
    account = create_account(
        session, f"desk{next(_devices)}-{role or 'none'}@example.org", actor="tests"
    )
    if role is not None:
        add_membership(session, account, role, provider, actor="tests")
    bearer = create_session(session, account, "bearer")
    browser = create_session(session, account, "browser")
    return accounts.Staff(account, bearer.token, browser.record.csrf_token, browser.token)


def validated(
    session: Session,
    place: make.Place,
    category: ReportCategory = ReportCategory.LEAK,
    **fields: Any,
) -> Report:
    fields.setdefault("device_id", f"desk-device-{next(_devices)}")
    fields.setdefault("description", "Fuga en la tubería, llamar al 987 654 321")
    fields.setdefault("contact", "vecina@example.org")
    accepted = make.report(session, place, category, **fields)
    outcome = validate_report(session, accepted.id)
    assert outcome is not None and outcome.status == "validated", outcome
    return session.get_one(Report, accepted.id)


def two_places(session: Session) -> tuple[make.Place, make.Place]:
    candidates = make.systems(session, 80)
    a = candidates[0]
    b = next(p for p in candidates if p.district_id != a.district_id)
    return a, b


@pytest.fixture
def world(session: Session) -> World:
    a, b = two_places(session)
    provider_a = accounts.provider_of(session, a.id)
    provider_b = accounts.provider_of(session, b.id)
    assert a.district_id is not None
    atm_a = accounts.atm(session, a.district_id)
    report_a = validated(session, a)
    report_b = validated(session, b)
    assert report_a.provider_id == provider_a.id and report_b.provider_id == provider_b.id
    bodies = {"provider_staff": provider_a, "atm_staff": atm_a}
    staff = {role: member(session, Role(role), bodies.get(role)) for role in ROLES}
    staff["none"] = member(session, None)
    staff["other"] = member(session, Role.PROVIDER_STAFF, provider_b)
    session.flush()
    return World(a, b, provider_a, provider_b, atm_a, report_a, report_b, staff)
