"""What aggregation derives: the status history of systems/sources and district indicators."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Index, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models.base import Base, created_at_column, str_enum
from geodata.models.enums import EvidenceKind, WaterStatus


class StatusChange(Base):
    """One change of a system's or source's traffic light, for its history chart."""

    __tablename__ = "status_change"
    __table_args__ = (
        CheckConstraint("num_nonnulls(system_id, source_id) = 1", name="one_subject"),
        Index("ix_status_change_system_changed", "system_id", "changed_at"),
        Index("ix_status_change_source_changed", "source_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    system_id: Mapped[int | None] = mapped_column(ForeignKey("water_system.id", ondelete="CASCADE"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("water_source.id", ondelete="CASCADE"))
    status: Mapped[WaterStatus] = mapped_column(str_enum(WaterStatus, "status_change_status"))
    evidence: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, "status_change_evidence"))
    evidence_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    reason_msg: Mapped[Any] = mapped_column(
        JSONB, nullable=True, doc="The reason as a message (geodata.messages)."
    )
    changed_at: Mapped[datetime] = created_at_column()


class DistrictIndicator(Base):
    """Per-district figures, recomputed by aggregation (incrementally and on a schedule)."""

    __tablename__ = "district_indicator"
    __table_args__ = (
        CheckConstraint("green + yellow + red + grey = systems", name="colours_add_up"),
        CheckConstraint(
            "systems >= 0 AND population_served >= 0 AND open_reports >= 0",
            name="counts_non_negative",
        ),
    )

    district_id: Mapped[int] = mapped_column(
        ForeignKey("admin_area.id", ondelete="CASCADE"), primary_key=True
    )
    systems: Mapped[int] = mapped_column(default=0)
    population_served: Mapped[int] = mapped_column(BigInteger, default=0)
    green: Mapped[int] = mapped_column(default=0)
    yellow: Mapped[int] = mapped_column(default=0)
    red: Mapped[int] = mapped_column(default=0)
    grey: Mapped[int] = mapped_column(default=0)
    open_reports: Mapped[int] = mapped_column(default=0)
    median_hours_to_acknowledge: Mapped[float | None] = mapped_column(Float)
    median_hours_to_resolve: Mapped[float | None] = mapped_column(Float)
    overdue_reports: Mapped[int] = mapped_column(default=0, server_default="0")
    # Official evidence (geodata/evidence/compliance.py): the last complete month (Peru time)
    # under DS 031-2010-SA Art. 66, and the systems whose last official reading is too old.
    compliance_month: Mapped[date | None]
    systems_sampled: Mapped[int] = mapped_column(default=0, server_default="0")
    systems_enough_samples: Mapped[int] = mapped_column(default=0, server_default="0")
    systems_chlorine_ok: Mapped[int] = mapped_column(default=0, server_default="0")
    systems_faecal_detected: Mapped[int] = mapped_column(default=0, server_default="0")
    systems_compliant: Mapped[int] = mapped_column(default=0, server_default="0")
    chlorine_samples: Mapped[int] = mapped_column(default=0, server_default="0")
    systems_stale: Mapped[int] = mapped_column(
        default=0, server_default="0", doc="No official reading within the configured age."
    )
    computed_at: Mapped[datetime] = created_at_column()

    def share(self, colour: WaterStatus) -> float:
        return getattr(self, colour.value) / self.systems if self.systems else 0.0


class ProviderIndicator(Base):
    """How a body answers: reports it holds, how fast it acknowledges and resolves them."""

    __tablename__ = "provider_indicator"
    __table_args__ = (
        CheckConstraint(
            "received_reports >= 0 AND open_reports >= 0 AND overdue_reports >= 0 "
            "AND acknowledged_in_time >= 0 AND resolved_reports >= 0",
            name="counts_non_negative",
        ),
    )

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True
    )
    received_reports: Mapped[int] = mapped_column(default=0, doc="Validated reports routed to it.")
    open_reports: Mapped[int] = mapped_column(default=0)
    overdue_reports: Mapped[int] = mapped_column(default=0, doc="Open and past their due time.")
    acknowledged_in_time: Mapped[int] = mapped_column(default=0)
    resolved_reports: Mapped[int] = mapped_column(default=0)
    median_hours_to_acknowledge: Mapped[float | None] = mapped_column(Float)
    median_hours_to_resolve: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = created_at_column()
