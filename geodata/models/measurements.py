"""Water-quality parameters (Peru DS 031-2010-SA limits) and measurements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from geodata.models.base import Base, created_at_column, str_enum
from geodata.models.enums import Compliance, MeasuredBy, MeasurementMethod, SamplePoint


class Parameter(Base):
    __tablename__ = "parameter"
    __table_args__ = (
        CheckConstraint(
            "peru_min IS NULL OR peru_max IS NULL OR peru_min <= peru_max", name="limits_ordered"
        ),
    )

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_es: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(40), default="", server_default="")
    peru_min: Mapped[float | None] = mapped_column(Float)
    peru_max: Mapped[float | None] = mapped_column(Float)
    who_value: Mapped[str | None] = mapped_column(Text)
    field_test: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)


class Measurement(Base):
    __tablename__ = "measurement"
    __table_args__ = (
        CheckConstraint(
            "num_nonnulls(system_id, source_id, report_id) >= 1", name="linked_to_something"
        ),
        CheckConstraint(
            "value = value AND value < 'Infinity' AND value > '-Infinity'", name="value_finite"
        ),
        CheckConstraint(
            "measured_by <> 'lab' OR method = 'lab'", name="lab_results_use_lab_method"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    parameter_code: Mapped[str] = mapped_column(
        ForeignKey("parameter.code", ondelete="RESTRICT"), index=True
    )
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40))
    method: Mapped[MeasurementMethod] = mapped_column(
        str_enum(MeasurementMethod, "measurement_method")
    )
    sample_point: Mapped[SamplePoint | None] = mapped_column(str_enum(SamplePoint, "sample_point"))
    measured_by: Mapped[MeasuredBy] = mapped_column(str_enum(MeasuredBy, "measured_by"))
    sampled_at: Mapped[datetime]
    compliance: Mapped[Compliance] = mapped_column(
        str_enum(Compliance, "compliance"), default=Compliance.UNKNOWN, server_default="unknown"
    )
    explanation: Mapped[str | None] = mapped_column(Text, doc="Plain-Spanish reading of the value.")
    explanation_msg: Mapped[Any] = mapped_column(
        JSONB,
        nullable=True,
        doc="The same as a message, shown in the reader's language (geodata.messages).",
    )
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("water_system.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("water_source.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), index=True
    )
    record_source: Mapped[str] = mapped_column(
        Text, doc="Where the record came from: 'citizen report', a lab sheet, a dataset name."
    )
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("dataset.id"))
    # Official readings (geodata/evidence): the delivery they came in, and the natural key that
    # makes a second delivery of the same reading change nothing ("lab:<sample>:<parameter>",
    # "op:<system>:<point>:<time>:<parameter>").
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("reading_batch.id", ondelete="CASCADE"), index=True
    )
    record_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    sample_id: Mapped[str | None] = mapped_column(String(60), doc="The laboratory's sample id.")
    created_at: Mapped[datetime] = created_at_column()

    parameter: Mapped[Parameter] = relationship()
