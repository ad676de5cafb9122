"""Contacts: an inbound message opens WhatsApp's window and records consent; erasing a contact
forgets it in messaging (consents, subscriptions, the ledger's copy) but keeps the counts; the
sweep finds pending rows whose task was lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from geodata.models import ChannelKind, Subscription
from geodata.notify import contacts, ledger
from geodata.notify.base import mask_address
from geodata.notify.outbox import queue_message
from tests import report_factories as make
from tests.notify.support import deliveries

PHONE = "+51987000111"


def test_inbound_messages_open_the_window_and_record_consent(session: Session) -> None:
    now = datetime.now(UTC)
    contacts.touch_inbound(session, PHONE, now - timedelta(hours=2), channel="sms")
    record = contacts.contact(session, PHONE)
    assert record is not None and record.sms_opt_in_at and record.whatsapp_opt_in_at is None
    assert contacts.phone_channel(record, now) is ChannelKind.SMS
    assert not contacts.whatsapp_window_open(record, now)  # an SMS opens no WhatsApp window
    contacts.touch_inbound(session, PHONE, now, channel="whatsapp")
    session.refresh(record)
    assert contacts.phone_channel(record, now) is ChannelKind.WHATSAPP
    assert contacts.whatsapp_window_open(record, now + timedelta(hours=23))
    assert not contacts.whatsapp_window_open(record, now + timedelta(hours=24))


def test_erasing_a_contact_forgets_it_everywhere_in_messaging(session: Session) -> None:
    place = make.systems(session, 1, offset=41)[0]
    contacts.touch_inbound(session, PHONE, channel="whatsapp")
    session.add(
        Subscription(system_id=place.id, channel=ChannelKind.WHATSAPP, address=PHONE, language="es")
    )
    row = queue_message(
        session, event_key="erase:1", recipient=PHONE, channel="sms", subject="", text="Hola"
    )
    session.flush()
    assert contacts.erase_contact(session, PHONE) == 3
    session.expire_all()
    assert contacts.contact(session, PHONE) is None
    assert session.query(Subscription).filter_by(address=PHONE).count() == 0
    assert deliveries(session, recipient=PHONE) == []
    session.refresh(row)
    assert row.recipient == f"{row.id}:{mask_address(PHONE)}" and row.text == "erased"


def test_the_sweep_finds_pending_rows_whose_task_was_lost(session: Session) -> None:
    row = queue_message(
        session,
        event_key="sweep:1",
        recipient="a@example.org",
        channel="email",
        subject="",
        text="",
    )
    session.flush()
    assert row.id not in ledger.stale_pending(session)
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert row.id in ledger.stale_pending(session, now=later)
