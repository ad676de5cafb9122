"""The report form's "tell me how it goes": the consent is recorded with the report (for a
phone, as SMS consent too), and the reporter is then told when a body acknowledges it; without
the tick nothing is recorded and nobody is told."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.routers.reports import get_intake
from geodata.models import ActorKind, ChannelKind, Report, ReportStatus
from geodata.notify import contacts, rules
from geodata.reports.lifecycle import Actor, transition
from geodata.reports.validation import validate_report
from tests import report_factories as make
from tests.notify.support import body_with_contacts, deliveries
from tests.test_reports_api import SessionIntake


def _post(client: TestClient, place: make.Place, contact: str, notify: bool) -> str:
    response = client.post(
        "/api/v1/reports",
        json={
            "location": {"lon": place.lon, "lat": place.lat},
            "category": "leak",
            "contact": contact,
            "notify": notify,
            "device_id": f"consent-{contact}",
        },
    )
    assert response.status_code == 201, response.text
    assert "999" not in response.text
    return str(response.json()["tracking_code"])


def test_the_ticked_box_records_consent_and_the_reporter_hears_back(
    client: TestClient, session: Session
) -> None:
    client.app.dependency_overrides[get_intake] = lambda: SessionIntake(session)  # type: ignore[attr-defined]
    place = make.systems(session, 1, offset=35)[0]
    provider = body_with_contacts(session, place)
    ticked = _post(client, place, "999 111 222", notify=True)
    unticked = _post(client, place, "999 333 444", notify=False)
    record = contacts.contact(session, "+51999111222")
    assert record is not None and record.reports_opt_in_at and record.sms_opt_in_at
    assert record.whatsapp_opt_in_at is None
    assert contacts.contact(session, "+51999333444") is None
    body = Actor(ActorKind.PROVIDER, provider.name, provider_id=provider.id, channel="desk")
    ids = []
    for code in (ticked, unticked):
        report = session.query(Report).filter_by(tracking_code=code).one()
        validate_report(session, report.id)
        transition(session, report, ReportStatus.ACKNOWLEDGED, body, "Vamos")
        ids.append(report.id)
    session.flush()
    rules.notify_reports(session, ids)
    (told,) = deliveries(session, recipient="+51999111222")
    assert told.channel is ChannelKind.SMS and ticked in told.text
    assert deliveries(session, recipient="+51999333444") == []
