"""Catalogue records from one description: DCAT-AP (read with rdflib), DCAT-US data.json,
ISO 19139 (read with OWSLib's ISO parser), schema.org on the pages, data dictionaries."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from lxml import etree
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from geodata.opendata.collections import COLLECTIONS

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
# DCAT-AP 2.1: mandatory (M) and recommended (R) properties of a Dataset and a Distribution.
DATASET_MANDATORY = (DCTERMS.title, DCTERMS.description)
DATASET_RECOMMENDED = (
    DCAT.contactPoint,
    DCAT.distribution,
    DCAT.keyword,
    DCTERMS.publisher,
    DCTERMS.spatial,
    DCTERMS.temporal,
    DCAT.theme,
)
CATALOG_MANDATORY = (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCAT.dataset)
# DCAT-US 1.1 (Project Open Data) required fields of a dataset, from the schema's documentation.
DATA_JSON_DATASET = {
    "type": "object",
    "required": [
        "title",
        "description",
        "keyword",
        "modified",
        "publisher",
        "contactPoint",
        "identifier",
        "accessLevel",
        "license",
        "spatial",
        "distribution",
    ],
    "properties": {
        "accessLevel": {"enum": ["public", "restricted public", "non-public"]},
        "contactPoint": {
            "type": "object",
            "required": ["fn", "hasEmail"],
            "properties": {"hasEmail": {"pattern": "^mailto:"}},
        },
        "keyword": {"type": "array", "minItems": 1},
        "modified": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}"},
        "accrualPeriodicity": {"pattern": "^R/P"},
        "distribution": {
            "type": "array",
            "items": {"anyOf": [{"required": ["downloadURL"]}, {"required": ["accessURL"]}]},
        },
    },
}


def test_dcat_ap_catalogue_has_the_required_properties(client: TestClient) -> None:
    response = client.get("/catalogue/dcat.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    graph = Graph().parse(data=response.text, format="json-ld")
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    for prop in CATALOG_MANDATORY:
        assert graph.value(catalogs[0], prop) is not None, prop
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(COLLECTIONS)
    for dataset in datasets:
        for prop in (*DATASET_MANDATORY, *DATASET_RECOMMENDED, DCTERMS.license):
            assert graph.value(dataset, prop) is not None, (dataset, prop)
        contact = graph.value(dataset, DCAT.contactPoint)
        assert str(graph.value(contact, VCARD.hasEmail)).startswith("mailto:")
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert len(distributions) >= 4
        for distribution in distributions:
            assert graph.value(distribution, DCAT.accessURL) is not None  # mandatory
            assert graph.value(distribution, DCTERMS.license) is not None
    districts = URIRef("http://testserver/ogc/collections/districts")
    assert (
        str(graph.value(districts, DCTERMS.license)) == "https://www.gnu.org/licenses/gpl-3.0.html"
    )


def test_data_json_follows_dcat_us(client: TestClient) -> None:
    body = client.get("/data.json").json()
    assert body["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert len(body["dataset"]) == len(COLLECTIONS)
    validator = Draft202012Validator(DATA_JSON_DATASET)
    for dataset in body["dataset"]:
        validator.validate(dataset)
    systems = next(d for d in body["dataset"] if d["identifier"] == "yaku-water-systems")
    assert systems["describedBy"].endswith("/catalogue/dictionaries/water-systems.csv")
    assert any(d.get("downloadURL", "").endswith(".wpdx.csv") for d in systems["distribution"])


# The ISO 19139 schemas as shipped in pycsw's wheel, fetched by ``./yaku.sh test``
# (scripts/setup.sh: ensure_iso_schemas); gmx.xsd includes gmd, gco, gml and xlink.
ISO_WHEEL = (
    Path(__file__).resolve().parents[1] / ".venv/share/yaku/pycsw-2.6.2-py2.py3-none-any.whl"
)
ISO_ROOT = "pycsw/plugins/profiles/apiso/schemas/ogc/iso/19139/20060504"


@pytest.fixture(scope="module")
def iso19139_schema(tmp_path_factory: pytest.TempPathFactory) -> etree.XMLSchema:
    assert ISO_WHEEL.is_file(), f"{ISO_WHEEL} missing: run ./yaku.sh test (it fetches it)"
    target = tmp_path_factory.mktemp("iso19139")
    with zipfile.ZipFile(ISO_WHEEL) as wheel:
        for name in wheel.namelist():
            if "/schemas/" in name and name.endswith(".xsd"):
                wheel.extract(name, target)
    return etree.XMLSchema(etree.parse(str(target / ISO_ROOT / "gmx/gmx.xsd")))


@pytest.mark.parametrize("collection_id", list(COLLECTIONS))
def test_iso19139_record_per_layer(
    client: TestClient, collection_id: str, iso19139_schema: etree.XMLSchema
) -> None:
    from owslib.iso import MD_Metadata

    response = client.get(f"/catalogue/iso19139/{collection_id}.xml")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == "{http://www.isotc211.org/2005/gmd}MD_Metadata"
    # Valid against the ISO 19139 XML schemas, and read back with OWSLib's ISO parser (what
    # harvesters use).
    assert iso19139_schema.validate(root), iso19139_schema.error_log
    record = MD_Metadata(root)
    spec = COLLECTIONS[collection_id]
    assert record.identifier == f"yaku-{collection_id}"
    ident = record.identification[0]
    assert ident.title == spec.title and ident.abstract == spec.description
    keywords = {k.name for group in ident.keywords for k in group.keywords}
    assert set(spec.keywords) <= keywords
    assert ident.bbox is not None and -80 < float(ident.bbox.minx) < -76
    assert "inlandWaters" in ident.topiccategory or "boundaries" in ident.topiccategory
    assert any(spec.licence in c for c in ident.otherconstraints)
    assert record.contact and record.contact[0].organization
    urls = {o.url for o in record.distribution.online}
    assert f"http://testserver/downloads/{collection_id}.geojson" in urls


def test_schema_org_dataset_on_the_collection_page(client: TestClient) -> None:
    page = client.get("/ogc/collections/water-systems?f=html").text
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found
    data = json.loads(found.group(1))
    assert data["@type"] in ("schema:Dataset", "Dataset")
    assert data["name"] == COLLECTIONS["water-systems"].title
    assert data["distribution"]


@pytest.mark.parametrize("collection_id", list(COLLECTIONS))
def test_data_dictionary_per_collection(client: TestClient, collection_id: str) -> None:
    response = client.get(f"/catalogue/dictionaries/{collection_id}.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    spec = COLLECTIONS[collection_id]
    assert [r["field"] for r in rows] == [*spec.property_types, "geometry"]
    by_name = {r["field"]: r for r in rows}
    for name, kind in spec.property_types.items():
        assert by_name[name]["type"] == kind
    assert {r["licencia"] for r in rows} == {spec.licence}
    if collection_id == "water-systems":
        assert by_name["status"]["valores_permitidos"] == "green | yellow | red | grey"
        assert by_name["surveyed_on"]["formato"].startswith("AAAA-MM-DD")


def test_unknown_layer_is_404(client: TestClient) -> None:
    assert client.get("/catalogue/iso19139/lakes.xml").status_code == 404
    assert client.get("/catalogue/dictionaries/lakes.csv").status_code == 404
