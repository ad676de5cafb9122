"""Messages to people and what they agreed to: the delivery ledger, phone and e-mail contacts
(consent, WhatsApp's 24-hour window), public subscriptions, and the "is it fixed?" follow-ups.

Every row here holds private data (addresses): nothing of it is ever published; the desk shows
recipients masked (``geodata.notify.base.mask_address``).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models.base import Base, created_at_column, str_enum, updated_at_column


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class ChannelKind(enum.StrEnum):
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    SMS = "sms"
    WEBHOOK = "webhook"
    LOG = "log"


class Delivery(Base):
    """One message to one recipient, and what became of it (the delivery ledger).

    ``(event_key, recipient)`` is unique: the same event never reaches the same person twice,
    however often the rule that queues it runs. A Celery task per row (``notify.deliver``)
    claims it, sends it, and records the outcome.
    """

    __tablename__ = "notify_delivery"
    __table_args__ = (
        Index("uq_notify_delivery_event_recipient", "event_key", "recipient", unique=True),
        Index(
            "ix_notify_delivery_pending",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        CheckConstraint("status <> 'failed' OR error IS NOT NULL", name="failure_has_error"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_key: Mapped[str] = mapped_column(
        String(160), doc="What happened, e.g. report:42:urgent, digest:7:2026-12-01."
    )
    recipient: Mapped[str] = mapped_column(
        String(320), doc="Private: an e-mail, an E.164 phone or a webhook URL."
    )
    channel: Mapped[ChannelKind] = mapped_column(str_enum(ChannelKind, "notify_channel"))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(
        JSONB,
        default=dict,
        server_default="{}",
        doc="headers (e-mail), template and params (WhatsApp), data (webhooks).",
    )
    language: Mapped[str] = mapped_column(String(2), default="es", server_default="es")
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "notify_delivery_status"),
        default=DeliveryStatus.PENDING,
        server_default=DeliveryStatus.PENDING.value,
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text, doc="The last failure (no address in it).")
    sent_via: Mapped[str | None] = mapped_column(
        String(20), doc="The channel that handed it over (smtp, log, whatsapp...)."
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("report.id", ondelete="SET NULL"), index=True
    )
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider.id", ondelete="SET NULL"),
        index=True,
        doc="The body whose desk shows this delivery (notices about its reports).",
    )
    next_attempt_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class NotifyContact(Base):
    """What one phone or e-mail agreed to, and when it last wrote to us.

    ``last_inbound_at`` is set by the inbound webhooks (a message from that number): WhatsApp
    allows free text only within 24 hours of it, an approved template after. The row is erased
    with the contact (``yaku erase-contact``).
    """

    __tablename__ = "notify_contact"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    address: Mapped[str] = mapped_column(
        String(320), unique=True, doc="Private: E.164 phone or lower-case e-mail."
    )
    reports_opt_in_at: Mapped[datetime | None] = mapped_column(
        doc="Agreed to be told how its own reports go."
    )
    whatsapp_opt_in_at: Mapped[datetime | None] = mapped_column(
        doc="Agreed to receive WhatsApp messages (required for templates)."
    )
    sms_opt_in_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None] = mapped_column(
        doc="Its last WhatsApp message to us (WhatsApp's 24-hour window)."
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Subscription(Base):
    """Someone who wants to know when a system's or a district's water status changes.

    E-mail subscriptions count once confirmed by their link; phones only with consent recorded.
    Unsubscribing deletes the row.
    """

    __tablename__ = "notify_subscription"
    __table_args__ = (
        CheckConstraint(
            "(system_id IS NULL) <> (district_id IS NULL)", name="one_system_or_district"
        ),
        Index(
            "uq_notify_subscription_target_address",
            "system_id",
            "district_id",
            "channel",
            "address",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint("language IN ('es', 'en', 'qu')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("water_system.id", ondelete="CASCADE"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_area.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[ChannelKind] = mapped_column(
        str_enum(ChannelKind, "notify_subscription_channel")
    )
    address: Mapped[str] = mapped_column(String(320), doc="Private.")
    language: Mapped[str] = mapped_column(String(2), default="es", server_default="es")
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()


class ReportNotice(Base):
    """A body was told of a report (its urgent notice, or the digest that listed it): the rules
    tell each body once, and a body a report is handed to gets its own notice."""

    __tablename__ = "notify_report_notice"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True
    )
    notified_at: Mapped[datetime] = created_at_column()


class FollowUp(Base):
    """The one "is it really fixed?" question a resolved report's reporter is asked."""

    __tablename__ = "notify_followup"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    asked_at: Mapped[datetime] = created_at_column()
    answer: Mapped[str | None] = mapped_column(String(10), doc="fixed or not_fixed.")
    answered_at: Mapped[datetime | None]
