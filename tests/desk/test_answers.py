"""Each answer: its effect on the report, the update in the body's name, the audit event and the
aggregation job; illegal moves are 409 and bad input 400/422, both translated, nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.models import AuditEvent, Report, ReportStatus, ReportUpdate
from geodata.settings import get_settings
from tests.desk.conftest import World, validated
from tests.desk.support import api, snapshot


def post(client: TestClient, world: World, who: str, code: str, **body: object):
    return api(client, "POST", f"/api/v1/desk/reports/{code}/updates", world.staff[who], json=body)


def updates(session: Session, report_id: int) -> list[ReportUpdate]:
    session.expire_all()
    return list(
        session.scalars(
            select(ReportUpdate)
            .where(ReportUpdate.report_id == report_id)
            .order_by(ReportUpdate.id)
        )
    )


def aggregation_jobs(session: Session) -> list[list[int]]:
    return [j.args[0] for j in jobs.pending(session) if j.name == jobs.AGGREGATE_REPORTS]


def test_acknowledge_in_the_bodys_name_with_audit_and_aggregation(
    client: TestClient, session: Session, world: World
) -> None:
    member = world.staff["provider_staff"]
    member.account.display_name = "Rosa Quispe"
    session.flush()
    code = world.report_a.tracking_code
    response = post(client, world, "provider_staff", code, action="acknowledge", note="Vamos")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "acknowledged"
    assert body["update"]["actor_name"] == world.provider_a.name
    last = updates(session, world.report_a.id)[-1]
    assert (last.from_status, last.to_status) == ("validated", "acknowledged")
    assert last.actor_name == world.provider_a.name and "Rosa" not in (last.actor_name or "")
    assert last.account_id == member.account.id  # who, kept private
    assert last.provider_id == world.provider_a.id and last.actor_role == "provider_staff"
    assert last.channel == "api" and last.is_public and last.note == "Vamos"
    report = session.get_one(Report, world.report_a.id)
    assert report.acknowledged_at is not None
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.acknowledge")
    ).one()
    assert event.account_id == member.account.id and event.subject_id == code
    assert event.details["from_status"] == "validated" and event.details["to_status"] == (
        "acknowledged"
    )
    assert [world.report_a.id] in aggregation_jobs(session)


def test_a_note_sends_no_aggregation_and_health_signs_as_the_authority(
    client: TestClient, session: Session, world: World
) -> None:
    code = world.report_a.tracking_code
    response = post(client, world, "health", code, action="note", note="Tomaremos muestra")
    assert response.status_code == 201
    last = updates(session, world.report_a.id)[-1]
    assert last.actor_name == get_settings().health_authority_name
    assert last.actor_kind == "authority" and last.to_status == "validated"
    assert aggregation_jobs(session) == []


def test_moderators_and_the_atm_answer_in_their_names(
    client: TestClient, session: Session, world: World
) -> None:
    code = world.report_a.tracking_code
    assert post(
        client, world, "atm_staff", code, action="note", note="ATM", public=False
    ).is_success
    assert post(client, world, "moderator", code, action="note", note="mod").is_success
    atm_note, moderator_note = updates(session, world.report_a.id)[-2:]
    assert atm_note.actor_name == world.atm_a.name and atm_note.is_public is False
    assert moderator_note.actor_name == get_settings().moderators_name
    assert moderator_note.actor_kind == "moderator"


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ([], "reopen"),  # a validated report is not closed
        (["acknowledge"], "acknowledge"),
        (["resolve"], "resolve"),
        (["resolve"], "reject"),
        (["reject"], "acknowledge"),
    ],
)
def test_illegal_moves_are_409_translated_and_change_nothing(
    client: TestClient, session: Session, world: World, setup: list[str], action: str
) -> None:
    code = world.report_a.tracking_code
    for step in setup:
        assert post(client, world, "moderator", code, action=step, note="x").status_code == 201
    before = snapshot(session)
    response = post(client, world, "moderator", code, action=action, note="otra vez")
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert "no puede pasar a" in error["message"]
    assert snapshot(session) == before
    english = api(
        client,
        "POST",
        f"/api/v1/desk/reports/{code}/updates?lang=en",
        world.staff["moderator"],
        json={"action": action, "note": "again"},
    )
    assert "cannot become" in english.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"action": "reject"}, 400, "reason_required"),
        ({"action": "reject", "note": "   "}, 400, "reason_required"),
        ({"action": "note"}, 400, "note_required"),
        ({"action": "fly"}, 422, "invalid_input"),
        ({"action": "note", "note": "x" * 4001}, 422, "invalid_input"),
        ({"action": "note", "note": "x", "surprise": 1}, 422, "invalid_input"),
        ({"action": "reassign"}, 400, "target_required"),
        ({"action": "reassign", "provider_id": 999999}, 400, "unknown_provider"),
        ({"action": "merge"}, 403, "forbidden"),
    ],
)
def test_bad_input_is_a_translated_400_and_changes_nothing(
    client: TestClient,
    session: Session,
    world: World,
    body: dict[str, object],
    status: int,
    code: str,
) -> None:
    before = snapshot(session)
    queued = jobs.pending(session)  # the world's own validations (messaging rules)
    response = post(client, world, "provider_staff", world.report_a.tracking_code, **body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    english = api(
        client,
        "POST",
        f"/api/v1/desk/reports/{world.report_a.tracking_code}/updates?lang=en",
        world.staff["provider_staff"],
        json=body,
    ).json()["error"]["message"]
    assert error["message"] != english  # Spanish first, English on request
    assert snapshot(session) == before
    assert jobs.pending(session) == queued  # nothing more to send


def test_a_body_hands_a_report_only_within_its_district(
    client: TestClient, session: Session, world: World
) -> None:
    before = snapshot(session)
    response = post(
        client,
        world,
        "provider_staff",
        world.report_a.tracking_code,
        action="reassign",
        provider_id=world.provider_b.id,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "target_outside_district"
    assert "distrito" in response.json()["error"]["message"]
    assert snapshot(session) == before
    moderator = post(
        client,
        world,
        "moderator",
        world.report_a.tracking_code,
        action="reassign",
        provider_id=world.provider_b.id,
    )
    assert moderator.status_code == 201  # moderators reassign anywhere


def test_not_ours_escalates_to_the_atm_with_a_fresh_deadline(
    client: TestClient, session: Session, world: World
) -> None:
    code = world.report_a.tracking_code
    report = session.get_one(Report, world.report_a.id)
    report.due_at = datetime.now(UTC) - timedelta(hours=1)
    report.overdue_at = datetime.now(UTC)
    session.flush()
    response = post(client, world, "provider_staff", code, action="reassign", escalate=True)
    assert response.status_code == 201, response.text
    session.expire_all()
    report = session.get_one(Report, world.report_a.id)
    assert report.provider_id == world.atm_a.id
    assert report.overdue_at is None and report.due_at > datetime.now(UTC)
    note = updates(session, report.id)[-1]
    assert note.is_public and note.note == f"Este reporte pasó a {world.atm_a.name}."
    assert [report.id] in aggregation_jobs(session)
    # The JASS no longer holds it (nor sees it); the ATM does.
    assert (
        api(
            client, "GET", f"/api/v1/desk/reports/{code}", world.staff["provider_staff"]
        ).status_code
        == 404
    )
    assert api(client, "GET", f"/api/v1/desk/reports/{code}", world.staff["atm_staff"]).is_success
    again = post(client, world, "atm_staff", code, action="reassign", escalate=True)
    assert again.status_code == 409 and again.json()["error"]["code"] == "same_provider"


def test_confirm_marks_the_problem_real_and_acknowledges_it(
    client: TestClient, session: Session, world: World
) -> None:
    code = world.report_a.tracking_code
    response = post(client, world, "provider_staff", code, action="confirm")
    assert response.status_code == 201
    session.expire_all()
    report = session.get_one(Report, world.report_a.id)
    assert report.confirmed_at is not None and report.status is ReportStatus.ACKNOWLEDGED
    note = updates(session, report.id)[-1]
    assert note.note == f"{world.provider_a.name} confirmó el problema." and note.is_public
    assert [report.id] in aggregation_jobs(session)
    before = snapshot(session)
    twice = post(client, world, "provider_staff", code, action="confirm")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_confirmed"
    assert snapshot(session) == before


def test_merge_groups_a_report_and_its_own_duplicates_under_the_original(
    client: TestClient, session: Session, world: World
) -> None:
    follower = validated(session, world.b, description="Igual")  # a duplicate of report B
    assert follower.duplicate_of_id == world.report_b.id
    bad = post(
        client,
        world,
        "moderator",
        world.report_b.tracking_code,
        action="merge",
        duplicate_of=follower.tracking_code,
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "own_duplicate"
    response = post(
        client,
        world,
        "moderator",
        world.report_b.tracking_code,
        action="merge",
        duplicate_of=world.report_a.tracking_code,
    )
    assert response.status_code == 201, response.text
    session.expire_all()
    assert session.get_one(Report, world.report_b.id).duplicate_of_id == world.report_a.id
    assert session.get_one(Report, follower.id).duplicate_of_id == world.report_a.id
    note = updates(session, world.report_b.id)[-1]
    assert note.note == f"Es el mismo problema que el reporte {world.report_a.tracking_code}."
    missing = post(
        client,
        world,
        "moderator",
        world.report_a.tracking_code,
        action="merge",
        duplicate_of="NOPE",
    )
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "original_not_found"


def test_the_originals_answer_reaches_its_duplicates_of_the_same_body(
    client: TestClient, session: Session, world: World
) -> None:
    duplicate = validated(session, world.a, description="Lo mismo")
    assert duplicate.duplicate_of_id == world.report_a.id
    code = world.report_a.tracking_code
    assert post(
        client, world, "provider_staff", code, action="acknowledge", note="Vamos"
    ).is_success
    assert post(client, world, "provider_staff", code, action="resolve", note="Listo").is_success
    session.expire_all()
    copy = session.get_one(Report, duplicate.id)
    assert copy.status is ReportStatus.RESOLVED
    assert [u.note for u in updates(session, duplicate.id)][-2:] == ["Vamos", "Listo"]
    assert post(client, world, "provider_staff", code, action="reopen", note="Sigue").is_success
    session.expire_all()
    assert session.get_one(Report, duplicate.id).status is ReportStatus.ACKNOWLEDGED


def test_a_resolved_report_reopens_and_a_rejected_one_is_restored_by_moderators(
    client: TestClient, session: Session, world: World
) -> None:
    code = world.report_a.tracking_code
    assert post(client, world, "provider_staff", code, action="resolve").is_success
    assert post(client, world, "provider_staff", code, action="reopen", note="Volvió").is_success
    session.expire_all()
    report = session.get_one(Report, world.report_a.id)
    assert report.status is ReportStatus.ACKNOWLEDGED and report.resolved_at is None
    assert post(client, world, "provider_staff", code, action="reject", note="spam").is_success
    refused = post(client, world, "provider_staff", code, action="reopen")
    assert refused.status_code == 403
    assert post(client, world, "moderator", code, action="reopen").is_success
    session.expire_all()
    assert session.get_one(Report, world.report_a.id).status is ReportStatus.VALIDATED


def test_the_detail_offers_only_what_the_role_and_status_allow(
    client: TestClient, world: World
) -> None:
    path = f"/api/v1/desk/reports/{world.report_a.tracking_code}"
    offered = {
        who: api(client, "GET", path, world.staff[who]).json()["allowed_actions"]
        for who in ("provider_staff", "moderator", "health", "analyst")
    }
    assert offered["provider_staff"] == [
        "acknowledge", "in_progress", "resolve", "reject", "note", "confirm", "reassign",
    ]  # fmt: skip
    assert "merge" in offered["moderator"]
    assert offered["health"] == ["note"]
    assert offered["analyst"] == []
