"""The JSON documents of the OGC API: landing page, conformance, collection descriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request

from api.ogc.links import GEOJSON, HTML, JSON, OPENAPI, PREFIX, link, self_and_alternate, url
from geodata.opendata.collections import Collection
from geodata.opendata.features import Extent
from geodata.opendata.licences import (
    LICENCE_NAMES,
    PROJECT_LICENCE_NAME,
    PROJECT_LICENCE_URL,
    PROJECT_TITLE,
    licence_url,
)
from geodata.opendata.metadata import FORMATS, METADATA_FILE

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    # Part 3: filtering with CQL2 (what geodata.opendata.cql supports, nothing more)
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/property-property",
    # OGC API - Tiles: vector tiles of the collections in WebMercatorQuad
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    # sortby (Part 8 draft) and the feature schema (Part 5 draft)
    "http://www.opengis.net/spec/ogcapi-features-8/1.0/conf/sorting",
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
]
QUERYABLES = "application/schema+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


def common_links(request: Request) -> list[dict[str, Any]]:
    return [
        link(url(request, f"/downloads/{METADATA_FILE}"), "describedby", JSON, "Metadata"),
        link(PROJECT_LICENCE_URL, "license", HTML, PROJECT_LICENCE_NAME),
    ]


def landing(request: Request, html: bool) -> dict[str, Any]:
    return {
        "title": PROJECT_TITLE,
        "description": (
            "OGC API - Features de Yaku: sistemas y fuentes de agua, reportes ciudadanos "
            "validados e indicadores por distrito de La Libertad (Perú)."
        ),
        "links": [
            *self_and_alternate(request, PREFIX, JSON, html),
            link(url(request, f"{PREFIX}/api"), "service-desc", OPENAPI, "OpenAPI 3.0 definition"),
            link(url(request, "/api/docs"), "service-doc", HTML, "API documentation"),
            link(url(request, f"{PREFIX}/conformance"), "conformance", JSON, "Conformance"),
            link(url(request, f"{PREFIX}/collections"), "data", JSON, "Collections"),
            link(
                url(request, f"{PREFIX}/tileMatrixSets"),
                "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
                JSON,
                "Tile matrix sets",
            ),
            link(url(request, "/downloads"), "related", JSON, "Downloads"),
            link(url(request, "/"), "related", HTML, "Map"),
            *common_links(request),
        ],
    }


def conformance(request: Request, html: bool) -> dict[str, Any]:
    return {
        "conformsTo": CONFORMANCE,
        "links": self_and_alternate(request, f"{PREFIX}/conformance", JSON, html),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def collection(request: Request, spec: Collection, extent: Extent, html: bool) -> dict[str, Any]:
    path = f"{PREFIX}/collections/{spec.id}"
    own = self_and_alternate(request, path, JSON, html)
    downloads = [
        link(
            url(request, f"/downloads/{fmt.file_name(spec.id)}"),
            "enclosure",
            fmt.media_type,
            f"{spec.title} ({fmt.title})",
        )
        for fmt in FORMATS
        if spec.wpdx or fmt.key != "wpdx"
    ]
    return {
        "id": spec.id,
        "title": spec.title,
        "description": spec.description,
        "keywords": list(spec.keywords),
        "itemType": "feature",
        "license": spec.licence,
        "attribution": spec.attribution,
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": {
            "spatial": {"bbox": [extent.bbox] if extent.bbox else [], "crs": CRS84},
            "temporal": {
                "interval": [[_iso(extent.start), _iso(extent.end)]],
                "trs": GREGORIAN,
                "description": spec.temporal_description,
            },
        },
        "links": [
            *own,
            link(url(request, f"{path}/items", {"f": "json"}), "items", GEOJSON, "Items"),
            link(url(request, f"{path}/items", {"f": "html"}), "items", HTML, "Items as HTML"),
            link(
                url(request, f"{path}/queryables"),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                QUERYABLES,
                "Queryables",
            ),
            link(
                url(request, f"{path}/tiles"),
                "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                JSON,
                "Vector tiles",
            ),
            # GDAL up to 3.6 looks for the plain "queryables" relation.
            link(url(request, f"{path}/queryables"), "queryables", QUERYABLES, "Queryables"),
            link(
                url(request, f"{path}/schema"),
                "http://www.opengis.net/def/rel/ogc/1.0/schema",
                QUERYABLES,
                "Schema of the features",
            ),
            # Relation names are case-insensitive (RFC 8288), but GDAL's OAPIF driver matches
            # "describedBy" exactly when it looks for the JSON Schema it types fields from.
            link(
                url(request, f"{path}/feature-schema"),
                "describedBy",
                QUERYABLES,
                "JSON Schema of a GeoJSON feature",
            ),
            *downloads,
            link(url(request, f"/downloads/{METADATA_FILE}"), "describedby", JSON, "Metadata"),
            link(
                licence_url(spec.licence),
                "license",
                HTML,
                LICENCE_NAMES.get(spec.licence, spec.licence),
            ),
        ],
    }
