"""Water systems and the sources (captaciones) that feed them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, CheckConstraint, Computed, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from geodata.models.areas import AdminArea
from geodata.models.base import Base, created_at_column, point_column, str_enum, updated_at_column
from geodata.models.enums import EvidenceKind, SourceType, SystemType, WaterStatus
from geodata.models.providers import Provider


class StatusMixin:
    """The published traffic light and what it rests on; written only by aggregation."""

    status: Mapped[WaterStatus] = mapped_column(
        str_enum(WaterStatus, "water_status"), default=WaterStatus.GREY, server_default="grey"
    )
    status_evidence: Mapped[EvidenceKind] = mapped_column(
        str_enum(EvidenceKind, "evidence_kind"), default=EvidenceKind.NONE, server_default="none"
    )
    status_evidence_at: Mapped[datetime | None] = mapped_column(
        doc="When the newest evidence behind the status was observed."
    )
    status_reason: Mapped[str | None] = mapped_column(Text, doc="The reason, in Spanish.")
    status_reason_msg: Mapped[Any] = mapped_column(
        JSONB, nullable=True, doc="The reason as message ids with parameters (geodata.messages)."
    )
    status_updated_at: Mapped[datetime | None]
    # An unconfirmed citizen alert: one report of a serious problem, shown at once with its
    # health advice while the colour waits for official evidence, corroboration or the body.
    alert_category: Mapped[str | None] = mapped_column(String(40))
    alert_since: Mapped[datetime | None]


def status_table_args(table: str) -> tuple[Any, ...]:
    """Constraints and indexes of the status columns, one set per table that has them."""
    return (
        # "Near me": nearest neighbours in metres on the ground (KNN on geography).
        Index(f"ix_{table}_geog", text("(geom::geography)"), postgresql_using="gist"),
        CheckConstraint(
            "(status = 'grey') = (status_evidence = 'none')", name="grey_iff_no_evidence"
        ),
        CheckConstraint(
            "status_evidence = 'none' OR status_evidence_at IS NOT NULL",
            name="evidence_has_date",
        ),
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
        CheckConstraint("(alert_category IS NULL) = (alert_since IS NULL)", name="alert_has_date"),
    )


class WaterSystem(StatusMixin, Base):
    __tablename__ = "water_system"
    __table_args__ = (
        *status_table_args("water_system"),
        # fastupdate off: a search never scans a long list of entries waiting for VACUUM (after
        # a bulk load that made the array index 10 times slower); names rarely change.
        Index(
            "ix_water_system_search_words",
            "search_words",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(
        String(40), unique=True, doc="Public code, e.g. SIASAR-160421."
    )
    name: Mapped[str] = mapped_column(String(200))
    system_type: Mapped[SystemType] = mapped_column(
        str_enum(SystemType, "system_type"), default=SystemType.UNKNOWN
    )
    has_treatment: Mapped[bool | None]
    treatment_type: Mapped[str | None] = mapped_column(String(200))
    treatment_works: Mapped[bool | None]
    population_served: Mapped[int | None] = mapped_column(
        CheckConstraint("population_served >= 0", name="population_non_negative")
    )
    dwellings_served: Mapped[int | None] = mapped_column(
        CheckConstraint("dwellings_served >= 0", name="dwellings_non_negative")
    )
    communities: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    # The words the map's search box matches (geodata.search): of the name, code and
    # communities, in lower case without accents (yaku_search_words() of migration 0003).
    search_words: Mapped[list[str] | None] = mapped_column(
        ARRAY(Text), Computed("yaku_search_words(name, code, communities)", persisted=True)
    )
    water_in_dry_season: Mapped[bool | None]
    water_in_rainy_season: Mapped[bool | None]
    altitude_m: Mapped[int | None]
    built_year: Mapped[int | None] = mapped_column(
        CheckConstraint("built_year BETWEEN 1850 AND 2100", name="built_year_plausible")
    )
    surveyed_on: Mapped[date | None]
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider.id", ondelete="SET NULL"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_area.id", ondelete="RESTRICT"), index=True
    )
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("dataset.id"))
    external_id: Mapped[str | None] = mapped_column(String(60), doc="Id in the source dataset.")
    geom: Mapped[Any] = point_column()
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    provider: Mapped[Provider | None] = relationship()
    district: Mapped[AdminArea | None] = relationship()
    sources: Mapped[list[WaterSource]] = relationship(back_populates="system")


class WaterSource(StatusMixin, Base):
    __tablename__ = "water_source"
    __table_args__ = status_table_args("water_source")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    source_type: Mapped[SourceType] = mapped_column(
        str_enum(SourceType, "source_type"), default=SourceType.UNKNOWN
    )
    system_id: Mapped[int | None] = mapped_column(
        ForeignKey("water_system.id", ondelete="SET NULL"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_area.id", ondelete="RESTRICT"), index=True
    )
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("dataset.id"))
    external_id: Mapped[str | None] = mapped_column(String(60))
    geom: Mapped[Any] = point_column()
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    system: Mapped[WaterSystem | None] = relationship(back_populates="sources")
    district: Mapped[AdminArea | None] = relationship()
