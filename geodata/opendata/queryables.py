"""What a client may filter and sort a collection on: its queryables (OGC API - Features Part 3).

One source for the CQL2 translator, ``sortby``, ``properties`` and the JSON Schema documents
(``/queryables`` and ``/schema``), so that what the documents promise is exactly what the server
accepts. Every public property whose type is a scalar is queryable; arrays (``communities``) are
returned but not queryable, and the geometry is queryable as ``geometry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geodata.opendata.collections import Collection

GEOMETRY = "geometry"
SCALAR_TYPES = ("string", "integer", "number", "boolean", "date", "date-time")
JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_GEOMETRY_FORMATS = {
    "Point": "geometry-point",
    "MultiPoint": "geometry-multipoint",
    "LineString": "geometry-linestring",
    "MultiLineString": "geometry-multilinestring",
    "Polygon": "geometry-polygon",
    "MultiPolygon": "geometry-multipolygon",
}


@dataclass(frozen=True, slots=True)
class Queryable:
    name: str
    kind: str  # one of SCALAR_TYPES, or "geometry"
    expression: Any
    choices: tuple[str, ...] | None = None


def choices_of(collection: Collection, name: str) -> tuple[str, ...] | None:
    """A closed vocabulary, when one of the collection's filters holds it for this property."""
    expression = collection.properties.get(name)
    for spec in collection.filters.values():
        if spec.choices is not None and spec.column is expression:
            return spec.choices
    return None


def queryables(collection: Collection) -> dict[str, Queryable]:
    found = {
        name: Queryable(name, kind, collection.properties[name], choices_of(collection, name))
        for name, kind in collection.property_types.items()
        if kind in SCALAR_TYPES
    }
    found[GEOMETRY] = Queryable(GEOMETRY, "geometry", collection.geometry)
    return found


def property_schema(collection: Collection, name: str, kind: str) -> dict[str, Any]:
    """The JSON Schema of one property (2020-12, with the OGC ``format`` names)."""
    if kind == "geometry":
        return {
            "title": "Geometry",
            "format": _GEOMETRY_FORMATS.get(collection.geometry_type, "geometry-any"),
            "x-ogc-role": "primary-geometry",
        }
    schema: dict[str, Any]
    if kind in ("date", "date-time"):
        schema = {"type": "string", "format": kind}
    elif kind == "array":
        schema = {"type": "array", "items": {"type": "string"}}
    else:
        schema = {"type": kind}
    schema["title"] = name.replace("_", " ").capitalize()
    choices = choices_of(collection, name)
    if choices is not None:
        schema["enum"] = list(choices)
    if name == _id_property(collection):
        schema["x-ogc-role"] = "id"
    return schema


def _id_property(collection: Collection) -> str | None:
    for name, expression in collection.properties.items():
        if expression is collection.feature_id:
            return name
    return None


def queryables_document(collection: Collection, self_url: str) -> dict[str, Any]:
    properties = {
        name: property_schema(collection, name, q.kind)
        for name, q in queryables(collection).items()
    }
    return {
        "$schema": JSON_SCHEMA_2020_12,
        "$id": self_url,
        "type": "object",
        "title": collection.title,
        "description": f"Queryables of {collection.title}",
        "properties": properties,
        "additionalProperties": False,
        # The drafts' list of queryables, an annotation to JSON Schema, which GDAL up to 3.6
        # (Debian 12) reads to decide which of its filters it may send to the server.
        "queryables": [{"id": name} for name in properties],
    }


def feature_schema_document(collection: Collection, self_url: str) -> dict[str, Any]:
    """The JSON Schema of one GeoJSON Feature of the collection (what GDAL types fields from)."""
    properties = {
        name: property_schema(collection, name, kind)
        for name, kind in collection.property_types.items()
    }
    return {
        "$schema": JSON_SCHEMA_2020_12,
        "$id": self_url,
        "title": collection.title,
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"type": ["object", "null"], "title": collection.geometry_type},
            "properties": {"type": "object", "properties": properties},
        },
    }


def schema_document(collection: Collection, self_url: str) -> dict[str, Any]:
    """Every property returned (the schema of a feature's properties, Part 5 style)."""
    properties = {
        name: property_schema(collection, name, kind)
        for name, kind in collection.property_types.items()
    }
    properties[GEOMETRY] = property_schema(collection, GEOMETRY, "geometry")
    return {
        "$schema": JSON_SCHEMA_2020_12,
        "$id": self_url,
        "type": "object",
        "title": collection.title,
        "description": collection.description,
        "properties": properties,
    }
