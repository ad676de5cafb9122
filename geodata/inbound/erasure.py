"""Forget a phone number or an e-mail address everywhere Yaku keeps it (``yaku erase-contact``).

* reports: the private reporter contact is cleared (the report stays, anonymous), and the
  number or address is blanked out of the reporter's own description;
* inbound messages: sender, text, location and the gateway's payload are cleared; the
  gateway's message id stays, so a late retry of that message is still recognised; other
  people's messages that mention the contact lose it;
* the last report noticed to the number is forgotten;
* messaging (``geodata.notify.contacts.erase_contact``): consents and the WhatsApp window,
  subscriptions, and the delivery ledger's copies of what was sent to it.

Phones are matched on their digits however they were typed (``987 654 321``, ``+51987654321``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from geodata.accounts import audit
from geodata.accounts.identifiers import normalize_email, normalize_phone, parse_identifier
from geodata.models import InboundMessage, NoticeTarget, Report
from geodata.notify import contacts as notify_contacts
from geodata.notify.base import mask_address

ERASED = "[borrado]"


@dataclass(frozen=True, slots=True)
class Contact:
    """The contact to forget: an e-mail address, or a phone with the digit strings it may have
    been written as (international and national)."""

    kind: str  # email, phone
    value: str  # normalised: lower-case e-mail, E.164 phone
    digits: tuple[str, ...] = ()

    @property
    def masked(self) -> str:
        return mask_address(self.value)


def contact_of(text: str) -> Contact:
    """Raises ``InvalidIdentifier`` (400) when ``text`` is neither an e-mail nor a phone."""
    identifier = parse_identifier(text)
    if identifier.kind == "email":
        return Contact("email", normalize_email(identifier.value))
    e164 = normalize_phone(identifier.value)
    national = str(phonenumbers.parse(e164).national_number)
    return Contact("phone", e164, (e164.lstrip("+"), national))


Eraser = Callable[[Session, Contact], int]


def _digits(column: Any) -> Any:
    return func.regexp_replace(column, "[^0-9]", "", "g")


def _matches(column: Any, contact: Contact) -> Any:
    if contact.kind == "email":
        return func.lower(func.trim(column)) == contact.value
    return _digits(column).in_(contact.digits)


def erase_report_contacts(session: Session, contact: Contact) -> int:
    result = session.execute(
        update(Report)
        .where(Report.reporter_contact.is_not(None), _matches(Report.reporter_contact, contact))
        .values(reporter_contact=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _typed(contact: Contact) -> re.Pattern[str]:
    """The contact as people type it inside a text: digits with spaces, dots or dashes."""
    if contact.kind == "email":
        return re.compile(re.escape(contact.value), re.IGNORECASE)
    national = contact.digits[1]
    spaced = r"[\s.\-]*".join(re.escape(d) for d in national)
    return re.compile(rf"(?:\+?\s*{contact.digits[0][: -len(national)]}[\s.\-]*)?{spaced}")


def erase_from_descriptions(session: Session, contact: Contact) -> int:
    """The reporter's own words keep everything but the contact (public text follows)."""
    if contact.kind == "email":
        found = Report.description.ilike(f"%{contact.value}%")
    else:
        found = _digits(Report.description).contains(contact.digits[1])
    pattern = _typed(contact)
    changed = 0
    for report in session.scalars(select(Report).where(found)):
        cleaned = pattern.sub(ERASED, report.description)
        if cleaned != report.description:
            report.description = cleaned  # the model recomputes the public text
            changed += 1
    return changed


def erase_inbound_messages(session: Session, contact: Contact) -> int:
    """The contact's own messages lose everything but their ids; other people's messages that
    mention it lose it from their text (and their payload, which repeats the text)."""
    erased = 0
    if contact.kind == "phone":
        result = session.execute(
            update(InboundMessage)
            .where(InboundMessage.sender == contact.value)
            .values(sender=None, text=None, lon=None, lat=None, payload=None)
            .execution_options(synchronize_session=False)
        )
        erased = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if contact.kind == "email":
        found = InboundMessage.text.ilike(f"%{contact.value}%")
    else:
        found = _digits(InboundMessage.text).contains(contact.digits[1])
    pattern = _typed(contact)
    for message in session.scalars(select(InboundMessage).where(found)):
        cleaned = pattern.sub(ERASED, message.text or "")
        if cleaned != message.text:
            message.text, message.payload = cleaned, None
            erased += 1
    return erased


def erase_notice_targets(session: Session, contact: Contact) -> int:
    if contact.kind != "phone":
        return 0
    result = session.execute(
        delete(NoticeTarget)
        .where(NoticeTarget.phone == contact.value)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def erase_messaging(session: Session, contact: Contact) -> int:
    return notify_contacts.erase_contact(session, contact.value)


ERASERS: dict[str, Eraser] = {
    "report contacts": erase_report_contacts,
    "report descriptions": erase_from_descriptions,
    "inbound messages": erase_inbound_messages,
    "notice targets": erase_notice_targets,
    "messaging": erase_messaging,  # consents, subscriptions, sent messages
}


@dataclass
class Erasure:
    contact: Contact
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def render(self) -> str:
        parts = ", ".join(f"{name}: {count}" for name, count in self.counts.items())
        return f"erased {self.contact.masked}: {parts}"


def erase_contact(session: Session, text: str, *, who: str = "cli") -> Erasure:
    """Erase ``text`` (a phone or an e-mail) everywhere; flushes, the caller commits."""
    contact = contact_of(text)
    erasure = Erasure(contact)
    for name, eraser in ERASERS.items():
        erasure.counts[name] = eraser(session, contact)
    session.flush()
    audit.record(
        session,
        "contact.erased",
        who,
        subject_type="contact",
        subject_id=contact.masked,
        **erasure.counts,
    )
    return erasure
