"""Data for the citizen page tests: colours with their evidence, reports a body has answered
(through the real intake, validation and lifecycle), a provider's public contacts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from geodata.accounts.service import create_account
from geodata.messages import Message, render, to_json
from geodata.models import ActorKind, Provider, Report, ReportStatus, WaterSystem
from geodata.reports.lifecycle import Actor, transition
from geodata.reports.validation import validate_report
from tests import report_factories as make

PERSON = "Rosa Quispe Huamán"  # a member of staff: her name must never be shown to the public


def system_with_provider(session: Session, offset: int = 0) -> WaterSystem:
    return session.scalars(
        select(WaterSystem)
        .where(WaterSystem.provider_id.is_not(None), WaterSystem.code.like("SIASAR-%"))
        .order_by(WaterSystem.id)
        .offset(offset)
        .limit(1)
    ).one()


def colour(
    session: Session,
    system: WaterSystem,
    status: str,
    reason: Message | None = None,
    days: int = 3,
    alert: str | None = None,
) -> None:
    now = datetime.now(UTC)
    evidence = {"grey": "none", "red": "official", "green": "official"}.get(status, "citizen")
    session.execute(
        update(WaterSystem)
        .where(WaterSystem.id == system.id)
        .values(
            status=status,
            status_evidence=evidence,
            status_evidence_at=None if status == "grey" else now - timedelta(days=days),
            status_reason=render(reason, "es") if reason else None,
            status_reason_msg=to_json(reason),
            status_updated_at=now,
            alert_category=alert,
            alert_since=now - timedelta(hours=5) if alert else None,
        )
    )
    session.flush()
    session.expire_all()


def contacts(session: Session, system: WaterSystem, **values: Any) -> Provider:
    provider = session.get(Provider, system.provider_id)
    assert provider is not None
    for key, value in values.items():
        setattr(provider, key, value)
    session.flush()
    return provider


def body_of(session: Session, system: WaterSystem) -> Actor:
    """The provider answering, through a member of staff whose own name stays private."""
    provider = session.get(Provider, system.provider_id)
    assert provider is not None
    person = create_account(
        session, f"rosa{system.id}@example.org", display_name=PERSON, actor="tests"
    )
    return Actor(
        ActorKind.PROVIDER,
        provider.name,
        role="provider_staff",
        account_id=person.id,
        provider_id=provider.id,
        channel="desk",
    )


def validated_report(session: Session, system: WaterSystem, **fields: Any) -> Report:
    place = make.Place(
        system.id, system.code, *_lon_lat(session, system), district_id=system.district_id
    )
    accepted = make.report(session, place, **fields)
    validate_report(session, accepted.id)
    report = session.get(Report, accepted.id)
    assert report is not None and report.status is ReportStatus.VALIDATED, report
    report.system_id = system.id  # on the system even if a source is nearer
    session.flush()
    return report


def answer(
    session: Session,
    report: Report,
    actor: Actor,
    to: ReportStatus | None,
    note: str | None = None,
    public: bool = True,
) -> None:
    transition(session, report, to, actor, note, public=public)
    session.flush()


def _lon_lat(session: Session, system: WaterSystem) -> tuple[float, float]:
    row = session.execute(
        select(func.ST_X(WaterSystem.geom), func.ST_Y(WaterSystem.geom)).where(
            WaterSystem.id == system.id
        )
    ).one()
    return float(row[0]), float(row[1])
