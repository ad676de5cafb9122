"""Helpers of the messaging tests: a body with contacts, validated reports, ledger rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.models import Delivery, Provider, Report, ReportCategory
from tests import account_factories as accounts
from tests import report_factories as make
from tests.desk.conftest import validated

JASS_EMAIL = "jass.notify@example.org"
ATM_EMAIL = "atm.notify@example.org"
CITIZEN = "vecina.notify@example.org"


def body_with_contacts(session: Session, place: make.Place, email: str = JASS_EMAIL) -> Provider:
    provider = accounts.provider_of(session, place.id)
    provider.contact_email = email
    provider.contact_whatsapp = None
    provider.contact_phone = None
    session.flush()
    return provider


def report(
    session: Session,
    place: make.Place,
    category: ReportCategory = ReportCategory.LEAK,
    **fields: Any,
) -> Report:
    fields.setdefault("contact", CITIZEN)
    return validated(session, place, category, **fields)


def deliveries(session: Session, **where: Any) -> list[Delivery]:
    stmt = select(Delivery).order_by(Delivery.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(Delivery, name) == value)
    return list(session.scalars(stmt))
