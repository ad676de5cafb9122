"""Public subscriptions, through the pages and the API: subscribe by e-mail, confirm by the
link, be told when the aggregation changes the system's colour (List-Unsubscribe one-click),
unsubscribe once; phones only with recorded consent; no address in any answer."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.models import ChannelKind, Subscription, WaterSystem
from geodata.notify import contacts, ledger, subscriptions
from geodata.reports.aggregation import aggregate_for_reports, recompute_all
from tests import report_factories as make
from tests.notify.support import deliveries
from tests.smtp_support import Mailbox, body
from tests.test_aggregation import validated

EMAIL = "Suscriptora.Agua@Example.org"
ADDRESS = EMAIL.lower()
LINK = re.compile(r"https?://[^/\s]+(/suscripcion/(?:confirmar|baja)/\S+)")


def _links(text: str) -> dict[str, str]:
    return {("confirm" if "confirmar" in p else "leave"): p for p in LINK.findall(text)}


def test_subscribe_confirm_be_told_of_a_change_and_unsubscribe_in_one_click(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    recompute_all(session)
    place = make.systems(session, 1, offset=21)[0]
    response = client.post("/suscribirse", data={"sistema": place.code, "contacto": EMAIL})
    assert response.status_code == 200, response.text
    assert 'data-state="sent"' in response.text
    assert ADDRESS not in response.text.lower()
    (sub,) = session.scalars(select(Subscription).where(Subscription.address == ADDRESS))
    assert sub.system_id == place.id and sub.confirmed_at is None
    again = client.post("/suscribirse", data={"sistema": place.code, "contacto": EMAIL})
    assert 'data-state="sent"' in again.text  # says nothing of the earlier one
    (confirmation,) = deliveries(session, recipient=ADDRESS)
    links = _links(confirmation.text)

    # Not confirmed: a change of colour tells nobody.
    assert subscriptions.notify_status_changes(session, _change_ids(session, place)) == 0
    page = client.get(links["confirm"])
    assert page.status_code == 200 and 'data-state="confirmed"' in page.text
    session.refresh(sub)
    assert sub.confirmed_at is not None

    first = validated(session, place, device_id="s1", client_address="10.9.1.1")
    second = validated(session, place, device_id="s2", client_address="10.9.2.2")
    aggregate_for_reports(session, [first, second])
    change_ids = [
        i for j in jobs.pending(session) if j.name == jobs.NOTIFY_STATUS_CHANGES for i in j.args[0]
    ]
    assert change_ids, "the aggregation did not announce the change"
    assert subscriptions.notify_status_changes(session, change_ids) >= 1
    last = _change_ids(session, place)[-1]  # red (the earlier full recompute made it yellow)
    (notice,) = deliveries(session, recipient=ADDRESS, event_key=f"status:{last}")
    system = session.get_one(WaterSystem, place.id)
    assert system.name in notice.subject and "rojo" in notice.subject
    assert ledger.attempt(session, notice.id).outcome is ledger.Outcome.SENT
    message = next(m for m in mailbox.wait(ADDRESS) if m["Subject"] == notice.subject)
    leave = _links(body(message))["leave"]
    assert message["List-Unsubscribe"].strip() == f"<http://127.0.0.1:8000{leave}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    one_click = client.post(leave, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and 'data-state="unsubscribed"' in one_click.text
    assert session.scalars(select(Subscription).where(Subscription.address == ADDRESS)).all() == []
    assert client.get(leave).status_code == 404
    tampered = leave[:-3] + ("AAA" if not leave.endswith("AAA") else "BBB")
    assert client.get(tampered).status_code == 404


def _change_ids(session: Session, place: make.Place) -> list[int]:
    from geodata.models import StatusChange

    return list(
        session.scalars(
            select(StatusChange.id)
            .where(StatusChange.system_id == place.id)
            .order_by(StatusChange.id)
        )
    )


def test_phones_need_recorded_consent_and_answers_show_no_address(
    client: TestClient, session: Session
) -> None:
    place = make.systems(session, 1, offset=23)[0]
    phone = "+51911222333"
    refused = client.post(
        "/api/v1/subscriptions", json={"system_code": place.code, "contact": phone}
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "phone_consent_required"
    contacts.touch_inbound(session, phone, channel="whatsapp")
    accepted = client.post(
        "/api/v1/subscriptions", json={"system_code": place.code, "contact": "911 222 333"}
    )
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["confirm_by_link"] is False and "911" not in accepted.text
    (sub,) = session.scalars(select(Subscription).where(Subscription.address == phone))
    assert sub.channel is ChannelKind.WHATSAPP and sub.confirmed_at is not None
    unknown = client.post("/api/v1/subscriptions", json={"system_code": "NOPE-0", "contact": EMAIL})
    assert unknown.status_code == 404
    district = client.post(
        "/api/v1/subscriptions", json={"district": "130101", "contact": "distrito@example.org"}
    )
    assert district.status_code == 202 and "distrito@" not in district.text
    bad = client.post("/api/v1/subscriptions/unsubscribe", json={"token": "1.forged"})
    assert bad.status_code == 404
    assert client.get("/suscribirse?sistema=NOPE-0").status_code == 404
    form = client.get(f"/suscribirse?sistema={place.code}")
    assert form.status_code == 200 and 'name="contacto"' in form.text


def test_a_district_subscriber_gets_one_message_for_a_batch_of_changes(session: Session) -> None:
    from geodata.models import StatusChange, WaterStatus

    (first,) = make.systems(session, 1, offset=43)
    district = session.get_one(WaterSystem, first.id).district_id
    others = session.scalars(
        select(WaterSystem).where(WaterSystem.district_id == district).limit(3)
    ).all()
    assert len(others) >= 2
    sub = Subscription(
        district_id=district,
        channel=ChannelKind.EMAIL,
        address="distrito.lote@example.org",
        language="es",
        confirmed_at=datetime.now(UTC),
    )
    session.add(sub)
    changes = [
        StatusChange(
            system_id=s.id, status=WaterStatus.RED, evidence="official", reason="cloro 0.1"
        )
        for s in others
    ]
    changes.append(
        StatusChange(system_id=others[0].id, status=WaterStatus.GREEN, evidence="official")
    )
    session.add_all(changes)
    session.flush()
    assert subscriptions.notify_status_changes(session, [c.id for c in changes]) == 1
    (notice,) = deliveries(session, recipient="distrito.lote@example.org")
    assert notice.event_key.startswith("status:batch:")
    assert notice.subject == f"Estado del agua: cambiaron {len(others)} sistemas"
    assert f"{others[0].name} ({others[0].code}): verde" in notice.text  # its last change
    assert "/suscripcion/baja/" in notice.text
    assert subscriptions.notify_status_changes(session, [c.id for c in changes]) == 1
    assert len(deliveries(session, recipient="distrito.lote@example.org")) == 1
