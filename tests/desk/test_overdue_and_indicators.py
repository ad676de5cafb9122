"""Overdue marking (escalation to the district's ATM, idempotent) and the answer indicators per
provider and district, computed here by hand from factories and compared with aggregation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.desk.overdue import mark_overdue
from geodata.models import (
    ActorKind,
    AuditEvent,
    DistrictIndicator,
    ProviderIndicator,
    Report,
    ReportCategory,
    ReportStatus,
    ReportUpdate,
)
from geodata.reports.aggregation import aggregate_for_reports, recompute_all
from geodata.reports.lifecycle import Actor, transition
from tests import report_factories as make
from tests.desk.conftest import World, validated
from tests.desk.support import api


def past_due(session: Session, report: Report, hours: float = 1) -> None:
    report.due_at = datetime.now(UTC) - timedelta(hours=hours)
    session.flush()


def test_unacknowledged_reports_are_marked_and_escalated_once(
    client: TestClient, session: Session, world: World
) -> None:
    report = world.report_a
    past_due(session, report)
    answered = validated(session, world.a, ReportCategory.OTHER)
    past_due(session, answered)
    transition(session, answered, ReportStatus.ACKNOWLEDGED, Actor(ActorKind.PROVIDER, "JASS"))
    duplicate = validated(session, world.a, description="igual")
    assert duplicate.duplicate_of_id == report.id
    past_due(session, duplicate)
    not_yet = validated(session, world.a, ReportCategory.TURBID_WATER)

    marked = mark_overdue(session)
    assert marked == [report.id]
    session.expire_all()
    report = session.get_one(Report, report.id)
    assert report.overdue_at is not None and report.status is ReportStatus.VALIDATED
    for other in (answered, duplicate, not_yet):
        assert session.get_one(Report, other.id).overdue_at is None
    note = session.scalars(
        select(ReportUpdate).where(ReportUpdate.report_id == report.id).order_by(ReportUpdate.id)
    ).all()[-1]
    assert note.is_public is False and note.actor_name == "Yaku" and note.to_status == "validated"
    assert (
        note.note
        == f"No fue atendido a tiempo: se elevó a {world.atm_a.name}, el ATM del distrito."
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "report.overdue")).one()
    assert (
        event.subject_id == report.tracking_code and event.details["escalated_to"] == world.atm_a.id
    )
    assert any(
        j.name == jobs.AGGREGATE_REPORTS and j.args == ([report.id],) for j in jobs.pending(session)
    )
    assert mark_overdue(session) == []  # idempotent
    # The ATM sees it among its overdue reports; the citizen never sees the internal note.
    listed = api(client, "GET", "/api/v1/desk/reports?overdue=true", world.staff["atm_staff"])
    assert [i["tracking_code"] for i in listed.json()["items"]] == [report.tracking_code]
    assert "No fue atendido" not in client.get(f"/seguimiento/{report.tracking_code}").text


def test_a_report_the_atm_itself_holds_is_marked_without_escalation(
    session: Session, world: World
) -> None:
    report = world.report_a
    report.provider_id = world.atm_a.id
    past_due(session, report)
    assert mark_overdue(session) == [report.id]
    note = session.scalars(
        select(ReportUpdate.note)
        .where(ReportUpdate.report_id == report.id)
        .order_by(ReportUpdate.id.desc())
    ).first()
    assert note == "No fue atendido a tiempo."


def test_provider_and_district_indicators_match_a_hand_count(
    client: TestClient, session: Session, world: World
) -> None:
    t0 = datetime.now(UTC) - timedelta(days=10)
    body = Actor(ActorKind.PROVIDER, world.provider_a.name)
    fast = world.report_a  # acknowledged after 2 h (in time), resolved after 10 h
    late = validated(session, world.a, ReportCategory.OTHER)  # acknowledged after 100 h
    waiting = validated(session, world.a, ReportCategory.TURBID_WATER)  # overdue, unanswered
    duplicate = validated(session, world.a, description="igual")  # counted with its original
    unchecked = make.report(session, world.a, ReportCategory.NO_WATER, device_id="unchecked")
    assert duplicate.duplicate_of_id == fast.id
    for report in (fast, late, waiting, duplicate):
        report.received_at = t0
        report.due_at = t0 + timedelta(hours=72)
    transition(session, fast, ReportStatus.ACKNOWLEDGED, body, now=t0 + timedelta(hours=2))
    transition(session, fast, ReportStatus.RESOLVED, body, now=t0 + timedelta(hours=10))
    transition(session, late, ReportStatus.ACKNOWLEDGED, body, now=t0 + timedelta(hours=100))
    transition(session, duplicate, ReportStatus.ACKNOWLEDGED, body, now=t0 + timedelta(hours=1))
    session.flush()
    ids = [fast.id, late.id, waiting.id, duplicate.id, unchecked.id]

    # By hand: three problems received (the duplicate counts with its original, the
    # unchecked report not at all); open: late (acknowledged) and waiting; overdue: waiting;
    # in time: fast; resolved: fast; hours to acknowledge 2 and 100 -> median 51; to resolve 10.
    expected = {
        "received_reports": 3,
        "open_reports": 2,
        "overdue_reports": 1,
        "acknowledged_in_time": 1,
        "resolved_reports": 1,
        "median_hours_to_acknowledge": 51.0,
        "median_hours_to_resolve": 10.0,
    }

    def figures() -> dict[str, object]:
        session.expire_all()
        row = session.get_one(ProviderIndicator, world.provider_a.id)
        return {k: getattr(row, k) for k in expected}

    aggregate_for_reports(session, ids)
    incremental = figures()
    assert {
        k: round(v, 6) if isinstance(v, float) else v for k, v in incremental.items()
    } == expected
    district = session.get_one(DistrictIndicator, world.a.district_id)
    assert round(district.median_hours_to_acknowledge or 0, 6) == 51.0
    assert round(district.median_hours_to_resolve or 0, 6) == 10.0
    assert district.overdue_reports == 1
    recompute_all(session)
    assert figures() == incremental  # the full recompute agrees

    ubigeo = api(
        client, "GET", f"/api/v1/desk/reports/{fast.tracking_code}", world.staff["moderator"]
    ).json()["district"]["ubigeo"]
    public = client.get(f"/api/v1/districts/{ubigeo}")
    assert public.status_code == 200
    data = public.json()
    assert data["overdue_reports"] == 1 and round(data["median_hours_to_resolve"], 6) == 10.0
    mine = next(p for p in data["providers"] if p["provider_id"] == world.provider_a.id)
    assert mine["received_reports"] == 3 and mine["acknowledged_in_time"] == 1
    assert "vecina@example.org" not in public.text and "987 654 321" not in public.text
    desk = api(client, "GET", "/api/v1/desk/indicators", world.staff["provider_staff"]).json()
    assert [i["provider_id"] for i in desk["items"]] == [world.provider_a.id]
    assert desk["items"][0]["overdue_reports"] == 1


def test_a_body_that_holds_nothing_any_more_drops_to_zero(
    client: TestClient, session: Session, world: World
) -> None:
    aggregate_for_reports(session, [world.report_a.id])
    assert session.get_one(ProviderIndicator, world.provider_a.id).open_reports == 1
    moved = api(
        client,
        "POST",
        f"/api/v1/desk/reports/{world.report_a.tracking_code}/updates",
        world.staff["provider_staff"],
        json={"action": "reassign", "escalate": True},
    )
    assert moved.status_code == 201
    recompute_all(session)
    session.expire_all()
    assert session.get_one(ProviderIndicator, world.provider_a.id).open_reports == 0
    assert session.get_one(ProviderIndicator, world.atm_a.id).open_reports == 1
