"""Official evidence: who delivered which readings, and each system's monthly compliance.

A ``ReadingBatch`` is one delivery of official readings (an operator's round from the form or
the API, a logbook typed into a spreadsheet, a laboratory's results file): what came in, when,
from whom. It is private to staff: the public only ever sees "operador" or "laboratorio".

``SystemComplianceMonth`` holds, per system and calendar month (Peru time), the figures of the
chlorine rule of DS 031-2010-SA Art. 66 and the bacteriological results, computed in PostgreSQL
by ``geodata.evidence.compliance.refresh_systems`` from the official measurements.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models.base import Base, created_at_column

BATCH_KINDS = ("round", "logbook", "lab_file")


class ReadingBatch(Base):
    __tablename__ = "reading_batch"
    __table_args__ = (
        CheckConstraint("kind IN ('round', 'logbook', 'lab_file')", name="kind_known"),
        CheckConstraint("rows >= 0 AND loaded >= 0", name="counts_non_negative"),
        Index("ix_reading_batch_content_hash", "content_hash"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    idempotency_key: Mapped[str | None] = mapped_column(
        String(100), unique=True, doc="The client's key of a round (form or API)."
    )
    content_hash: Mapped[str] = mapped_column(
        String(64), doc="SHA-256 of a file's bytes, or of a round's normalised content."
    )
    file_name: Mapped[str | None] = mapped_column(String(255))
    rows: Mapped[int] = mapped_column(doc="Samples in the round, or data rows in the file.")
    loaded: Mapped[int] = mapped_column(doc="Measurements this batch stored.")
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("water_system.id", ondelete="SET NULL"), doc="The system of a round."
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(String(200), doc="Who delivered it, as the audit log says.")
    created_at: Mapped[datetime] = created_at_column()


class SystemComplianceMonth(Base):
    __tablename__ = "system_compliance_month"
    __table_args__ = (
        CheckConstraint(
            "chlorine_at_least_05 + chlorine_below_03 <= chlorine_samples",
            name="chlorine_counts_consistent",
        ),
        CheckConstraint("faecal_positive <= bacteriology_samples", name="faecal_consistent"),
        Index("ix_system_compliance_month_month", "month"),
    )

    system_id: Mapped[int] = mapped_column(
        ForeignKey("water_system.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(primary_key=True, doc="First day of the month, Peru time.")
    chlorine_samples: Mapped[int] = mapped_column(doc="Official free-chlorine samples, network.")
    chlorine_at_least_05: Mapped[int] = mapped_column(doc="Of them, at or above 0.5 mg/L.")
    chlorine_below_03: Mapped[int] = mapped_column(doc="Of them, below 0.3 mg/L.")
    chlorine_share: Mapped[float | None] = mapped_column(
        Float, doc="chlorine_at_least_05 / chlorine_samples (NULL without samples)."
    )
    chlorine_min: Mapped[float | None] = mapped_column(Float)
    chlorine_rule_met: Mapped[bool | None] = mapped_column(
        doc="Art. 66: >= 90 % of the samples at or above 0.5 mg/L and none below 0.3 mg/L."
    )
    enough_samples: Mapped[bool] = mapped_column(
        doc="At least YAKU_COMPLIANCE_MIN_SAMPLES network chlorine samples in the month."
    )
    bacteriology_samples: Mapped[int] = mapped_column(
        doc="Official E. coli, thermotolerant or total coliform results (not at the source)."
    )
    faecal_positive: Mapped[int] = mapped_column(doc="E. coli or thermotolerant coliforms found.")
    total_coliform_positive: Mapped[int] = mapped_column()
    complies: Mapped[bool] = mapped_column(
        doc="Chlorine rule met, enough samples, and no faecal indicator found."
    )
    operator_samples: Mapped[int] = mapped_column(doc="Official operator measurements (any).")
    lab_samples: Mapped[int] = mapped_column(doc="Laboratory results (any parameter).")
    last_sampled_at: Mapped[datetime]
    computed_at: Mapped[datetime] = created_at_column()
