"""The two halves of messaging together: a body's notice by WhatsApp invites the numbered reply
that answers it, replies travel through the delivery ledger (once per event), a message in
opens the WhatsApp window, and erasure forgets the messaging records too."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.inbound.erasure import erase_contact
from geodata.models import ChannelKind, Delivery, NotifyContact, ReportCategory, ReportStatus
from geodata.notify import contacts, rules
from tests import report_factories as make
from tests.inbound.support import (
    gateways,
    next_id,
    post_whatsapp,
    replies,
    whatsapp_envelope,
    whatsapp_text,
)
from tests.notify.support import body_with_contacts, report

__all__ = ["gateways"]
pytestmark = pytest.mark.usefixtures("gateways")

BODY_PHONE = "+51944222333"
CITIZEN = "+51987555666"


def say(client: TestClient, phone: str, text: str, message_id: str | None = None) -> None:
    message = whatsapp_text(phone, text, message_id)
    response = post_whatsapp(client, whatsapp_envelope(message))
    assert response.status_code == 200, response.text


def test_a_whatsapp_notice_invites_the_numbered_reply_that_answers_it(
    client: TestClient, session: Session
) -> None:
    place = make.systems(session, 1, offset=21)[0]
    provider = body_with_contacts(session, place)
    provider.contact_whatsapp = BODY_PHONE
    urgent = report(session, place, ReportCategory.SUSPECTED_CONTAMINATION)
    rules.notify_reports(session, [urgent.id])
    by_whatsapp = session.scalars(
        select(Delivery).where(
            Delivery.report_id == urgent.id, Delivery.channel == ChannelKind.WHATSAPP
        )
    ).one()
    by_email = session.scalars(
        select(Delivery).where(Delivery.report_id == urgent.id, Delivery.channel == "email")
    ).one()
    assert by_whatsapp.recipient == BODY_PHONE
    assert "1 recibido, 2 en reparación, 3 resuelto" in by_whatsapp.text
    assert "1 recibido" not in by_email.text  # an e-mail answers by its link

    say(client, BODY_PHONE, "1 ya vamos")
    session.refresh(urgent)
    assert urgent.status is ReportStatus.ACKNOWLEDGED
    notice, confirmation = [r for r in replies(session) if r[1] == BODY_PHONE]
    assert notice[2] == by_whatsapp.text
    assert confirmation == (
        "whatsapp",
        BODY_PHONE,
        f"Listo: el reporte {urgent.tracking_code} ahora está recibido por el responsable.",
    )


def test_a_gateway_retry_sends_no_second_reply_and_opens_the_window(
    client: TestClient, session: Session
) -> None:
    message_id = next_id("wamid.retry")
    say(client, CITIZEN, "hola", message_id)
    say(client, CITIZEN, "hola", message_id)  # the gateway delivers it again
    sent = [r for r in replies(session) if r[1] == CITIZEN]
    assert len(sent) == 1 and "AGUA" in sent[0][2]  # the syntax help, once
    contact = session.scalars(select(NotifyContact).where(NotifyContact.address == CITIZEN)).one()
    assert contact.last_inbound_at is not None and contact.whatsapp_opt_in_at is not None


def test_erasure_forgets_consents_and_the_ledger_copy(session: Session) -> None:
    contacts.touch_inbound(session, CITIZEN)
    session.flush()
    erasure = erase_contact(session, "987 555 666")
    assert erasure.counts["messaging"] >= 1
    left = select(NotifyContact).where(NotifyContact.address == CITIZEN)
    assert session.scalars(left).all() == []


def test_a_digest_by_sms_says_how_to_answer_with_a_tracking_code(session: Session) -> None:
    place = make.systems(session, 1, offset=23)[0]
    provider = body_with_contacts(session, place)
    provider.contact_email = None
    provider.contact_phone = BODY_PHONE
    leak = report(session, place)  # not urgent: it waits for the daily digest
    rules.send_digests(session)
    digest = session.scalars(
        select(Delivery).where(
            Delivery.provider_id == provider.id, Delivery.channel == ChannelKind.SMS
        )
    ).one()
    assert digest.report_id is None and leak.tracking_code in digest.text
    assert "puede añadir su código de seguimiento" in digest.text
