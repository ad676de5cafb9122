"""Named places shown on the map when there is no base map: the provincial capitals."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models.base import Base, point_column


class Place(Base):
    """A populated place with a name (e.g. a provincial capital, IDEP-2016)."""

    __tablename__ = "place"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(
        String(40), unique=True, doc="Stable key, e.g. capital-130100 (the province's ubigeo)."
    )
    kind: Mapped[str] = mapped_column(String(40), doc="provincial_capital, ...")
    name: Mapped[str] = mapped_column(String(120), doc="As people write it, with accents.")
    province: Mapped[str | None] = mapped_column(String(120))
    district: Mapped[str | None] = mapped_column(String(120))
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("dataset.id"))
    geom: Mapped[Any] = point_column()
