"""``yaku erase-contact``: a phone or e-mail is forgotten everywhere it is kept; the reports
stay, anonymous; what was erased is printed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from geodata.cli import main
from geodata.inbound.erasure import erase_contact
from geodata.inbound.gateways import Incoming
from geodata.inbound.notices import remember_notice
from geodata.inbound.service import receive
from geodata.models import AuditEvent, InboundMessage, NoticeTarget, Report
from tests import report_factories as make

PHONE = "+51987444555"


def _inbound_report(session: Session, place: make.Place, message_id: str) -> Report:
    outcome = receive(
        session,
        Incoming(
            gateway="whatsapp",
            message_id=message_id,
            sender=PHONE,
            kind="text",
            text=f"AGUA {place.code} NOHAY, llamen al 987 444 555",
            payload={"from": PHONE.lstrip("+"), "text": {"body": "..."}},
        ),
    )
    assert outcome is not None and outcome.tracking_code
    return session.scalars(
        select(Report).where(Report.tracking_code == outcome.tracking_code)
    ).one()


def test_a_phone_is_erased_everywhere_and_the_reports_stay(session: Session) -> None:
    place = make.systems(session, 1, offset=5)[0]
    inbound = _inbound_report(session, place, "wamid.erase-1")
    typed = session.get_one(
        Report,
        make.report(session, place, contact="987 444 555", description="Mi número: 987-444-555").id,
    )
    other = session.get_one(Report, make.report(session, place, contact="+51911222333").id)
    remember_notice(session, PHONE, inbound.id)
    neighbour = Incoming(
        gateway="twilio",
        message_id="SM-erase-2",
        sender="+51911222333",
        kind="text",
        text="Hola, mi vecina (987444555) dice que no hay agua",
        payload={"Body": "Hola, mi vecina (987444555) dice que no hay agua"},
    )
    receive(session, neighbour)
    session.flush()

    erasure = erase_contact(session, "987 444 555")
    assert erasure.counts == {
        "report contacts": 2,
        "report descriptions": 2,
        "inbound messages": 2,
        "notice targets": 1,
        "messaging": 2,  # the WhatsApp window of the number, the ledger's copy of its reply
    }
    assert erasure.render() == (
        "erased +51*******55: report contacts: 2, report descriptions: 2, inbound messages: 2, "
        "notice targets: 1, messaging: 2"
    )
    session.expire_all()
    for report in (inbound, typed):
        assert report.reporter_contact is None
        assert "444" not in report.description and "[borrado]" in report.description
        assert "444" not in (report.public_description or "")
    assert typed.description == "Mi número: [borrado]"
    assert other.reporter_contact == "+51911222333"  # someone else's number is kept
    message = session.scalars(
        select(InboundMessage).where(InboundMessage.message_id == "wamid.erase-1")
    ).one()
    assert (message.sender, message.text, message.payload) == (None, None, None)
    assert message.report_id == inbound.id
    assert session.get(NoticeTarget, PHONE) is None
    other_message = session.scalars(
        select(InboundMessage).where(InboundMessage.message_id == "SM-erase-2")
    ).one()
    assert other_message.sender == "+51911222333"
    assert other_message.text == "Hola, mi vecina ([borrado]) dice que no hay agua"
    assert other_message.payload is None
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "contact.erased")).one()
    assert "987444555" not in str(event.details) and "444 555" not in str(event.details)

    # A late retry of the erased message is still recognised as a repeat.
    again = Incoming(
        gateway="whatsapp", message_id="wamid.erase-1", sender=PHONE, kind="text", text="x"
    )
    assert receive(session, again) is None


def test_an_email_is_erased(session: Session) -> None:
    place = make.systems(session, 1, offset=6)[0]
    report = session.get_one(
        Report,
        make.report(
            session,
            place,
            contact=" Vecina.Soto@Gmail.com ",
            description="escriban a vecina.soto@gmail.com",
        ).id,
    )
    erasure = erase_contact(session, "vecina.soto@gmail.com")
    assert erasure.counts["report contacts"] == 1
    session.expire_all()
    assert report.reporter_contact is None
    assert report.description == "escriban a [borrado]"


@pytest.fixture
def committed_report(engine: Engine) -> Iterator[str]:
    with Session(engine) as s:
        place = make.systems(s, 1, offset=7)[0]
        accepted = make.report(s, place, contact="+51 987 666 777")
        s.commit()
    yield accepted.tracking_code
    with Session(engine) as s:
        s.execute(delete(Report).where(Report.tracking_code == accepted.tracking_code))
        s.commit()


def test_the_command_prints_what_it_erased(
    engine: Engine, committed_report: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["erase-contact", "987666777"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == (
        "erased +51*******77: report contacts: 1, report descriptions: 0, inbound messages: 0, "
        "notice targets: 0, messaging: 0"
    )
    with Session(engine) as s:
        contact = s.scalar(
            select(Report.reporter_contact).where(Report.tracking_code == committed_report)
        )
    assert contact is None
    assert main(["erase-contact", "not a contact"]) == 2
