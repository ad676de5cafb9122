"""Four weeks after a resolution the reporter who can be reached is asked once whether it is
really fixed; "no" by the link re-opens the report on the desk, "yes" changes nothing; a link
answers once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geodata.models import ActorKind, FollowUp, ReportStatus
from geodata.notify import contacts, followups
from geodata.reports import statuses
from geodata.reports.lifecycle import Actor, transition
from tests import report_factories as make
from tests.notify.support import CITIZEN, body_with_contacts, deliveries, report

LINK = re.compile(r"https?://[^/\s]+(/seguimiento/arreglado/\S+)")


def _resolved(session: Session, offset: int, days_ago: float, **fields: str):  # type: ignore[no-untyped-def]
    place = make.systems(session, 1, offset=offset)[0]
    provider = body_with_contacts(session, place)
    item = report(session, place, **fields)
    body = Actor(ActorKind.PROVIDER, provider.name, provider_id=provider.id, channel="desk")
    when = datetime.now(UTC) - timedelta(days=days_ago)
    transition(session, item, ReportStatus.RESOLVED, body, "Arreglado", now=when)
    session.flush()
    return item


def test_asked_once_after_four_weeks_and_no_reopens_it(
    client: TestClient, session: Session
) -> None:
    assert statuses.can_move(ReportStatus.RESOLVED, ReportStatus.ACKNOWLEDGED)  # the reopen move
    contacts.record_consent(session, CITIZEN, reports=True)
    old = _resolved(session, 25, days_ago=29)
    recent = _resolved(session, 27, days_ago=10)
    unreachable = _resolved(session, 29, days_ago=40, contact="nadie@example.org")

    assert followups.ask_followups(session) >= 1
    assert followups.ask_followups(session) == 0  # once per report
    (question,) = deliveries(session, event_key=f"report:{old.id}:followup")
    assert question.recipient == CITIZEN and old.tracking_code in question.text
    assert deliveries(session, event_key=f"report:{recent.id}:followup") == []
    assert session.get(FollowUp, recent.id) is None
    assert deliveries(session, event_key=f"report:{unreachable.id}:followup") == []
    assert session.get_one(FollowUp, unreachable.id).answer == "no_contact"

    (path,) = LINK.findall(question.text)
    page = client.get(path)
    assert page.status_code == 200 and 'data-state="ask"' in page.text
    assert CITIZEN not in page.text
    assert client.post(path, data={"respuesta": "quizas"}).status_code == 400
    answered = client.post(path, data={"respuesta": "no"})
    assert answered.status_code == 200 and 'data-state="reopened"' in answered.text
    session.refresh(old)
    assert old.status is ReportStatus.ACKNOWLEDGED and old.resolved_at is None
    last = old.updates[-1]
    assert last.actor_kind is ActorKind.CITIZEN and last.is_public
    assert last.note == "Quien reportó dice que el problema no está arreglado."
    again = client.post(path, data={"respuesta": "si"})
    assert again.status_code == 409
    assert client.get(path[:-2] + "xx").status_code == 404


def test_yes_keeps_it_resolved(client: TestClient, session: Session) -> None:
    contacts.record_consent(session, CITIZEN, reports=True)
    old = _resolved(session, 31, days_ago=30)
    followups.ask_followups(session)
    (question,) = deliveries(session, event_key=f"report:{old.id}:followup")
    (path,) = LINK.findall(question.text)
    token = path.rsplit("/", 1)[1]
    response = client.post("/api/v1/followups/answer", json={"token": token, "fixed": True})
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    assert session.get_one(FollowUp, old.id).answer == "fixed"
