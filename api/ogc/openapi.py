"""The OpenAPI 3.0 definition of the OGC API (``/ogc/api``), generated from the collections."""

from __future__ import annotations

from typing import Any

from geodata.opendata.collections import COLLECTIONS, Collection
from geodata.opendata.cql import CRS84
from geodata.opendata.params import DEFAULT_LIMIT, MAX_LIMIT

_SCHEMA_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "array": {"type": "array", "items": {"type": "string"}},
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
}

_PARAMETERS: dict[str, Any] = {
    "bbox": {
        "name": "bbox",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "minx,miny,maxx,maxy in CRS84 (longitude, latitude).",
        "schema": {
            "type": "array",
            "minItems": 4,
            "maxItems": 6,
            "items": {"type": "number"},
        },
    },
    "datetime": {
        "name": "datetime",
        "in": "query",
        "required": False,
        "description": "RFC 3339 instant or interval; '..' or empty for an open end.",
        "schema": {"type": "string"},
    },
    "limit": {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": f"Items per page; larger values are capped at {MAX_LIMIT}.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
    "offset": {
        "name": "offset",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 0, "default": 0},
    },
    "f": {
        "name": "f",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["json", "html"], "default": "json"},
    },
    "filter": {
        "name": "filter",
        "in": "query",
        "required": False,
        "description": "A CQL2 filter on the collection's queryables (OGC API - Features Part 3).",
        "schema": {"type": "string"},
    },
    "filter-lang": {
        "name": "filter-lang",
        "in": "query",
        "required": False,
        "description": "cql2-text (default) or cql2-json; cql-text, the drafts' name, is read "
        "as cql2-text.",
        "schema": {
            "type": "string",
            "enum": ["cql2-text", "cql2-json", "cql-text"],
            "default": "cql2-text",
        },
    },
    "filter-crs": {
        "name": "filter-crs",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": [CRS84], "default": CRS84},
    },
    "sortby": {
        "name": "sortby",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "Queryables to sort by, '-' before a name for descending order.",
        "schema": {"type": "array", "items": {"type": "string"}},
    },
    "properties": {
        "name": "properties",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "Only these properties in each feature.",
        "schema": {"type": "array", "items": {"type": "string"}},
    },
    "skipGeometry": {
        "name": "skipGeometry",
        "in": "query",
        "required": False,
        "schema": {"type": "boolean", "default": False},
    },
    "collectionId": {
        "name": "collectionId",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": list(COLLECTIONS)},
    },
    "featureId": {
        "name": "featureId",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _json_response(description: str, media_type: str = "application/json") -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {media_type: {"schema": {"type": "object"}}, "text/html": {}},
        },
        "400": {"description": "Invalid query parameter"},
        "404": {"description": "Not found"},
    }


def _feature_schema(collection: Collection) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"type": "object", "description": collection.geometry_type},
            "properties": {
                "type": "object",
                "properties": {
                    name: _SCHEMA_TYPES[kind] for name, kind in collection.property_types.items()
                },
            },
        },
    }


def _items_path(collection: Collection) -> dict[str, Any]:
    filters = [
        {
            "name": spec.name,
            "in": "query",
            "required": False,
            "description": spec.description,
            "schema": {"type": "string", **({"enum": list(spec.choices)} if spec.choices else {})},
        }
        for spec in collection.filters.values()
    ]
    return {
        "get": {
            "summary": f"Items of {collection.title}",
            "operationId": f"getItems_{collection.id.replace('-', '_')}",
            "tags": ["Data"],
            "parameters": [
                _ref("bbox"),
                _ref("datetime"),
                _ref("limit"),
                _ref("offset"),
                _ref("f"),
                _ref("filter"),
                _ref("filter-lang"),
                _ref("filter-crs"),
                _ref("sortby"),
                _ref("properties"),
                _ref("skipGeometry"),
                *filters,
            ],
            "responses": _json_response("A page of features", "application/geo+json"),
        }
    }


def _schema_path(operation_id: str, summary: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "operationId": operation_id,
            "tags": ["Capabilities"],
            "parameters": [_ref("collectionId"), _ref("f")],
            "responses": _json_response("A JSON Schema 2020-12", "application/schema+json"),
        }
    }


def openapi_document(server_url: str) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/": {
            "get": {
                "summary": "Landing page",
                "operationId": "getLandingPage",
                "tags": ["Capabilities"],
                "parameters": [_ref("f")],
                "responses": _json_response("Landing page"),
            }
        },
        "/conformance": {
            "get": {
                "summary": "Conformance classes",
                "operationId": "getConformance",
                "tags": ["Capabilities"],
                "parameters": [_ref("f")],
                "responses": _json_response("Conformance declaration"),
            }
        },
        "/collections": {
            "get": {
                "summary": "Feature collections",
                "operationId": "getCollections",
                "tags": ["Capabilities"],
                "parameters": [_ref("f")],
                "responses": _json_response("The collections"),
            }
        },
        "/collections/{collectionId}": {
            "get": {
                "summary": "One collection",
                "operationId": "describeCollection",
                "tags": ["Capabilities"],
                "parameters": [_ref("collectionId"), _ref("f")],
                "responses": _json_response("The collection"),
            }
        },
        "/collections/{collectionId}/queryables": _schema_path(
            "getQueryables", "What the features can be filtered and sorted on"
        ),
        "/collections/{collectionId}/schema": _schema_path(
            "getSchema", "The schema of the features' properties"
        ),
        "/collections/{collectionId}/feature-schema": _schema_path(
            "getFeatureSchema", "The JSON Schema of one GeoJSON feature"
        ),
        "/collections/{collectionId}/items/{featureId}": {
            "get": {
                "summary": "One feature",
                "operationId": "getFeature",
                "tags": ["Data"],
                "parameters": [_ref("collectionId"), _ref("featureId"), _ref("f")],
                "responses": _json_response("The feature", "application/geo+json"),
            }
        },
    }
    for collection in COLLECTIONS.values():
        paths[f"/collections/{collection.id}/items"] = _items_path(collection)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Yaku - OGC API - Features",
            "version": "1.0.0",
            "description": "Open data of the citizen water map of La Libertad, Peru.",
            "license": {
                "name": "CC BY 4.0",
                "url": "https://creativecommons.org/licenses/by/4.0/",
            },
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": "Capabilities"}, {"name": "Data"}],
        "paths": paths,
        "components": {
            "parameters": _PARAMETERS,
            "schemas": {
                f"feature_{c.id.replace('-', '_')}": _feature_schema(c)
                for c in COLLECTIONS.values()
            },
        },
    }
