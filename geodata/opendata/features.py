"""Feature queries: one round trip per page, GeoJSON built by PostgreSQL.

A page is answered by a single statement returning ``numberMatched``, ``numberReturned`` and the
features array as JSON text, so Python never parses or re-encodes the features. The bbox test is
``geom && ST_MakeEnvelope(...)`` (GiST index); paging is by offset over the integer key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    Integer,
    Select,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from geodata.models import SRID
from geodata.opendata.collections import COLLECTIONS, Collection
from geodata.opendata.query import ItemsQuery, allowed_item_params, parse_items_query
from geodata.opendata.queryables import queryables

COORDINATE_PRECISION = 6  # decimal degrees: about 0.1 m
MOMENT = DateTime(timezone=True)

__all__ = ["ItemsQuery", "Page", "allowed_item_params", "parse_items_query"]


@dataclass(frozen=True, slots=True)
class Page:
    features_json: str
    number_matched: int
    number_returned: int


def feature_expression(
    collection: Collection,
    names: tuple[str, ...] | None = None,
    skip_geometry: bool = False,
) -> ColumnElement[Any]:
    """``json_build_object`` of one GeoJSON Feature; keys are the collection's constant names.

    ``names`` keeps only those properties (``properties=``, checked against the collection's
    own names before they get here); ``skip_geometry`` writes ``"geometry": null``.
    """
    pairs: list[Any] = []
    for name, expr in collection.properties.items():
        if names is None or name in names:
            pairs.extend((literal_column(f"'{name}'"), expr))
    geometry = (
        null()
        if skip_geometry
        else cast(func.ST_AsGeoJSON(collection.geometry, COORDINATE_PRECISION), JSON)
    )
    return func.json_build_object(
        literal_column("'type'"),
        literal_column("'Feature'"),
        literal_column("'id'"),
        collection.feature_id,
        literal_column("'geometry'"),
        geometry,
        literal_column("'properties'"),
        func.json_build_object(*pairs),
    )


@dataclass(frozen=True, slots=True)
class Shape:
    """What varies the SQL text of a page query (values travel as bound parameters)."""

    collection_id: str
    bbox: bool
    start: bool
    end: bool
    filters: tuple[str, ...]


def shape_of(collection: Collection, query: ItemsQuery) -> Shape:
    interval = query.interval if collection.temporal is not None else None
    return Shape(
        collection.id,
        query.bbox is not None,
        interval is not None and interval.start is not None,
        interval is not None and interval.end is not None,
        tuple(sorted(query.filters)),
    )


def parameters(query: ItemsQuery) -> dict[str, Any]:
    values: dict[str, Any] = {"page_limit": query.limit, "page_offset": query.offset}
    if query.bbox is not None:
        values.update(zip(("minx", "miny", "maxx", "maxy"), query.bbox.as_list(), strict=True))
    if query.interval is not None:
        values.update(dt_start=query.interval.start, dt_end=query.interval.end)
    values.update({f"filter_{name}": list(v) for name, v in query.filters.items()})
    return values


def conditions(collection: Collection, shape: Shape) -> list[Any]:
    where: list[Any] = list(collection.where)
    if shape.bbox:
        corners = [bindparam(name, type_=Float) for name in ("minx", "miny", "maxx", "maxy")]
        envelope = func.ST_MakeEnvelope(*corners, SRID)
        if collection.points:
            where.append(collection.geometry.op("&&")(envelope))
        else:
            where.append(func.ST_Intersects(collection.geometry, envelope))
    if collection.temporal is not None:
        if shape.start:
            where.append(collection.temporal >= bindparam("dt_start", type_=MOMENT))
        if shape.end:
            where.append(collection.temporal <= bindparam("dt_end", type_=MOMENT))
    for name in shape.filters:
        where.append(
            collection.filters[name].column.in_(bindparam(f"filter_{name}", expanding=True))
        )
    return where


@dataclass(frozen=True, slots=True)
class Extras:
    """What Part 3 and the sorting/selection parameters add to a page (built per request)."""

    condition: Any = None
    sortby: tuple[tuple[str, bool], ...] = ()
    properties: tuple[str, ...] | None = None
    skip_geometry: bool = False


PLAIN = Extras()
MAX_CACHED = 512
_EXTRA_STATEMENTS: dict[tuple[Any, ...], Select[Any]] = {}


@lru_cache(maxsize=1024)
def _page_statement(shape: Shape) -> Select[Any]:
    """Built once per shape: SQLAlchemy then reuses its compiled form from the statement cache."""
    return build_page_statement(shape, PLAIN)


def build_page_statement(shape: Shape, extras: Extras) -> Select[Any]:
    """Without a bbox the integer key's index yields the page directly. With one, PostgreSQL would
    still walk the key index and test every row against the box (the rows inside are few and
    spread out); so the keys inside the box come first from the GiST index, in a materialized
    CTE that also gives the count, and only the page's rows are joined and turned into JSON.

    ``sortby`` orders by the named queryables, then by the key (so pages never overlap); the
    page keeps its position in a column the JSON array is aggregated by.
    """
    collection = COLLECTIONS[shape.collection_id]
    where = conditions(collection, shape)
    if extras.condition is not None:
        where.append(extras.condition)
    limit = bindparam("page_limit", type_=Integer)
    offset = bindparam("page_offset", type_=Integer)
    found = queryables(collection)
    sort_exprs = [found[name].expression for name, _ in extras.sortby]
    feature = feature_expression(collection, extras.properties, extras.skip_geometry)

    def order(columns: list[Any], key: Any) -> list[Any]:
        keys = [
            c.desc().nulls_last() if d else c.asc().nulls_last()
            for c, (_, d) in zip(columns, extras.sortby, strict=True)
        ]
        return [*keys, key]

    if not shape.bbox:
        matched = select(func.count()).select_from(collection.from_clause).where(*where)
        ordering = order(sort_exprs, collection.key)
        position = func.row_number().over(order_by=ordering) if extras.sortby else collection.key
        page = (
            select(collection.key.label("k"), feature.label("f"), position.label("o"))
            .select_from(collection.from_clause)
            .where(*where)
            .order_by(*ordering)
            .limit(limit)
            .offset(offset)
            .subquery("page")
        )
    else:
        keys = (
            select(
                collection.key.label("k"),
                *(e.label(f"s{i}") for i, e in enumerate(sort_exprs)),
            )
            .select_from(collection.from_clause)
            .where(*where)
            .cte("matched")
            .prefix_with("MATERIALIZED")
        )
        matched = select(func.count()).select_from(keys)
        ordering = order([keys.c[f"s{i}"] for i in range(len(sort_exprs))], keys.c.k)
        position = func.row_number().over(order_by=ordering) if extras.sortby else keys.c.k
        page_keys = (
            select(keys.c.k, position.label("o")).order_by(*ordering).limit(limit).offset(offset)
        ).subquery("page_keys")
        page = (
            select(collection.key.label("k"), feature.label("f"), page_keys.c.o)
            .select_from(collection.from_clause.join(page_keys, collection.key == page_keys.c.k))
            .subquery("page")
        )
    features = func.coalesce(
        cast(func.json_agg(aggregate_order_by(page.c.f, page.c.o)), Text), "[]"
    )
    return select(matched.scalar_subquery(), func.count(), features).select_from(page)


def page_statement(collection: Collection, query: ItemsQuery) -> tuple[Select[Any], dict[str, Any]]:
    """``(numberMatched, numberReturned, features JSON text)`` in one statement, and its values."""
    shape = shape_of(collection, query)
    if query.plain:
        return _page_statement(shape), parameters(query)
    extras = Extras(
        query.cql.condition if query.cql is not None else None,
        query.sortby,
        query.properties,
        query.skip_geometry,
    )
    values = parameters(query)
    if query.cql is not None:
        values.update(query.cql.values)
    # Filters of the same structure share one statement (and its compiled form); their values
    # travel as parameters.
    key = (
        shape,
        query.cql.key if query.cql else None,
        extras.sortby,
        extras.properties,
        extras.skip_geometry,
    )
    statement = _EXTRA_STATEMENTS.get(key)
    if statement is None:
        statement = build_page_statement(shape, extras)
        if len(_EXTRA_STATEMENTS) >= MAX_CACHED:
            _EXTRA_STATEMENTS.pop(next(iter(_EXTRA_STATEMENTS)))
        _EXTRA_STATEMENTS[key] = statement
    return statement, values


def fetch_page(session: Session, collection: Collection, query: ItemsQuery) -> Page:
    statement, values = page_statement(collection, query)
    # Core execution on the session's connection: the ORM layer adds nothing to a plain select.
    matched, returned, features = session.connection().execute(statement, values).one()
    return Page(features_json=features, number_matched=matched, number_returned=returned)


def fetch_feature(session: Session, collection: Collection, feature_id: str) -> str | None:
    """One Feature as GeoJSON text, or ``None``."""
    stmt = (
        select(cast(feature_expression(collection), Text))
        .select_from(collection.from_clause)
        .where(*collection.where, collection.feature_id == feature_id)
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def fetch_all(session: Session, collection: Collection) -> str:
    """Every feature of the collection as a JSON array text (for the download files)."""
    rows = (
        select(collection.key.label("k"), feature_expression(collection).label("f"))
        .select_from(collection.from_clause)
        .where(*collection.where)
        .subquery("all_rows")
    )
    stmt = select(
        func.coalesce(cast(func.json_agg(aggregate_order_by(rows.c.f, rows.c.k)), Text), "[]")
    )
    return session.execute(stmt).scalar_one()


def count_all(session: Session, collection: Collection) -> int:
    stmt = select(func.count()).select_from(collection.from_clause).where(*collection.where)
    return session.execute(stmt).scalar_one()


@dataclass(frozen=True, slots=True)
class Extent:
    bbox: list[float] | None
    start: datetime | None
    end: datetime | None


def extent(session: Session, collection: Collection) -> Extent:
    box = func.ST_Extent(collection.geometry)
    temporal = collection.temporal
    times = (func.min(temporal), func.max(temporal)) if temporal is not None else (null(), null())
    stmt = select(
        func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box), *times
    ).select_from(collection.from_clause)
    xmin, ymin, xmax, ymax, start, end = session.execute(stmt.where(*collection.where)).one()
    bbox = None if xmin is None else [round(v, 6) for v in (xmin, ymin, xmax, ymax)]
    return Extent(bbox, start, end)
