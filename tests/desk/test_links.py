"""Signed answer links: valid (answer once, in the body's name), expired, reused, tampered,
moved to another body; every opening and answer audited; a refused answer changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.desk.links import LinkState, answer_by_link, issue_answer_link, open_link
from geodata.models import AnswerLink, AuditEvent, Report, ReportStatus, ReportUpdate
from geodata.settings import get_settings
from tests.desk.conftest import World
from tests.desk.support import api, snapshot


def link_for(session: Session, world: World, **kwargs: object) -> str:
    issued = issue_answer_link(session, world.report_a, world.provider_a, **kwargs)  # type: ignore[arg-type]
    session.flush()
    assert issued.url == f"{get_settings().base_url}/responder/{issued.token}"
    return issued.token


def audit_actions(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("answer_link.%"))
            .order_by(AuditEvent.id)
        )
    )


def test_a_valid_link_answers_once_in_the_bodys_name(
    client: TestClient, session: Session, world: World
) -> None:
    token = link_for(session, world)
    page = client.get(f"/responder/{token}")
    assert page.status_code == 200
    assert world.report_a.tracking_code in page.text and world.provider_a.name in page.text
    assert 'value="acknowledge"' in page.text and 'name="note"' in page.text
    assert "vecina@example.org" not in page.text and "987 654 321" not in page.text
    assert "Recibimos su reporte" in page.text  # the acknowledge template, pre-filled by JS
    done = client.post(
        f"/responder/{token}", data={"action": "acknowledge", "note": "Vamos el lunes."}
    )
    assert done.status_code == 200 and 'data-state="answered"' in done.text
    session.expire_all()
    report = session.get_one(Report, world.report_a.id)
    assert report.status is ReportStatus.ACKNOWLEDGED
    update = session.scalars(
        select(ReportUpdate)
        .where(ReportUpdate.report_id == report.id)
        .order_by(ReportUpdate.id.desc())
    ).first()
    assert update is not None
    assert update.actor_name == world.provider_a.name and update.channel == "link"
    assert update.account_id is None and update.is_public and update.note == "Vamos el lunes."
    link = session.scalars(select(AnswerLink)).one()
    assert link.used_at is not None and link.used_for == "acknowledge"
    tracking = client.get(f"/api/v1/reports/{report.tracking_code}").json()
    assert tracking["updates"][-1]["note"] == "Vamos el lunes."
    # Single use: a second answer is refused and changes nothing.
    before = snapshot(session)
    again = client.post(f"/responder/{token}", data={"action": "resolve", "note": "ya"})
    assert again.status_code == 409 and 'data-state="used"' in again.text
    assert "ya se usó" in again.text
    after = snapshot(session)
    assert after["reports"] == before["reports"] and after["updates"] == before["updates"]
    assert client.get(f"/responder/{token}").status_code == 409
    assert audit_actions(session) == [
        "answer_link.issued",
        "answer_link.opened",
        "answer_link.used",
        "answer_link.refused",
        "answer_link.opened",
    ]


def test_an_expired_link_is_refused(client: TestClient, session: Session, world: World) -> None:
    token = link_for(
        session, world, ttl=timedelta(seconds=1), now=datetime.now(UTC) - timedelta(hours=1)
    )
    page = client.get(f"/responder/{token}")
    assert page.status_code == 410 and "venció" in page.text
    assert world.report_a.tracking_code not in page.text  # nothing of the report is shown
    before = snapshot(session)
    refused = client.post(f"/responder/{token}", data={"action": "acknowledge"})
    assert refused.status_code == 410 and 'data-state="expired"' in refused.text
    after = snapshot(session)
    assert after["reports"] == before["reports"] and after["links"] == before["links"]


def _tampered(token: str) -> list[str]:
    link_id, expiry, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return [
        f"{link_id}.{expiry}.{flipped}",  # signature changed
        f"{link_id}.{int(expiry) + 86400 * 365}.{signature}",  # a longer life claimed
        f"{'x' * len(link_id)}.{expiry}.{signature}",  # another link's id
        f"{link_id}.{expiry}",  # cut short
        "not-a-token",
        "a" * 500,
    ]


def test_a_tampered_link_is_refused(client: TestClient, session: Session, world: World) -> None:
    token = link_for(session, world)
    for bad in _tampered(token):
        page = client.get(f"/responder/{bad}")
        assert page.status_code == 404, bad
        assert 'data-state="tampered"' in page.text and "no es válido" in page.text
        before = snapshot(session)
        post = client.post(f"/responder/{bad}", data={"action": "resolve", "note": "hack"})
        assert post.status_code == 404
        after = snapshot(session)
        assert after["reports"] == before["reports"] and after["links"] == before["links"]
    assert open_link(session, token).state is LinkState.VALID  # the real one still works


def test_a_link_stops_when_the_report_moves_to_another_body_but_not_to_its_atm(
    client: TestClient, session: Session, world: World
) -> None:
    token = link_for(session, world)
    atm_token = issue_answer_link(session, world.report_a, world.atm_a).token
    moved = api(
        client,
        "POST",
        f"/api/v1/desk/reports/{world.report_a.tracking_code}/updates",
        world.staff["moderator"],
        json={"action": "reassign", "provider_id": world.provider_b.id},
    )
    assert moved.status_code == 201
    page = client.get(f"/responder/{token}")
    assert page.status_code == 409 and 'data-state="moved"' in page.text
    session.expire_all()
    report = session.get_one(Report, world.report_a.id)
    report.provider_id = world.provider_a.id  # back to the JASS, escalated: the ATM may answer
    session.flush()
    assert open_link(session, atm_token).state is LinkState.VALID


@pytest.mark.parametrize(
    ("action", "note", "code"),
    [
        ("reject", "no", "unknown_action"),
        ("note", "", "note_required"),
        ("fly", "x", "unknown_action"),
    ],
)
def test_a_refused_answer_leaves_the_link_unused(
    session: Session, world: World, action: str, note: str, code: str
) -> None:
    token = link_for(session, world)
    before = snapshot(session)
    outcome = answer_by_link(session, token, action, note)
    assert outcome.state is LinkState.VALID and outcome.error is not None
    assert outcome.error.code == code
    after = snapshot(session)
    assert after["reports"] == before["reports"] and after["links"] == before["links"]
    assert after["updates"] == before["updates"]
    assert audit_actions(session)[-1] == "answer_link.refused"
    assert answer_by_link(session, token, "resolve", "Arreglado").result is not None


def test_an_illegal_move_by_link_is_a_translated_409_page(
    client: TestClient, session: Session, world: World
) -> None:
    token = link_for(session, world)
    report = session.get_one(Report, world.report_a.id)
    report.status = ReportStatus.RESOLVED
    session.flush()
    page = client.post(f"/responder/{token}", data={"action": "acknowledge", "note": "x"})
    assert page.status_code == 409 and "no puede pasar a" in page.text
    assert open_link(session, token).state is LinkState.VALID
