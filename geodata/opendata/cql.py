"""CQL2 filters (OGC API - Features Part 3) translated to SQLAlchemy, values as bound parameters.

``cql2`` (developmentseed's parser, the one tipg uses) reads cql2-text or cql2-json into
CQL2 JSON; this module walks that JSON, checking every operator, arity and operand type, and
builds a SQLAlchemy condition on the collection's own public expressions. Nothing the client
sends becomes SQL text: property names are looked up among the queryables, and every literal
travels as a typed bound parameter. Types are checked before the database sees the query, so a
filter comparing a date with a word, a LIKE on a number or an invalid polygon is a 400 with a
message saying which, never a database error.

Supported: and/or/not, = <> < <= > >=, LIKE, BETWEEN, IN, IS NULL, CASEI, ACCENTI, comparisons of
two properties, the eight spatial functions (S_INTERSECTS... on any GeoJSON geometry, WKT or BBOX)
and the instant temporal functions T_AFTER, T_BEFORE, T_EQUALS, T_INTERSECTS, T_DISJOINT,
T_DURING. Anything else (arithmetic, array functions, other functions) is refused by name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import cql2
import orjson
import shapely
from shapely.geometry import box, shape
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    String,
    and_,
    bindparam,
    false,
    func,
    literal,
    not_,
    or_,
    true,
)
from sqlalchemy.sql import ColumnElement

from geodata.models import SRID
from geodata.opendata.collections import Collection
from geodata.opendata.errors import BadParameter
from geodata.opendata.queryables import Queryable, queryables

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
FILTER_CRS = (CRS84,)
FILTER_LANGS = ("cql2-text", "cql2-json")
# The drafts' name of the text encoding, which GDAL up to 3.6 (Debian 12) sends: read as CQL2 text.
DRAFT_TEXT = "cql-text"
MAX_FILTER_CHARS = 20_000
MAX_DEPTH = 40
MAX_LIST = 1_000
MOMENT = DateTime(timezone=True)
_WHITESPACE = re.compile(r"\s+")
_DAY_T = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]$")

COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
SPATIAL = {
    "s_intersects": func.ST_Intersects,
    "s_within": func.ST_Within,
    "s_contains": func.ST_Contains,
    "s_disjoint": func.ST_Disjoint,
    "s_equals": func.ST_Equals,
    "s_touches": func.ST_Touches,
    "s_crosses": func.ST_Crosses,
    "s_overlaps": func.ST_Overlaps,
}
TEMPORAL = ("t_after", "t_before", "t_equals", "t_intersects", "t_disjoint", "t_during")
ORDERED = ("integer", "number", "string", "date", "date-time")
NUMBERS = ("integer", "number")
INSTANTS = ("date", "date-time")


# The bound values of the filter being translated, named in the order the translator meets them,
# so that two filters of the same structure give the same SQL (one cached statement) and differ
# only in the values passed at execution.
_BINDS: ContextVar[list[tuple[str, Any, Any]] | None] = ContextVar("cql_binds", default=None)


def _bind(value: Any, type_: Any) -> Any:
    binds = _BINDS.get()
    if binds is None:
        return literal(value, type_)
    name = f"cql_{len(binds)}"
    binds.append((name, value, type_))
    return bindparam(name, value, type_=type_)


@dataclass(frozen=True, slots=True)
class Typed:
    """A translated operand and its CQL2 type (a queryable's kind, or a literal's)."""

    sql: Any
    kind: str  # string, integer, number, boolean, date, date-time, geometry, interval, list
    value: Any = None  # the Python value of a literal (None for properties and expressions)
    literal: bool = False


def _short(error: Exception) -> str:
    return _WHITESPACE.sub(" ", str(error)).strip()[:300]


def parse_filter(text: str, lang: str | None, crs: str | None) -> dict[str, Any]:
    """The validated CQL2 JSON of a ``filter`` parameter, or a 400 saying what is wrong."""
    language = (lang or "cql2-text").strip().lower()
    if language == DRAFT_TEXT:
        language = "cql2-text"
    if language not in FILTER_LANGS:
        raise BadParameter(
            "unknown {name} '{value}'; expected one of: {choices}",
            name="filter-lang",
            value=lang,
            choices=", ".join(FILTER_LANGS),
        )
    if crs is not None and crs.strip() not in FILTER_CRS:
        raise BadParameter("filter-crs '{value}' is not supported; use {crs}", value=crs, crs=CRS84)
    if not text.strip():
        raise BadParameter("{name} must not be empty", name="filter")
    if len(text) > MAX_FILTER_CHARS:
        raise BadParameter("filter is longer than {limit} characters", limit=MAX_FILTER_CHARS)
    try:
        expr = cql2.parse_json(text) if language == "cql2-json" else cql2.parse_text(text)
        # Not ``expr.validate()``: it compiles the CQL2 JSON schema on every call (about 30 ms);
        # the translator below checks every operator, its arity and its operands' types itself.
        parsed = expr.to_json()
    except Exception as error:  # cql2 raises ParseError, ValidationError or a plain Exception
        raise BadParameter(
            "filter is not valid {lang}: {detail}", lang=language, detail=_short(error)
        ) from None
    if not isinstance(parsed, dict):
        raise BadParameter("filter must be a condition that is true or false")
    return parsed


class Translator:
    """One filter on one collection: CQL2 JSON to a SQLAlchemy condition."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.queryables: dict[str, Queryable] = queryables(collection)

    def condition(self, node: dict[str, Any]) -> ColumnElement[bool]:
        typed = self.operand(node, 0)
        if typed.kind != "boolean":
            raise BadParameter("filter must be a condition that is true or false")
        return typed.sql

    # --- operands -----------------------------------------------------------------------------

    def operand(self, node: Any, depth: int) -> Typed:
        if depth > MAX_DEPTH:
            raise BadParameter("filter is nested more than {limit} levels", limit=MAX_DEPTH)
        if isinstance(node, bool):
            return Typed(_bind(node, Boolean), "boolean", node, True)
        if isinstance(node, int | float):
            if not math.isfinite(node):
                raise BadParameter("filter numbers must be finite, got '{value}'", value=node)
            return Typed(_bind(float(node), Float), "number", float(node), True)
        if isinstance(node, str):
            return Typed(_bind(node, String), "string", node, True)
        if isinstance(node, list):
            return Typed(None, "list", node, True)
        if not isinstance(node, dict):
            raise BadParameter("filter has a value that is not supported: {value}", value=node)
        if "property" in node:
            return self.property(str(node["property"]))
        if "op" in node:
            args = node.get("args", [])
            if not isinstance(args, list):
                raise BadParameter("filter must be a condition that is true or false")
            return self.operation(str(node["op"]).lower(), args, depth)
        if "date" in node:
            return Typed(None, "date", _date(node["date"]), True)
        if "timestamp" in node:
            return Typed(None, "date-time", _timestamp(node["timestamp"]), True)
        if "interval" in node:
            return Typed(None, "interval", _interval(node["interval"]), True)
        if "bbox" in node or "type" in node:
            return _geometry(node)
        raise BadParameter("filter has a value that is not supported: {value}", value=node)

    def property(self, name: str) -> Typed:
        found = self.queryables.get(name)
        if found is None:
            raise BadParameter(
                "filter: unknown property '{name}'; queryables: {names}",
                name=name,
                names=", ".join(self.queryables),
            )
        return Typed(found.expression, found.kind)

    # --- operations ---------------------------------------------------------------------------

    def operation(self, op: str, args: list[Any], depth: int) -> Typed:
        def each() -> list[Typed]:
            return [self.operand(a, depth + 1) for a in args]

        if op in ("and", "or"):
            parts = each()
            _all_conditions(op, parts)
            joined = and_(*(p.sql for p in parts)) if op == "and" else or_(*(p.sql for p in parts))
            return Typed(joined, "boolean")
        if op == "not":
            (inner,) = _arity(op, each(), 1)
            _all_conditions(op, [inner])
            return Typed(not_(inner.sql), "boolean")
        if op in COMPARISONS:
            left, right = _arity(op, each(), 2)
            a, b = _comparable(op, left, right)
            return Typed(COMPARISONS[op](a, b), "boolean")
        if op == "like":
            left, right = _arity(op, each(), 2)
            if left.kind != "string" or right.kind != "string":
                raise BadParameter("filter: LIKE compares text with a text pattern")
            return Typed(_sql(left, "string").like(_sql(right, "string")), "boolean")
        if op == "between":
            value, low, high = _arity(op, each(), 3)
            a, lo = _comparable(op, value, low)
            _, hi = _comparable(op, value, high)
            return Typed(a.between(lo, hi), "boolean")
        if op == "in":
            return self.in_list(args, depth)
        if op == "isnull":
            (inner,) = _arity(op, each(), 1)
            if inner.kind in ("list", "interval"):
                raise BadParameter("filter: IS NULL applies to a property or a value")
            return Typed(_sql(inner, inner.kind).is_(None), "boolean")
        if op in ("casei", "accenti"):
            (inner,) = _arity(op, each(), 1)
            if inner.kind != "string":
                raise BadParameter("filter: {function} applies to text only", function=op.upper())
            text = _sql(inner, "string")
            folded = func.lower(text) if op == "casei" else func.unaccent(text)
            return Typed(folded, "string")
        if op in SPATIAL:
            left, right = _arity(op, each(), 2)
            if left.kind != "geometry" or right.kind != "geometry":
                raise BadParameter("filter: {function} compares two geometries", function=op)
            return Typed(SPATIAL[op](left.sql, right.sql), "boolean")
        if op in TEMPORAL:
            left, right = _arity(op, each(), 2)
            return Typed(_temporal(op, left, right), "boolean")
        raise BadParameter(
            "filter: the function or operator '{name}' is not supported by this server", name=op
        )

    def in_list(self, args: list[Any], depth: int) -> Typed:
        if len(args) != 2 or not isinstance(args[1], list):
            raise BadParameter("filter: IN needs a value and a list")
        if len(args[1]) > MAX_LIST:
            raise BadParameter("filter: IN lists take at most {limit} values", limit=MAX_LIST)
        left = self.operand(args[0], depth + 1)
        items = [self.operand(v, depth + 1) for v in args[1]]
        if not items:
            return Typed(false(), "boolean")
        pairs = [_comparable("in", left, item) for item in items]
        return Typed(pairs[0][0].in_([b for _, b in pairs]), "boolean")


