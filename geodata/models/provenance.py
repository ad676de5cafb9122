"""Provenance of every loaded dataset: what it is, its licence and who to credit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models.base import Base, created_at_column


class Dataset(Base):
    __tablename__ = "dataset"
    __table_args__ = (CheckConstraint("record_count >= 0", name="record_count_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(String(60))
    attribution: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, doc="File name or URL the records came from.")
    checksum: Mapped[str] = mapped_column(String(64), doc="SHA-256 of the loaded file.")
    record_count: Mapped[int] = mapped_column(default=0)
    loaded_at: Mapped[datetime] = created_at_column()
