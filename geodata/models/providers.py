"""Service providers: community boards (JASS), municipalities (ATM) and utilities (EPS)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models.base import Base, created_at_column, str_enum
from geodata.models.enums import ProviderKind


class Provider(Base):
    """Who runs a water system. Its contacts are public: citizens need to reach it."""

    __tablename__ = "provider"
    __table_args__ = (
        UniqueConstraint(
            "kind",
            "name",
            "district_id",
            name="uq_provider_kind_name_district",
            postgresql_nulls_not_distinct=True,
        ),
        Index(
            "uq_provider_district_atm",
            "district_id",
            unique=True,
            postgresql_where=text("is_district_atm"),
        ),
        CheckConstraint(
            "NOT is_district_atm OR (kind = 'municipality' AND district_id IS NOT NULL)",
            name="atm_is_a_district_municipality",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ProviderKind] = mapped_column(str_enum(ProviderKind, "provider_kind"))
    name: Mapped[str] = mapped_column(String(200))
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_area.id", ondelete="RESTRICT"), index=True
    )
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_whatsapp: Mapped[str | None] = mapped_column(String(40))
    office_hours: Mapped[str | None] = mapped_column(String(200))
    contact_updated_at: Mapped[datetime | None] = mapped_column(
        doc="When the body last filled or corrected its public contact details."
    )
    is_district_atm: Mapped[bool] = mapped_column(
        default=False,
        server_default="false",
        doc="The district municipality's ATM: where unrouted and escalated reports go.",
    )
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("dataset.id"))
    created_at: Mapped[datetime] = created_at_column()