def _arity(op: str, args: list[Typed], count: int) -> list[Typed]:
    if len(args) != count:
        raise BadParameter(
            "filter: {function} takes {count} arguments", function=op.upper(), count=count
        )
    return args


def _all_conditions(op: str, parts: list[Typed]) -> None:
    if any(p.kind != "boolean" for p in parts):
        raise BadParameter("filter: {function} joins conditions only", function=op.upper())


_BIND_TYPES: dict[str, Any] = {
    "string": String(),
    "integer": Float(),
    "number": Float(),
    "boolean": Boolean(),
    "date": Date(),
    "date-time": MOMENT,
}


def _sql(typed: Typed, kind: str) -> Any:
    """The SQL of an operand; literals become bound parameters of the type compared with."""
    if not typed.literal:
        return typed.sql
    value = typed.value
    if kind == "date-time" and isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time.min, UTC)
    return _bind(value, _BIND_TYPES[kind])


def _coerce_text(typed: Typed, kind: str) -> Typed:
    """A quoted date ('2016-01-01') compared with a date property (GDAL sends them so)."""
    if typed.literal and typed.kind == "string" and kind in INSTANTS:
        # GDAL up to 3.6 writes a date as '2015-06-01T'.
        text = typed.value[:-1] if _DAY_T.match(typed.value) else typed.value
        try:
            value: date = _timestamp(text) if "T" in text.upper() else _date(text)
        except BadParameter:
            return typed
        return Typed(None, "date-time" if isinstance(value, datetime) else "date", value, True)
    return typed


