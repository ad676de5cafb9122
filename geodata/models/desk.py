"""What the provider desk keeps besides reports: response templates and signed answer links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models.base import Base, created_at_column, str_enum, updated_at_column
from geodata.models.enums import ReportStatus


class ResponseTemplate(Base):
    """A ready answer for a status (FixMyStreet's response templates).

    ``provider_id`` NULL is the default set shipped with Yaku (plain Spanish); a body's own
    copy of a template, with the same ``key``, replaces the default for that body.
    """

    __tablename__ = "response_template"
    __table_args__ = (
        Index(
            "uq_response_template_provider_key",
            "provider_id",
            "key",
            "language",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint("language IN ('es', 'en', 'qu')", name="language_known"),
        CheckConstraint("length(body) > 0", name="body_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40), doc="Stable name: received, scheduled...")
    language: Mapped[str] = mapped_column(String(2), default="es", server_default="es")
    status: Mapped[ReportStatus | None] = mapped_column(
        str_enum(ReportStatus, "response_template_status"),
        doc="The status the answer goes with (NULL: a note that keeps the status).",
    )
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class AnswerLink(Base):
    """A signed, expiring, single-use link that lets a body answer one report without signing in.

    The token carries its id and expiry under an HMAC (tampering is detected without the
    database); this row records that it exists for that report and body, and when it was spent.
    """

    __tablename__ = "answer_link"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_for: Mapped[str | None] = mapped_column(String(40))
