"""The machine-readable metadata document (``metadata.json``) and the download formats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geodata.opendata.licences import (
    PROJECT_ATTRIBUTION,
    PROJECT_LICENCE,
    PROJECT_LICENCE_NAME,
    PROJECT_LICENCE_URL,
    PROJECT_TITLE,
    THIRD_PARTY_LAYERS,
)

METADATA_FILE = "metadata.json"
FORMAT_VERSION = "2"  # bump when a writer changes, so the next publish rewrites every file


@dataclass(frozen=True, slots=True)
class Format:
    key: str
    suffix: str
    title: str
    media_type: str
    # A precompressed .gz sibling is served to clients that accept gzip, so the app's GZip
    # middleware never compresses a download on the fly (GeoPackage shrinks about 5x too).
    compress: bool

    def file_name(self, collection_id: str) -> str:
        return f"{collection_id}.{self.suffix}"


GEOJSON = Format("geojson", "geojson", "GeoJSON", "application/geo+json", True)
CSV = Format("csv", "csv", "CSV", "text/csv; charset=utf-8", True)
GPKG = Format("gpkg", "gpkg", "GeoPackage", "application/geopackage+sqlite3", True)
WPDX = Format(
    "wpdx", "wpdx.csv", "WPdx CSV (Water Point Data Exchange)", "text/csv; charset=utf-8", True
)
FORMATS = (GEOJSON, CSV, GPKG, WPDX)

MEDIA_TYPES = {
    ".geojson": GEOJSON.media_type,
    ".csv": CSV.media_type,
    ".gpkg": GPKG.media_type,
    ".json": "application/json",
}


def media_type(name: str) -> str:
    for suffix, value in MEDIA_TYPES.items():
        if name.endswith(suffix):
            return value
    return "application/octet-stream"


def project_licence() -> dict[str, str]:
    return {
        "id": PROJECT_LICENCE,
        "name": PROJECT_LICENCE_NAME,
        "url": PROJECT_LICENCE_URL,
        "attribution": PROJECT_ATTRIBUTION,
    }


def metadata_links(base_url: str) -> list[dict[str, str]]:
    return [
        {
            "rel": "self",
            "type": "application/json",
            "title": "This document",
            "href": f"{base_url}/downloads/{METADATA_FILE}",
        },
        {
            "rel": "license",
            "type": "text/html",
            "title": PROJECT_LICENCE_NAME,
            "href": PROJECT_LICENCE_URL,
        },
        {
            "rel": "alternate",
            "type": "text/html",
            "title": "Downloads",
            "href": f"{base_url}/downloads?f=html",
        },
        {
            "rel": "service-desc",
            "type": "application/json",
            "title": "OGC API - Features",
            "href": f"{base_url}/ogc",
        },
    ]


def build_metadata(base_url: str, collections: list[dict[str, Any]]) -> dict[str, Any]:
    """The document; deterministic for the same collections, so an unchanged publish is a no-op."""
    updated = max((c["updated"] for c in collections), default=None)
    return {
        "title": PROJECT_TITLE,
        "description": (
            "Datos abiertos de Yaku: sistemas y fuentes de agua de La Libertad (Perú), su "
            "semáforo de calidad y continuidad, reportes ciudadanos validados (sin datos "
            "personales) e indicadores por distrito. / Open data of Yaku, the citizen water map "
            "of La Libertad, Peru: water systems and sources with their traffic-light status, "
            "validated citizen reports (no personal data) and district indicators."
        ),
        "publisher": PROJECT_ATTRIBUTION,
        "language": ["es", "en"],
        "spatial": "La Libertad, Peru (INEI ubigeo 13)",
        "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "updated": updated,
        "licence": project_licence(),
        "third_party_layers": [layer.as_dict() for layer in THIRD_PARTY_LAYERS],
        "format_version": FORMAT_VERSION,
        "links": metadata_links(base_url),
        "collections": collections,
    }
