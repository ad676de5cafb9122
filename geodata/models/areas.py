"""Administrative areas of Peru: department, province, district (INEI and RENIEC ubigeo)."""

from __future__ import annotations

from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from geodata.models.base import SRID, Base, str_enum
from geodata.models.enums import AreaLevel


class AdminArea(Base):
    __tablename__ = "admin_area"
    __table_args__ = (
        CheckConstraint("ubigeo_inei ~ '^[0-9]{6}$'", name="ubigeo_inei_six_digits"),
        CheckConstraint(
            "ubigeo_reniec IS NULL OR ubigeo_reniec ~ '^[0-9]{6}$'",
            name="ubigeo_reniec_six_digits",
        ),
        CheckConstraint(
            "(level = 'department') = (parent_id IS NULL)", name="only_departments_are_roots"
        ),
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[AreaLevel] = mapped_column(str_enum(AreaLevel, "area_level"), index=True)
    ubigeo_inei: Mapped[str] = mapped_column(String(6), unique=True)
    ubigeo_reniec: Mapped[str | None] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    capital: Mapped[str | None] = mapped_column(String(120))
    natural_region: Mapped[str | None] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_area.id", ondelete="RESTRICT"), index=True
    )
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("dataset.id"))
    geom: Mapped[Any] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True), nullable=False
    )

    reference_geom: Mapped[Any] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False),
        nullable=True,
        doc="INEI-2007 limits of the same area: a second source that breaks ties where the "
        "primary (mapsPERU) polygons of neighbours overlap.",
    )

    parent: Mapped[AdminArea | None] = relationship(remote_side=[id])