def _coerce_flag(typed: Typed, kind: str) -> Typed:
    """1 or 0 compared with a boolean property (GDAL's booleans are integers)."""
    if typed.literal and typed.kind == "number" and kind == "boolean" and typed.value in (0, 1):
        flag = bool(typed.value)
        return Typed(_bind(flag, Boolean), "boolean", flag, True)
    return typed


def _comparable(op: str, left: Typed, right: Typed) -> tuple[Any, Any]:
    left, right = _coerce_text(left, right.kind), _coerce_text(right, left.kind)
    left, right = _coerce_flag(left, right.kind), _coerce_flag(right, left.kind)
    kinds = {left.kind, right.kind}
    compatible = left.kind == right.kind or kinds <= set(NUMBERS) or kinds <= set(INSTANTS)
    if not compatible or kinds & {"geometry", "interval", "list"}:
        raise BadParameter(
            "filter: cannot compare {left} with {right} in {function}",
            left=_describe(left),
            right=_describe(right),
            function=op.upper(),
        )
    if op in ("<", "<=", ">", ">=", "between") and not kinds <= set(ORDERED):
        raise BadParameter("filter: {function} needs numbers, dates or text", function=op.upper())
    kind = "date-time" if "date-time" in kinds else ("number" if kinds & set(NUMBERS) else None)
    target = kind or left.kind
    return _sql(left, target), _sql(right, target)


