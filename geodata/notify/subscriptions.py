"""Public subscriptions to a system's or a district's water status.

Anyone subscribes an e-mail (it counts once confirmed by the link we send) or a phone whose
WhatsApp or SMS consent is recorded (it counts at once). Every status notice carries a signed
one-click unsubscribe link (and, by e-mail, ``List-Unsubscribe`` with one-click POST, RFC 8058);
unsubscribing deletes the row. The answer never says whether an address was already
subscribed, and no address ever appears in a page or an API response.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geodata.errors import InvalidInput, NotFound
from geodata.models import (
    AdminArea,
    AreaLevel,
    ChannelKind,
    StatusChange,
    Subscription,
    WaterSystem,
)
from geodata.notify import contacts, texts, tokens
from geodata.notify.outbox import queue_message

CONFIRM_PATH = "/suscripcion/confirmar/"
UNSUBSCRIBE_PATH = "/suscripcion/baja/"


class InvalidSubscriptionAddress(InvalidInput):
    code = "invalid_subscription_address"
    message = "Write an e-mail address or a phone number."


class PhoneConsentRequired(InvalidInput):
    code = "phone_consent_required"
    message = (
        "To be told by WhatsApp or SMS, first send us a message from that phone (or subscribe "
        "with an e-mail)."
    )


class SubscriptionTargetNotFound(NotFound):
    code = "subscription_target_not_found"
    message = "There is no water system or district with that code."


class SubscriptionLinkInvalid(NotFound):
    code = "subscription_link_invalid"
    message = "This link is not valid, or the subscription no longer exists."


@dataclass(frozen=True, slots=True)
class Target:
    system_id: int | None
    district_id: int | None
    name: str
    code: str


def find_target(session: Session, *, system: str | None, district: str | None) -> Target:
    """A water system by code, or a district by ubigeo (exactly one)."""
    if bool(system) == bool(district):
        raise SubscriptionTargetNotFound()
    if system:
        row = session.scalars(select(WaterSystem).where(WaterSystem.code == system.strip())).first()
        if row is None:
            raise SubscriptionTargetNotFound()
        return Target(row.id, None, row.name, row.code)
    area = session.scalars(
        select(AdminArea).where(
            AdminArea.ubigeo_inei == (district or "").strip(), AdminArea.level == AreaLevel.DISTRICT
        )
    ).first()
    if area is None:
        raise SubscriptionTargetNotFound()
    return Target(None, area.id, area.name, area.ubigeo_inei)


def unsubscribe_url(subscription_id: int) -> str:
    return texts.url(UNSUBSCRIBE_PATH + tokens.sign(tokens.UNSUBSCRIBE, subscription_id))


def subscribe(
    session: Session,
    target: Target,
    address_text: str,
    language: str = "es",
    now: datetime | None = None,
) -> None:
    """Subscribe ``address_text`` to ``target``; an e-mail gets its confirmation link. Says
    nothing about earlier subscriptions of the same address."""
    now = now or datetime.now(UTC)
    address = contacts.normalize_address(address_text)
    if address is None:
        raise InvalidSubscriptionAddress()
    if "@" in address:
        channel = ChannelKind.EMAIL
        confirmed_at = None
    else:
        phone = contacts.phone_channel(contacts.contact(session, address), now)
        if phone is None:
            raise PhoneConsentRequired()
        channel, confirmed_at = phone, now  # consent is already recorded for this phone
    sub_id = session.execute(
        insert(Subscription)
        .values(
            system_id=target.system_id,
            district_id=target.district_id,
            channel=channel.value,
            address=address,
            language=language,
            confirmed_at=confirmed_at,
        )
        .on_conflict_do_nothing()
        .returning(Subscription.id)
    ).scalar_one_or_none()
    if sub_id is None or channel is not ChannelKind.EMAIL:
        return
    confirm = texts.url(CONFIRM_PATH + tokens.sign(tokens.CONFIRM, sub_id))
    subject, text = texts.confirm_subscription(
        target.name, confirm, unsubscribe_url(sub_id), language
    )
    queue_message(
        session,
        event_key=f"subscription:{sub_id}:confirm",
        recipient=address,
        channel=ChannelKind.EMAIL,
        subject=subject,
        text=text,
        language=language,
    )


def _subscription(session: Session, purpose: str, token: str) -> Subscription:
    ident = tokens.verify(purpose, token)
    row = session.get(Subscription, ident) if ident is not None else None
    if row is None:
        raise SubscriptionLinkInvalid()
    return row


def confirm(session: Session, token: str, now: datetime | None = None) -> Subscription:
    row = _subscription(session, tokens.CONFIRM, token)
    row.confirmed_at = row.confirmed_at or now or datetime.now(UTC)
    session.flush()
    return row


def unsubscribe(session: Session, token: str) -> None:
    """One click: the subscription is deleted (a second click says the link is spent)."""
    session.delete(_subscription(session, tokens.UNSUBSCRIBE, token))
    session.flush()


def notify_status_changes(session: Session, change_ids: Sequence[int]) -> int:
    """Tell the confirmed subscribers of each changed system (and of its district): one
    message per subscriber and batch, listing the systems when several changed at once (a
    full recompute must not flood a district's subscribers). Returns messages queued."""
    rows = session.execute(
        select(StatusChange, WaterSystem)
        .join(WaterSystem, StatusChange.system_id == WaterSystem.id)
        .where(StatusChange.id.in_(list(change_ids)))
        .order_by(StatusChange.id)
    ).all()
    if not rows:
        return 0
    systems = {system.id for _, system in rows}
    districts = {system.district_id for _, system in rows if system.district_id is not None}
    subscribers = session.scalars(
        select(Subscription)
        .where(
            Subscription.confirmed_at.is_not(None),
            or_(Subscription.system_id.in_(systems), Subscription.district_id.in_(districts)),
        )
        .order_by(Subscription.id)
    ).all()
    queued = 0
    for sub in subscribers:
        latest: dict[int, tuple[StatusChange, WaterSystem]] = {}
        for change, system in rows:  # in order: a system's last change is its news
            if sub.system_id == system.id or (
                sub.district_id is not None and sub.district_id == system.district_id
            ):
                latest[system.id] = (change, system)
        mine = list(latest.values())
        if mine:
            _announce(session, sub, mine)
            queued += 1
    return queued


def _announce(
    session: Session, sub: Subscription, changes: list[tuple[StatusChange, WaterSystem]]
) -> None:
    leave = unsubscribe_url(sub.id)
    if len(changes) == 1:
        change, system = changes[0]
        event_key = f"status:{change.id}"
        subject, text = texts.status_change(
            system.name, system.code, change.status, change.reason, leave, sub.language
        )
    else:
        ids = ",".join(str(change.id) for change, _ in changes)
        event_key = f"status:batch:{hashlib.sha256(ids.encode()).hexdigest()[:24]}"
        subject, text = texts.status_changes(
            [(system.name, system.code, change.status) for change, system in changes],
            leave,
            sub.language,
        )
    headers = (
        {"List-Unsubscribe": f"<{leave}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        if ChannelKind(sub.channel) is ChannelKind.EMAIL
        else {}
    )
    queue_message(
        session,
        event_key=event_key,
        recipient=sub.address,
        channel=sub.channel,
        subject=subject,
        text=text,
        language=sub.language,
        details={"headers": headers} if headers else None,
    )
