"""The catalogue records of the published collections, all written from one description.

Each collection is described once as a pygeometa Metadata Control File (MCF: contact, keywords,
themes, spatial and temporal extent, update frequency, licence, attribution, distributions);
pygeometa writes it as ISO 19139 (for GeoNetwork, GeoIDEP), DCAT and schema.org, and the
DCAT-US ``data.json`` that DKAN/CKAN harvest is mapped here from the same MCF, so the records
cannot drift apart.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pygeometa.schemas.iso19139 import ISO19139OutputSchema
from pygeometa.schemas.schema_org import SchemaOrgOutputSchema

from geodata.opendata.collections import Collection
from geodata.opendata.features import Extent
from geodata.opendata.licences import LICENCE_NAMES, PROJECT_ATTRIBUTION, licence_url
from geodata.opendata.metadata import FORMATS
from geodata.settings import get_settings


def contact(base_url: str) -> dict[str, str]:
    return {
        "organization": PROJECT_ATTRIBUTION,
        "url": f"{base_url}/",
        "city": "Trujillo",
        "administrativearea": "La Libertad",
        "country": "Peru",
        "email": get_settings().opendata_contact_email,
    }


THEMES = {  # ISO 19115 topic categories and the DCAT-AP (EU data theme) code per collection
    "water-systems": (["inlandWaters", "utilitiesCommunication"], "ENVI"),
    "water-sources": (["inlandWaters"], "ENVI"),
    "reports": (["society", "inlandWaters"], "SOCI"),
    "districts": (["boundaries", "society"], "REGI"),
}
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "daily"  # the downloads are republished whenever the data change, at least daily
DCAT_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/DAILY"
ISO_8601_DAILY = "R/P1D"


def _day(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def mcf(collection: Collection, extent: Extent, base_url: str, updated: str) -> dict[str, Any]:
    """The one description of a collection (pygeometa MCF)."""
    topics, _ = THEMES[collection.id]
    party = contact(base_url)
    identifier = f"{base_url}/ogc/collections/{collection.id}"
    distributions = {
        fmt.key: {
            "url": f"{base_url}/downloads/{fmt.file_name(collection.id)}",
            "type": fmt.media_type,
            "name": fmt.file_name(collection.id),
            "description": f"{collection.title} ({fmt.title})",
            "function": "download",
        }
        for fmt in FORMATS
        if collection.wpdx or fmt.key != "wpdx"
    }
    distributions["dictionary"] = {
        "url": f"{base_url}/catalogue/dictionaries/{collection.id}.csv",
        "type": "text/csv",
        "name": f"{collection.id}.dictionary.csv",
        "description": "Data dictionary / Diccionario de datos",
        "function": "information",
    }
    distributions["ogcapi"] = {
        "url": identifier,
        "type": "OGC API - Features",
        "name": collection.id,
        "description": "OGC API - Features collection",
        "function": "download",
    }
    return {
        "mcf": {"version": "1.0"},
        "metadata": {
            "identifier": f"yaku-{collection.id}",
            "language": "spa",
            "charset": "utf8",
            "hierarchylevel": "dataset",
            "datestamp": updated[:10] if updated else "$date$",
            "dataseturi": identifier,
        },
        "spatial": {"datatype": "vector", "geomtype": collection.geometry_type.lower()},
        "identification": {
            "language": "spa",
            "charset": "utf8",
            "title": collection.title,
            "abstract": collection.description,
            "dates": {"publication": updated[:10] if updated else None},
            "keywords": {
                "default": {"keywords": list(collection.keywords), "keywords_type": "theme"}
            },
            "topiccategory": topics,
            "extents": {
                "spatial": [{"bbox": extent.bbox or [-79.7, -9.0, -76.8, -6.9], "crs": 4326}],
                "temporal": [{"begin": _day(extent.start), "end": _day(extent.end)}],
            },
            "fees": "None",
            "accessconstraints": "otherRestrictions",
            "rights": f"{collection.licence}. {collection.attribution}",
            "license": {"name": collection.licence, "url": licence_url(collection.licence)},
            "url": identifier,
            "status": "onGoing",
            "maintenancefrequency": FREQUENCY,
        },
        "contact": {"custodian": party, "pointOfContact": party, "distributor": party},
        "distribution": distributions,
    }


def iso19139(record: dict[str, Any]) -> str:
    return str(ISO19139OutputSchema().write(record))


def schema_org(record: dict[str, Any]) -> str:
    return str(SchemaOrgOutputSchema().write(record))


def schema_org_script(record: dict[str, Any]) -> str:
    """schema.org Dataset JSON-LD safe inside an HTML ``<script>`` (no ``</`` can close it)."""
    return schema_org(record).replace("<", "\\u003c")


def dcat_dataset(record: dict[str, Any], collection: Collection) -> dict[str, Any]:
    """A DCAT-AP 2 dataset (JSON-LD node) from the MCF, with its distributions."""
    ident = record["identification"]
    uri = record["metadata"]["dataseturi"]
    _, theme = THEMES[collection.id]
    bbox = ident["extents"]["spatial"][0]["bbox"]
    temporal = ident["extents"]["temporal"][0]
    distributions = [
        {
            "@id": f"{uri}#{key}",
            "@type": "dcat:Distribution",
            "dct:title": item["description"],
            "dcat:accessURL": {"@id": item["url"]},
            **({"dcat:downloadURL": {"@id": item["url"]}} if key != "ogcapi" else {}),
            "dcat:mediaType": item["type"] if "/" in item["type"] else None,
            "dct:license": {"@id": ident["license"]["url"]},
        }
        for key, item in record["distribution"].items()
    ]
    for item in distributions:
        if item["dcat:mediaType"] is None:
            del item["dcat:mediaType"]
    return {
        "@id": uri,
        "@type": "dcat:Dataset",
        "dct:identifier": record["metadata"]["identifier"],
        "dct:title": {"@value": ident["title"], "@language": "es"},
        "dct:description": {"@value": ident["abstract"], "@language": "es"},
        "dcat:keyword": ident["keywords"]["default"]["keywords"],
        "dcat:theme": {"@id": f"{EU_THEME}{theme}"},
        "dct:publisher": {
            "@type": "foaf:Organization",
            "foaf:name": record["contact"]["custodian"]["organization"],
        },
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": record["contact"]["custodian"]["organization"],
            "vcard:hasEmail": {"@id": f"mailto:{record['contact']['custodian']['email']}"},
        },
        "dct:spatial": {
            "@type": "dct:Location",
            "dcat:bbox": {
                "@value": _polygon_wkt(bbox),
                "@type": "http://www.opengis.net/ont/geosparql#wktLiteral",
            },
        },
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            **({"dcat:startDate": temporal["begin"]} if temporal["begin"] else {}),
            **({"dcat:endDate": temporal["end"]} if temporal["end"] else {}),
        },
        "dct:accrualPeriodicity": {"@id": DCAT_FREQUENCY},
        "dct:license": {"@id": ident["license"]["url"]},
        "dct:rights": ident["rights"],
        "dcat:landingPage": {"@id": uri},
        "dcat:distribution": distributions,
    }


def _polygon_wkt(bbox: list[float]) -> str:
    w, s, e, n = bbox
    return f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"


DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def dcat_catalogue(base_url: str, datasets: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": DCAT_CONTEXT,
        "@id": f"{base_url}/catalogue/dcat.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": {"@value": "Yaku: datos abiertos del agua de La Libertad", "@language": "es"},
        "dct:description": {
            "@value": "Sistemas y fuentes de agua, reportes ciudadanos e indicadores por distrito.",
            "@language": "es",
        },
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": PROJECT_ATTRIBUTION},
        "foaf:homepage": {"@id": f"{base_url}/"},
        "dcat:dataset": datasets,
    }


def data_json_dataset(record: dict[str, Any]) -> dict[str, Any]:
    """A DCAT-US 1.1 (Project Open Data) dataset, the schema DKAN and CKAN harvest."""
    ident = record["identification"]
    temporal = ident["extents"]["temporal"][0]
    bbox = ident["extents"]["spatial"][0]["bbox"]
    begin, end = temporal["begin"], temporal["end"]
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": record["metadata"]["identifier"],
        "title": ident["title"],
        "description": ident["abstract"],
        "keyword": ident["keywords"]["default"]["keywords"],
        "modified": record["metadata"]["datestamp"],
        "publisher": {
            "@type": "org:Organization",
            "name": record["contact"]["custodian"]["organization"],
        },
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": record["contact"]["custodian"]["organization"],
            "hasEmail": f"mailto:{record['contact']['custodian']['email']}",
        },
        "accessLevel": "public",
        "license": ident["license"]["url"],
        "rights": ident["rights"],
        "spatial": ",".join(str(v) for v in bbox),
        "accrualPeriodicity": ISO_8601_DAILY,
        "language": ["es"],
        "landingPage": record["metadata"]["dataseturi"],
        "theme": ident["topiccategory"],
        "distribution": [
            {
                "@type": "dcat:Distribution",
                "title": item["description"],
                **(
                    {"downloadURL": item["url"], "mediaType": item["type"].split(";")[0]}
                    if "/" in item["type"]
                    else {"accessURL": item["url"], "format": item["type"]}
                ),
            }
            for item in record["distribution"].values()
        ],
        "describedBy": f"{record['distribution']['dictionary']['url']}",
        "describedByType": "text/csv",
    }
    if begin and end:
        entry["temporal"] = f"{begin}/{end}"
    return entry


def data_json(base_url: str, datasets: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@id": f"{base_url}/data.json",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": datasets,
    }


def licence_name(identifier: str) -> str:
    return LICENCE_NAMES.get(identifier, identifier)
