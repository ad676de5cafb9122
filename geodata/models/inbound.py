"""Messages that arrive by WhatsApp or SMS, and the last report noticed to each phone.

Both hold phone numbers: private data, never published, masked in logs and erased on request
(``yaku erase-contact``). An erased message keeps its gateway and id (so a gateway's late retry
is still recognised as a repeat) and loses everything else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models.base import Base, created_at_column

GATEWAYS = ("whatsapp", "twilio", "flow")
KINDS = ("text", "location", "other")


class InboundMessage(Base):
    """One message from a gateway, stored once: ``(gateway, message_id)`` is unique, so a
    gateway that retries (it did not see our answer in time) is recognised and ignored."""

    __tablename__ = "inbound_message"
    __table_args__ = (
        CheckConstraint(f"gateway IN {GATEWAYS!r}", name="gateway_known"),
        CheckConstraint(f"kind IN {KINDS!r}", name="kind_known"),
        CheckConstraint("(lon IS NULL) = (lat IS NULL)", name="lon_lat_together"),
        Index("uq_inbound_message_gateway_message_id", "gateway", "message_id", unique=True),
        Index("ix_inbound_message_sender_received_at", "sender", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20))
    message_id: Mapped[str] = mapped_column(String(200), doc="The gateway's own id.")
    sender: Mapped[str | None] = mapped_column(
        String(20), doc="Private: the phone in E.164. NULL once erased."
    )
    kind: Mapped[str] = mapped_column(String(20), default="text", server_default="text")
    text: Mapped[str | None] = mapped_column(Text, doc="Private: what the person wrote.")
    lon: Mapped[float | None]
    lat: Mapped[float | None]
    payload: Mapped[Any] = mapped_column(
        JSONB, nullable=True, doc="Private: the gateway's request as received, for diagnosis."
    )
    outcome: Mapped[str | None] = mapped_column(
        String(30), doc="report, status, answer, help, waiting, paired, ignored."
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("report.id", ondelete="SET NULL"), index=True
    )
    paired_at: Mapped[datetime | None] = mapped_column(
        doc="When a waiting text or location was joined with its other half into a report."
    )
    received_at: Mapped[datetime] = created_at_column()


class NoticeTarget(Base):
    """The last report whose notice went to a phone: a numbered reply without a tracking code
    (``3 cambiamos la tubería``) answers that report. Written by the outbound notices through
    ``geodata.inbound.notices.remember_notice``."""

    __tablename__ = "inbound_notice_target"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True, doc="Private (E.164).")
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    noticed_at: Mapped[datetime] = created_at_column()
