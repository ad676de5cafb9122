"""Collection schemas, sortby, properties and skipGeometry, in process and through GDAL."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from geodata.opendata.collections import COLLECTIONS
from tests.ogc_support import live_server, publish

ITEMS = "/ogc/collections/water-systems/items"


@pytest.mark.parametrize("collection_id", list(COLLECTIONS))
def test_schema_and_feature_schema_are_linked_and_valid(
    client: TestClient, collection_id: str
) -> None:
    links = client.get(f"/ogc/collections/{collection_id}").json()["links"]
    schema_href = next(x["href"] for x in links if x["rel"].endswith("/schema"))
    described = next(x for x in links if x["rel"] == "describedBy")
    assert described["type"] == "application/schema+json"
    schema = client.get(schema_href.replace("http://testserver", "")).json()
    Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) == {*COLLECTIONS[collection_id].properties, "geometry"}
    feature_schema = client.get(described["href"].replace("http://testserver", "")).json()
    Draft202012Validator.check_schema(feature_schema)
    # Every feature the collection serves is valid against its own feature schema (nulls aside:
    # the schema says what a value is when there is one).
    validator = Draft202012Validator(feature_schema)
    page = client.get(f"/ogc/collections/{collection_id}/items", params={"limit": "50"}).json()
    for feature in page["features"]:
        present = {k: v for k, v in feature["properties"].items() if v is not None}
        validator.validate({**feature, "properties": present})


def test_sortby_orders_pages_and_breaks_ties_by_key(client: TestClient) -> None:
    body = client.get(ITEMS, params={"sortby": "-population_served,name", "limit": "371"}).json()
    rows = [f["properties"] for f in body["features"]]
    populations = [r["population_served"] for r in rows if r["population_served"] is not None]
    assert populations == sorted(populations, reverse=True)
    assert rows[-1]["population_served"] is None or len(populations) == len(rows)  # nulls last
    first = client.get(ITEMS, params={"sortby": "name", "limit": "50"}).json()
    following = next(x for x in first["links"] if x["rel"] == "next")["href"]
    assert "sortby=name" in following
    second = client.get(following.replace("http://testserver", "")).json()
    names = [f["properties"]["name"] for f in (*first["features"], *second["features"])]
    assert len(names) == 100
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in second["features"]}
    collated = client.get(ITEMS, params={"sortby": "name", "limit": "100"}).json()
    assert [f["properties"]["name"] for f in collated["features"]] == names


def test_sortby_with_bbox_and_filter(client: TestClient) -> None:
    params = {
        "sortby": "-altitude_m",
        "bbox": "-79.5,-8.5,-77.5,-7.0",
        "filter": "altitude_m > 0",
        "limit": "30",
    }
    body = client.get(ITEMS, params=params).json()
    altitudes = [f["properties"]["altitude_m"] for f in body["features"]]
    assert altitudes == sorted(altitudes, reverse=True) and len(altitudes) == 30


def test_properties_and_skip_geometry(client: TestClient) -> None:
    body = client.get(
        ITEMS, params={"properties": "name,status", "skipGeometry": "true", "limit": "3"}
    ).json()
    for feature in body["features"]:
        assert set(feature["properties"]) == {"name", "status"}
        assert feature["geometry"] is None
    following = next(x for x in body["links"] if x["rel"] == "next")["href"]
    assert "properties=name,status" in following and "skipGeometry=true" in following
    full = client.get(ITEMS, params={"skipGeometry": "false", "limit": "1"}).json()
    assert full["features"][0]["geometry"]["type"] == "Point"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"sortby": "colour"}, "sortby: unknown property 'colour'"),
        ({"sortby": "geometry"}, "unknown property 'geometry'"),
        ({"sortby": "communities"}, "unknown property"),
        ({"sortby": "a,b,c,d,e,f"}, "unknown property"),
        ({"sortby": "name,code,status,district,province,altitude_m"}, "at most 5"),
        ({"properties": "name,reporter_contact"}, "unknown property 'reporter_contact'"),
        ({"properties": ""}, "must not be empty"),
        ({"skipGeometry": "yes"}, "true, false"),
    ],
)
def test_bad_sort_and_selection_answer_400(
    client: TestClient, params: dict[str, str], fragment: str
) -> None:
    response = client.get(ITEMS, params={**params, "lang": "en"})
    assert response.status_code == 400
    assert fragment in response.json()["error"]["message"]


@pytest.fixture(scope="module")
def server(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    publish_dir = tmp_path_factory.mktemp("publish")
    with Session(engine) as session:
        publish(session, publish_dir)
    with live_server(publish_dir) as url:
        yield url


def gdal_fields(server: str, layer: str) -> dict[str, str]:
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"OAPIF:{server}/ogc", layer],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    fields: dict[str, str] = {}
    for line in result.stdout.splitlines():
        name, sep, kind = line.partition(": ")
        if sep and " (" in kind:
            fields[name.strip()] = kind.split(" (")[0]
    return fields


def test_gdal_types_fields_from_the_schema(server: str) -> None:
    fields = gdal_fields(server, "water-systems")
    assert fields["surveyed_on"] == "Date"
    assert fields["status_evidence_at"] == "DateTime"
    assert fields["updated_at"] == "DateTime"
    assert fields["population_served"] == "Integer"
    assert fields["share_green" if "share_green" in fields else "chlorine_share_at_least_05"] in (
        "Real",
    )


def test_gdal_sees_the_fields_of_the_empty_reports_layer(server: str) -> None:
    """No validated report in the seed: the fields come from the schema alone."""
    fields: dict[str, Any] = gdal_fields(server, "reports")
    assert fields["received_at"] == "DateTime"
    assert {"tracking_code", "category", "status", "district_ubigeo"} <= set(fields)
