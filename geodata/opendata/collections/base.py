"""What a collection is: a FROM clause, named SQL expressions for its properties, its filters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import DateTime, FromClause, cast, func
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import ColumnElement

from geodata.models import EvidenceKind, WaterStatus

_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")

# A mapped attribute (WaterSystem.code) or any SQL expression built from them.
SQLExpression = ColumnElement[Any] | QueryableAttribute[Any]


def utc_midnight(day: SQLExpression) -> ColumnElement[Any]:
    return func.timezone("UTC", cast(day, DateTime(timezone=False)))


@dataclass(frozen=True, slots=True)
class Filter:
    """A query parameter filtering on one column; ``choices`` makes it a closed vocabulary."""

    name: str
    column: SQLExpression
    description: str
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Collection:
    id: str
    title: str
    description: str
    keywords: tuple[str, ...]
    licence: str
    attribution: str
    from_clause: FromClause
    key: SQLExpression  # stable integer order for paging
    feature_id: SQLExpression
    geometry: SQLExpression
    geometry_type: str
    temporal: SQLExpression | None
    temporal_description: str
    properties: dict[str, SQLExpression]
    property_types: dict[str, str]
    where: tuple[SQLExpression, ...] = ()
    filters: dict[str, Filter] = field(default_factory=dict)
    # Points are inside a box iff their bounding boxes overlap: '&&' alone is exact and uses the
    # GiST index. Polygons need ST_Intersects after it.
    points: bool = True
    wpdx: bool = False

    def __post_init__(self) -> None:
        bad = [k for k in self.properties if not _KEY.match(k)]
        if bad:
            raise ValueError(f"property names must be identifiers: {bad}")


def values_of(enum_cls: Any) -> tuple[str, ...]:
    return tuple(m.value for m in enum_cls)


def area_filters(district: Any, province: Any) -> dict[str, Filter]:
    return {
        "district": Filter("district", district.ubigeo_inei, "District INEI ubigeo, e.g. 130101"),
        "province": Filter("province", province.ubigeo_inei, "Province INEI ubigeo, e.g. 130100"),
    }


def status_properties(model: Any) -> dict[str, SQLExpression]:
    return {
        "status": model.status,
        "status_evidence": model.status_evidence,
        "status_evidence_at": model.status_evidence_at,
        "status_reason": model.status_reason,
        "status_updated_at": model.status_updated_at,
    }


def status_filters(model: Any) -> dict[str, Filter]:
    return {
        "status": Filter("status", model.status, "Traffic light", values_of(WaterStatus)),
        "evidence": Filter(
            "evidence", model.status_evidence, "What the status rests on", values_of(EvidenceKind)
        ),
    }


STATUS_TYPES = {
    "status": "string",
    "status_evidence": "string",
    "status_evidence_at": "date-time",
    "status_reason": "string",
    "status_updated_at": "date-time",
}
AREA_TYPES = {
    "district_ubigeo": "string",
    "district": "string",
    "province_ubigeo": "string",
    "province": "string",
}
