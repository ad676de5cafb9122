"""The items query of a collection: its parameters parsed and checked, and how to link to it again.

Part 1 (bbox, datetime, limit, offset), the collection's own property filters, Part 3's CQL2
``filter`` with ``filter-lang`` and ``filter-crs``, and ``sortby``, ``properties`` and
``skipGeometry``. Every bad value is a ``BadParameter`` (400) naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from geodata.bbox import BBox, parse_bbox
from geodata.opendata.collections import Collection
from geodata.opendata.cql import parse_filter, translate_bound
from geodata.opendata.errors import BadParameter
from geodata.opendata.params import (
    Interval,
    parse_choice,
    parse_datetime,
    parse_limit,
    parse_offset,
    parse_values,
    reject_unknown,
)
from geodata.opendata.queryables import GEOMETRY, queryables

COMMON_ITEM_PARAMS = (
    "bbox",
    "datetime",
    "limit",
    "offset",
    "f",
    "lang",
    "filter",
    "filter-lang",
    "filter-crs",
    "sortby",
    "properties",
    "skipGeometry",
)
MAX_SORT_KEYS = 5


@dataclass(frozen=True, slots=True)
class CqlFilter:
    """A parsed filter: the text to put in links again and its SQLAlchemy condition."""

    text: str
    lang: str | None
    crs: str | None
    condition: Any = field(compare=False, hash=False)
    values: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    key: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemsQuery:
    bbox: BBox | None = None
    interval: Interval | None = None
    limit: int = 100
    offset: int = 0
    filters: dict[str, list[str]] = field(default_factory=dict)
    cql: CqlFilter | None = None
    sortby: tuple[tuple[str, bool], ...] = ()  # (property, descending)
    properties: tuple[str, ...] | None = None
    skip_geometry: bool = False

    @property
    def plain(self) -> bool:
        """Only Part 1 parameters and property filters: the SQL is one of few cached shapes."""
        return (
            self.cql is None
            and not self.sortby
            and self.properties is None
            and not self.skip_geometry
        )

    def as_params(self) -> dict[str, str]:
        """The query parameters that reproduce this query (for next/prev links)."""
        params: dict[str, str] = {}
        if self.bbox:
            params["bbox"] = ",".join(f"{n:g}" for n in self.bbox.as_list())
        if self.interval:
            params["datetime"] = "/".join(_iso(m) for m in (self.interval.start, self.interval.end))
        params.update({name: ",".join(values) for name, values in self.filters.items()})
        if self.cql is not None:
            params["filter"] = self.cql.text
            if self.cql.lang:
                params["filter-lang"] = self.cql.lang
            if self.cql.crs:
                params["filter-crs"] = self.cql.crs
        if self.sortby:
            params["sortby"] = ",".join(f"{'-' if d else ''}{n}" for n, d in self.sortby)
        if self.properties is not None:
            params["properties"] = ",".join(self.properties)
        if self.skip_geometry:
            params["skipGeometry"] = "true"
        params["limit"] = str(self.limit)
        return params


def _iso(moment: datetime | None) -> str:
    return ".." if moment is None else moment.isoformat().replace("+00:00", "Z")


def allowed_item_params(collection: Collection) -> tuple[str, ...]:
    return (*COMMON_ITEM_PARAMS, *collection.filters)


def parse_cql(collection: Collection, params: Mapping[str, str]) -> CqlFilter | None:
    text = params.get("filter")
    if text is None:
        for name in ("filter-lang", "filter-crs"):
            if name in params:
                raise BadParameter("{name} is only meaningful with filter", name=name)
        return None
    lang, crs = params.get("filter-lang"), params.get("filter-crs")
    bound = translate_bound(collection, parse_filter(text, lang, crs))
    return CqlFilter(text, lang, crs, bound.condition, bound.values, bound.key)


def parse_sortby(collection: Collection, value: str | None) -> tuple[tuple[str, bool], ...]:
    """``sortby=name,-population_served``: ``+`` (a space once decoded) or ``-`` before a name."""
    if value is None:
        return ()
    sortable = [n for n in queryables(collection) if n != GEOMETRY]
    keys: list[tuple[str, bool]] = []
    for part in value.split(","):
        item = part.strip()
        descending = item.startswith("-")
        name = item.lstrip("+-").strip()
        if name not in sortable:
            raise BadParameter(
                "sortby: unknown property '{name}'; sortable: {names}",
                name=name,
                names=", ".join(sortable),
            )
        keys.append((name, descending))
    if len(keys) > MAX_SORT_KEYS:
        raise BadParameter("sortby takes at most {limit} properties", limit=MAX_SORT_KEYS)
    return tuple(keys)


def parse_properties(collection: Collection, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = parse_values("properties", value)
    unknown = [n for n in names if n not in collection.properties]
    if unknown:
        raise BadParameter(
            "properties: unknown property '{name}'; available: {names}",
            name=unknown[0],
            names=", ".join(collection.properties),
        )
    return tuple(dict.fromkeys(names))


def parse_flag(name: str, value: str | None) -> bool:
    if value is None:
        return False
    text = value.strip().lower()
    if text not in ("true", "false"):
        raise BadParameter(
            "unknown {name} '{value}'; expected one of: {choices}",
            name=name,
            value=value,
            choices="true, false",
        )
    return text == "true"


def parse_items_query(collection: Collection, params: Mapping[str, str]) -> ItemsQuery:
    reject_unknown(params, allowed_item_params(collection))
    filters: dict[str, list[str]] = {}
    for name, spec in collection.filters.items():
        value = params.get(name)
        if value is None:
            continue
        if spec.choices is not None:
            filters[name] = parse_choice(name, value, spec.choices)
        else:
            filters[name] = parse_values(name, value)
    return ItemsQuery(
        bbox=parse_bbox(params.get("bbox")),
        interval=parse_datetime(params.get("datetime")),
        limit=parse_limit(params.get("limit")),
        offset=parse_offset(params.get("offset")),
        filters=filters,
        cql=parse_cql(collection, params),
        sortby=parse_sortby(collection, params.get("sortby")),
        properties=parse_properties(collection, params.get("properties")),
        skip_geometry=parse_flag("skipGeometry", params.get("skipGeometry")),
    )