def _describe(typed: Typed) -> str:
    if typed.literal and typed.kind in ("string", "number", "boolean"):
        return f"{typed.kind} {typed.value!r}"
    return typed.kind


def _date(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadParameter("filter: '{value}' is not a date (YYYY-MM-DD)", value=value) from None


def _timestamp(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("z", "Z"))
    except ValueError:
        raise BadParameter("filter: '{value}' is not an RFC 3339 timestamp", value=value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _instant(value: Any) -> datetime | None:
    if value in ("..", "", None):
        return None
    text = str(value)
    moment = _timestamp(text) if "T" in text.upper() else _date(text)
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.min, UTC)
    return moment


def _interval(value: Any) -> tuple[datetime | None, datetime | None]:
    if not isinstance(value, list) or len(value) != 2:
        raise BadParameter("filter: an INTERVAL has a start and an end")
    items = [v.get("date", v.get("timestamp")) if isinstance(v, dict) else v for v in value]
    start, end = _instant(items[0]), _instant(items[1])
    if start is not None and end is not None and start > end:
        raise BadParameter("filter: an INTERVAL starts after it ends")
    return start, end


def _temporal(op: str, left: Typed, right: Typed) -> Any:
    """An instant property against an instant or an interval (CQL2's instant semantics)."""
    if left.literal or left.kind not in INSTANTS:
        raise BadParameter(
            "filter: {function} compares a date property with a date or interval",
            function=op.upper(),
        )
    prop = left.sql
    if right.kind in INSTANTS and right.literal:
        start = end = _sql(right, "date-time" if left.kind == "date-time" else right.kind)
    elif right.kind == "interval":
        bounds = right.value
        start = None if bounds[0] is None else _bind(bounds[0], MOMENT)
        end = None if bounds[1] is None else _bind(bounds[1], MOMENT)
    else:
        raise BadParameter(
            "filter: {function} compares a date property with a date or interval",
            function=op.upper(),
        )
    if op == "t_after":
        return prop > end if end is not None else false()
    if op == "t_before":
        return prop < start if start is not None else false()
    if op == "t_during":
        return and_(
            prop > start if start is not None else prop.is_not(None),
            prop < end if end is not None else true(),
        )
    inside = and_(
        prop >= start if start is not None else prop.is_not(None),
        prop <= end if end is not None else true(),
    )
    if op == "t_equals":
        if start is None or end is None:
            return false()
        return and_(prop == start, prop == end)
    if op == "t_disjoint":
        return and_(prop.is_not(None), not_(inside))
    return inside  # t_intersects


def _geometry(node: dict[str, Any]) -> Typed:
    """A GeoJSON geometry or a BBOX, checked by GEOS before PostGIS sees it (valid, finite)."""
    try:
        if "bbox" in node:
            numbers = [float(v) for v in node["bbox"]]
            if len(numbers) not in (4, 6):
                raise ValueError("bbox")
            west, south, east, north = (
                (numbers[0], numbers[1], numbers[3], numbers[4]) if len(numbers) == 6 else numbers
            )
            geometry = box(west, south, east, north)
        else:
            geometry = shape(node)
        coordinates = shapely.get_coordinates(geometry)
        finite = bool(math.isfinite(coordinates.sum())) if coordinates.size else False
    except Exception:  # shapely raises several kinds for malformed GeoJSON
        raise BadParameter(
            "filter: a geometry is not valid GeoJSON: {value}", value=orjson.dumps(node).decode()
        ) from None
    if geometry.is_empty or not finite or not geometry.is_valid:
        raise BadParameter(
            "filter: a geometry is empty or invalid ({reason})",
            reason=shapely.is_valid_reason(geometry) if finite else "not finite",
        )
    sql = func.ST_GeomFromText(_bind(geometry.wkt, String), SRID)
    return Typed(sql, "geometry", geometry, False)


def translate(collection: Collection, parsed: dict[str, Any]) -> ColumnElement[bool]:
    return Translator(collection).condition(parsed)


@dataclass(frozen=True, slots=True)
class BoundFilter:
    condition: Any
    values: dict[str, Any]
    key: tuple[Any, ...]  # equal for filters whose SQL differs only in the values


def translate_bound(collection: Collection, parsed: dict[str, Any]) -> BoundFilter:
    token = _BINDS.set([])
    try:
        condition = Translator(collection).condition(parsed)
        binds = _BINDS.get() or []
    finally:
        _BINDS.reset(token)
    key = (collection.id, str(condition), tuple(type(t).__name__ for _, _, t in binds))
    return BoundFilter(condition, {name: value for name, value, _ in binds}, key)
