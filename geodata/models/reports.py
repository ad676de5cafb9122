"""Citizen reports and their recorded updates (lifecycle as in FixMyStreet / Open311)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from geodata.models.base import Base, created_at_column, point_column, str_enum
from geodata.models.enums import ActorKind, ReportCategory, ReportStatus
from geodata.opendata.privacy import mask_contacts


class Report(Base):
    """A citizen's report. ``reporter_*`` columns are private: never published."""

    __tablename__ = "report"
    __table_args__ = (
        CheckConstraint("geom IS NOT NULL OR location_code IS NOT NULL", name="has_location"),
        CheckConstraint(
            "status <> 'rejected' OR rejection_reason IS NOT NULL", name="rejection_has_reason"
        ),
        CheckConstraint(
            "duplicate_of_id IS NULL OR duplicate_of_id <> id", name="not_own_duplicate"
        ),
        CheckConstraint("language IN ('es', 'en', 'qu')", name="language_known"),
        Index(
            "ix_report_unprocessed",
            "received_at",
            postgresql_where=text("status = 'received'"),
        ),
        Index(
            "ix_report_awaiting_answer",
            "due_at",
            postgresql_where=text("status = 'validated' AND overdue_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(12), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64), doc="SHA-256 of the submitted content.")
    category: Mapped[ReportCategory] = mapped_column(str_enum(ReportCategory, "report_category"))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    public_description: Mapped[str | None] = mapped_column(
        Text,
        doc="The description as published: contacts masked (geodata.opendata.privacy). Set "
        "with the description, and by validation for reports stored by the raw intake.",
    )
    language: Mapped[str] = mapped_column(String(2), default="es", server_default="es")
    geom: Mapped[Any] = point_column(nullable=True)
    location_code: Mapped[str | None] = mapped_column(
        String(40), doc="System or source code given instead of coordinates."
    )
    submitted_measurements: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default="[]"
    )
    status: Mapped[ReportStatus] = mapped_column(
        str_enum(ReportStatus, "report_status"), default=ReportStatus.RECEIVED, index=True
    )
    rejection_reason: Mapped[str | None] = mapped_column(Text, doc="In the report's language.")
    rejection_reason_msg: Mapped[Any] = mapped_column(
        JSONB,
        nullable=True,
        doc="The reason as a message, shown in the reader's language (geodata.messages).",
    )
    validation_notes: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("water_system.id", ondelete="SET NULL"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("water_source.id", ondelete="SET NULL"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_area.id", ondelete="RESTRICT"), index=True
    )
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider.id", ondelete="SET NULL"), index=True, doc="Responsible provider."
    )
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("report.id", ondelete="SET NULL"), index=True
    )
    photo_path: Mapped[str | None] = mapped_column(String(200))
    thumbnail_path: Mapped[str | None] = mapped_column(String(200))
    # Private: who reported. Shown only to the responsible body, never published.
    reporter_contact: Mapped[str | None] = mapped_column(Text)
    reporter_fingerprint: Mapped[str | None] = mapped_column(
        String(64), index=True, doc="Salted hash of device id or contact, for rate limiting."
    )
    network_fingerprint: Mapped[str | None] = mapped_column(
        String(64), doc="Salted hash of the network address it came from (corroboration)."
    )
    received_at: Mapped[datetime] = created_at_column()
    validated_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None] = mapped_column(
        doc="When the responsible provider was notified (separate from the public status)."
    )
    closed_at: Mapped[datetime | None]
    is_urgent: Mapped[bool] = mapped_column(
        default=False, server_default="false", doc="Suspected contamination, no water, red reading."
    )
    due_at: Mapped[datetime | None] = mapped_column(
        doc="When the responsible body must have acknowledged it (set at validation)."
    )
    overdue_at: Mapped[datetime | None] = mapped_column(
        doc="When it was found unacknowledged past due_at and escalated to the district's ATM."
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(
        doc="When the responsible body confirmed the problem (it then counts for the colour)."
    )
    enqueued_at: Mapped[datetime | None]
    validation_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    validation_error: Mapped[str | None] = mapped_column(
        Text, doc="Why validation failed every time (shown to moderators)."
    )
    updated_at: Mapped[datetime] = created_at_column()

    updates: Mapped[list[ReportUpdate]] = relationship(
        back_populates="report", order_by="ReportUpdate.id", cascade="all, delete-orphan"
    )

    @validates("description")
    def _keep_public_text(self, _key: str, value: str | None) -> str | None:
        # Whoever sets a description (validation, a moderator's edit, a factory) sets the
        # public text with it: one rule, computed once, read by every public view.
        self.public_description = mask_contacts(value or "")
        return value


class ReportUpdate(Base):
    """One recorded change of a report: who, when, what status, and a note."""

    __tablename__ = "report_update"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ReportStatus | None] = mapped_column(
        str_enum(ReportStatus, "report_update_from_status")
    )
    to_status: Mapped[ReportStatus] = mapped_column(
        str_enum(ReportStatus, "report_update_to_status")
    )
    actor_kind: Mapped[ActorKind] = mapped_column(str_enum(ActorKind, "actor_kind"))
    actor_name: Mapped[str | None] = mapped_column(
        String(200), doc="Organisation or role that acted; never a citizen's name."
    )
    actor_role: Mapped[str | None] = mapped_column(String(40), doc="Role the person acted in.")
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"),
        index=True,
        doc="The person who acted (private: public answers carry the body's name).",
    )
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider.id", ondelete="SET NULL"), doc="The body the person acted for."
    )
    channel: Mapped[str] = mapped_column(
        String(20), default="system", server_default="system", doc="desk, api, link, worker..."
    )
    note: Mapped[str | None] = mapped_column(Text)
    note_msg: Mapped[Any] = mapped_column(
        JSONB, nullable=True, doc="Yaku's own notes as a message, shown in the reader's language."
    )
    is_public: Mapped[bool] = mapped_column(default=True, server_default="true")
    created_at: Mapped[datetime] = created_at_column()

    report: Mapped[Report] = relationship(back_populates="updates")
