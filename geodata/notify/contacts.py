"""What a phone or an e-mail agreed to (``notify_contact``), and how a citizen is reached.

The inbound webhooks call ``touch_inbound`` for every message from a number (it opens
WhatsApp's 24-hour window); forms and the inbound syntax call ``record_consent``;
``erase_contact`` forgets an address everywhere in messaging.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import CursorResult, String, cast, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geodata.accounts.errors import InvalidIdentifier
from geodata.accounts.identifiers import normalize_email, normalize_phone
from geodata.models import ChannelKind, Delivery, NotifyContact, Subscription
from geodata.notify.base import mask_address

WHATSAPP_WINDOW = timedelta(hours=24)

# A reporter who ticked "tell me at this contact how it goes" (the intake runs it on its own
# connection); for a phone that is also its consent to SMS.
REPORTS_CONSENT_SQL = """
INSERT INTO notify_contact (address, reports_opt_in_at, sms_opt_in_at)
VALUES (%(address)s, now(), CASE WHEN %(phone)s THEN now() END)
ON CONFLICT (address) DO UPDATE
SET reports_opt_in_at = coalesce(notify_contact.reports_opt_in_at, now()),
    sms_opt_in_at = coalesce(notify_contact.sms_opt_in_at, excluded.sms_opt_in_at),
    updated_at = now()
"""
ERASED = "erased"


def normalize_address(text: str) -> str | None:
    """An e-mail in lower case or a phone in E.164; None when it is neither."""
    text = (text or "").strip()
    try:
        return normalize_email(text) if "@" in text else normalize_phone(text)
    except InvalidIdentifier:
        return None


def _upsert(session: Session, address: str, values: dict[str, datetime]) -> None:
    stmt = insert(NotifyContact).values(address=address, **values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["address"], set_={**values, "updated_at": stmt.excluded.updated_at}
        )
    )


def touch_inbound(
    session: Session,
    address: str,
    at: datetime | None = None,
    channel: ChannelKind | str = ChannelKind.WHATSAPP,
) -> None:
    """A message came from ``address`` on ``channel``. On WhatsApp it opens the 24-hour window
    (``last_inbound_at``) and is the person's opt-in; by SMS it is consent to SMS replies."""
    at = at or datetime.now(UTC)
    if ChannelKind(channel) is ChannelKind.WHATSAPP:
        _upsert(session, address, {"last_inbound_at": at, "whatsapp_opt_in_at": at})
    else:
        record_consent(session, address, sms=True, now=at, keep_earlier=True)


def record_consent(
    session: Session,
    address: str,
    *,
    reports: bool = False,
    whatsapp: bool = False,
    sms: bool = False,
    now: datetime | None = None,
    keep_earlier: bool = False,
) -> None:
    """Record the consents given (False leaves a consent as it was)."""
    now = now or datetime.now(UTC)
    fields = {"reports_opt_in_at": reports, "whatsapp_opt_in_at": whatsapp, "sms_opt_in_at": sms}
    values = {name: now for name, given in fields.items() if given}
    if not values:
        return
    if keep_earlier:
        session.execute(insert(NotifyContact).values(address=address).on_conflict_do_nothing())
        for name, value in values.items():
            column = getattr(NotifyContact, name)
            session.execute(
                update(NotifyContact)
                .where(NotifyContact.address == address, column.is_(None))
                .values({name: value})
            )
        return
    _upsert(session, address, values)


def contact(session: Session, address: str) -> NotifyContact | None:
    return session.scalars(select(NotifyContact).where(NotifyContact.address == address)).first()


def whatsapp_window_open(record: NotifyContact | None, now: datetime) -> bool:
    """Free text is allowed only within 24 hours of the person's last message."""
    return bool(
        record and record.last_inbound_at and now - record.last_inbound_at < WHATSAPP_WINDOW
    )


def phone_channel(record: NotifyContact | None, now: datetime) -> ChannelKind | None:
    """How a phone is reached: WhatsApp with its opt-in, else SMS with its consent, else not
    at all."""
    if record is None:
        return None
    if record.whatsapp_opt_in_at is not None:
        return ChannelKind.WHATSAPP
    if record.sms_opt_in_at is not None:
        return ChannelKind.SMS
    return None


def citizen_route(
    session: Session, reporter_contact: str | None, now: datetime | None = None
) -> tuple[str, ChannelKind] | None:
    """(address, channel) of a reporter who left a contact and agreed to hear how the report
    goes; None when not reachable."""
    now = now or datetime.now(UTC)
    address = normalize_address(reporter_contact or "")
    if address is None:
        return None
    record = contact(session, address)
    if record is None or record.reports_opt_in_at is None:
        return None
    if "@" in address:
        return address, ChannelKind.EMAIL
    kind = phone_channel(record, now)
    return (address, kind) if kind is not None else None


def erase_contact(session: Session, address: str) -> int:
    """Forget ``address`` in messaging: its consents, its subscriptions, and the ledger's copy
    of what was sent to it (the rows stay, masked, so that counts remain true). Returns the
    number of rows touched."""
    masked = mask_address(address)
    statements = [
        delete(NotifyContact).where(NotifyContact.address == address),
        delete(Subscription).where(Subscription.address == address),
        update(Delivery)
        .where(Delivery.recipient == address)
        .values(recipient=cast(Delivery.id, String) + ":" + masked, text=ERASED, details={}),
    ]
    touched = 0
    for statement in statements:
        result = session.execute(statement)
        assert isinstance(result, CursorResult)
        touched += result.rowcount
    return touched
