"""OGC API - Features Part 1 abstract test suite (OGC 17-069r4, Annex A), against the real data.

Each test names the abstract test it follows (/ats/core/...). Counts are checked against the
database, so a wrong filter fails even if the response is well formed.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.models import WaterSource, WaterSystem
from geodata.opendata.collections import COLLECTIONS
from geodata.opendata.params import MAX_LIMIT

GEOJSON = "application/geo+json"
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON_CLASS = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
OAS30 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
ITEMS = "/ogc/collections/water-systems/items"


def links_by_rel(document: dict[str, Any], rel: str) -> list[dict[str, Any]]:
    return [link for link in document["links"] if link["rel"] == rel]


def relative(href: str) -> str:
    parts = urlsplit(href)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def assert_links_typed(document: dict[str, Any]) -> None:
    for link in document["links"]:
        assert link["href"].startswith("http"), link
        assert link["rel"] and link["type"], link


# /ats/core/root-op, /ats/core/root-success
def test_landing_page_links_api_conformance_and_data(client: TestClient) -> None:
    response = client.get("/ogc")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["title"]
    assert_links_typed(body)
    for rel in ("self", "service-desc", "conformance", "data", "describedby", "license"):
        assert links_by_rel(body, rel), rel
    service_desc = links_by_rel(body, "service-desc")[0]
    assert service_desc["type"].startswith("application/vnd.oai.openapi+json")
    described_by = links_by_rel(body, "describedby")[0]
    assert described_by["href"].endswith("/downloads/metadata.json")


# /ats/core/api-definition-op, /ats/core/api-definition-success, /ats/oas30/oas-definition-1
def test_api_definition_is_openapi_3_0_with_every_path(client: TestClient) -> None:
    response = client.get("/ogc/api")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.0")
    assert document["servers"][0]["url"].endswith("/ogc")
    for path in ("/", "/conformance", "/collections", "/collections/{collectionId}"):
        assert path in document["paths"]
    for collection_id in COLLECTIONS:
        items = document["paths"][f"/collections/{collection_id}/items"]["get"]
        refs = {p.get("$ref", p.get("name")) for p in items["parameters"]}
        assert "#/components/parameters/bbox" in refs
        assert "#/components/parameters/limit" in refs
    limit = document["components"]["parameters"]["limit"]["schema"]
    assert limit == {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100}


# /ats/core/conformance-op, /ats/core/conformance-success
def test_conformance_declares_core_geojson_and_oas30(client: TestClient) -> None:
    body = client.get("/ogc/conformance").json()
    assert {CORE, GEOJSON_CLASS, OAS30} <= set(body["conformsTo"])


# /ats/core/fc-md-op, /ats/core/fc-md-success, /ats/core/fc-md-links, /ats/core/fc-md-extent
def test_collections_describe_each_collection_with_extent_and_links(client: TestClient) -> None:
    body = client.get("/ogc/collections").json()
    assert_links_typed(body)
    assert links_by_rel(body, "self")
    ids = [c["id"] for c in body["collections"]]
    assert ids == ["water-systems", "water-sources", "reports", "districts"]
    by_id = {c["id"]: c for c in body["collections"]}
    for collection in body["collections"]:
        assert collection["itemType"] == "feature"
        assert_links_typed(collection)
        item_links = links_by_rel(collection, "items")
        assert {link["type"] for link in item_links} >= {GEOJSON, "text/html"}
        assert links_by_rel(collection, "license")
        assert collection["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
    minx, miny, maxx, maxy = by_id["water-systems"]["extent"]["spatial"]["bbox"][0]
    assert -80 < minx < maxx < -76 and -10 < miny < maxy < -6  # La Libertad in lon/lat order
    downloads = {link["type"] for link in links_by_rel(by_id["water-systems"], "enclosure")}
    assert {GEOJSON, "application/geopackage+sqlite3"} <= downloads


# /ats/core/sfc-md-op, /ats/core/sfc-md-success
@pytest.mark.parametrize("collection_id", list(COLLECTIONS))
def test_each_collection_has_its_own_description(client: TestClient, collection_id: str) -> None:
    response = client.get(f"/ogc/collections/{collection_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == collection_id
    assert links_by_rel(body, "items")


# /ats/core/fc-op, /ats/core/fc-response, /ats/geojson/content
def test_items_are_a_geojson_feature_collection_in_lon_lat(
    client: TestClient, session: Session
) -> None:
    response = client.get(ITEMS)
    assert response.status_code == 200
    assert response.headers["content-type"] == GEOJSON
    body = response.json()
    total = session.scalar(select(func.count()).select_from(WaterSystem))
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == total == 371
    assert body["numberReturned"] == len(body["features"]) == 100  # default limit
    assert body["timeStamp"].endswith("Z")
    assert_links_typed(body)
    assert links_by_rel(body, "self")[0]["type"] == GEOJSON
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert feature["id"] == feature["properties"]["code"]
    lon, lat = feature["geometry"]["coordinates"]
    assert -80 < lon < -76 and -10 < lat < -6


# /ats/core/f-op, /ats/core/f-success
def test_single_feature_by_public_code(client: TestClient) -> None:
    response = client.get(f"{ITEMS}/SIASAR-160421")
    assert response.status_code == 200
    assert response.headers["content-type"] == GEOJSON
    body = response.json()
    assert body["type"] == "Feature"
    assert body["id"] == "SIASAR-160421"
    assert body["properties"]["name"] == "Sistema de CON CON"
    assert links_by_rel(body, "self") and links_by_rel(body, "collection")


def test_features_of_every_collection_use_their_public_ids(client: TestClient) -> None:
    source = client.get("/ogc/collections/water-sources/items?limit=1").json()["features"][0]
    assert client.get(f"/ogc/collections/water-sources/items/{source['id']}").status_code == 200
    district = client.get("/ogc/collections/districts/items/130101").json()
    assert district["properties"]["name"] == "Trujillo"
    assert district["geometry"]["type"] == "MultiPolygon"


# /ats/core/fc-limit-default-minimum-maximum, /ats/core/fc-limit-response-1
@pytest.mark.parametrize(("limit", "returned"), [("1", 1), ("7", 7), ("371", 371), ("500", 371)])
def test_limit(client: TestClient, limit: str, returned: int) -> None:
    body = client.get(ITEMS, params={"limit": limit}).json()
    assert body["numberReturned"] == len(body["features"]) == returned


@pytest.mark.parametrize("limit", [str(MAX_LIMIT + 1), str(MAX_LIMIT * 10), "9" * 30])
def test_limit_above_maximum_is_capped_not_refused(client: TestClient, limit: str) -> None:
    response = client.get(ITEMS, params={"limit": limit})
    assert response.status_code == 200
    self_link = links_by_rel(response.json(), "self")[0]["href"]
    assert parse_qs(urlsplit(self_link).query)["limit"] == [str(MAX_LIMIT)]


# /ats/core/fc-links, /ats/core/fc-response (paging)
@pytest.mark.parametrize("collection_id", ["water-systems", "water-sources", "districts"])
def test_next_links_walk_every_feature_once_and_terminate(
    client: TestClient, collection_id: str
) -> None:
    url = f"/ogc/collections/{collection_id}/items?limit=37"
    seen: list[str] = []
    pages = 0
    matched = None
    while url:
        body = client.get(url).json()
        pages += 1
        assert pages < 50, "next links do not terminate"
        matched = body["numberMatched"]
        seen.extend(f["id"] for f in body["features"])
        nxt = links_by_rel(body, "next")
        if pages > 1:
            assert links_by_rel(body, "prev")
        url = relative(nxt[0]["href"]) if nxt else ""
    assert len(seen) == len(set(seen)) == matched


def test_prev_link_goes_back_one_page(client: TestClient) -> None:
    first = client.get(ITEMS, params={"limit": "10"}).json()
    assert not links_by_rel(first, "prev")
    second = client.get(relative(links_by_rel(first, "next")[0]["href"])).json()
    back = client.get(relative(links_by_rel(second, "prev")[0]["href"])).json()
    assert [f["id"] for f in back["features"]] == [f["id"] for f in first["features"]]


def test_last_page_has_no_next_and_an_offset_past_the_end_is_empty(client: TestClient) -> None:
    last = client.get(ITEMS, params={"limit": "100", "offset": "300"}).json()
    assert last["numberReturned"] == 71
    assert not links_by_rel(last, "next")
    beyond = client.get(ITEMS, params={"offset": "5000"}).json()
    assert beyond["features"] == [] and beyond["numberMatched"] == 371


# /ats/core/fc-bbox-definition, /ats/core/fc-bbox-response
@pytest.mark.parametrize(
    "bbox",
    [
        (-79.2, -8.3, -78.8, -7.9),  # around Trujillo
        (-78.2, -8.0, -77.6, -7.5),  # Andes
        (-80.0, -9.0, -77.0, -7.0),  # the whole region
        (-70.0, -5.0, -69.0, -4.0),  # nothing there
    ],
)
def test_bbox_selects_exactly_the_features_inside(
    client: TestClient, session: Session, bbox: tuple[float, ...]
) -> None:
    expected = set(
        session.scalars(
            select(WaterSystem.code).where(
                func.ST_Intersects(WaterSystem.geom, func.ST_MakeEnvelope(*bbox, 4326))
            )
        )
    )
    body = client.get(ITEMS, params={"bbox": ",".join(map(str, bbox)), "limit": "1000"}).json()
    assert body["numberMatched"] == len(expected)
    assert {f["id"] for f in body["features"]} == expected
    for feature in body["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def test_bbox_with_heights_is_accepted(client: TestClient) -> None:
    two_d = client.get(ITEMS, params={"bbox": "-78.2,-8.0,-77.6,-7.5"}).json()
    three_d = client.get(ITEMS, params={"bbox": "-78.2,-8.0,0,-77.6,-7.5,5000"}).json()
    assert three_d["numberMatched"] == two_d["numberMatched"] > 0


def test_bbox_on_polygons_and_filters_combine(client: TestClient) -> None:
    body = client.get(
        "/ogc/collections/districts/items", params={"bbox": "-79.05,-8.13,-79.0,-8.1"}
    ).json()
    assert "130101" in {f["id"] for f in body["features"]}
    one = client.get("/ogc/collections/districts/items", params={"province": "130100"}).json()
    assert one["numberMatched"] == 12  # Trujillo province, Alto Trujillo included


# /ats/core/fc-time-definition, /ats/core/fc-time-response
@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2015-09-14", "2015-09-14", "2015-09-14"),
        ("2015-09-14T00:00:00Z", None, None),
        ("2015-01-01/2015-06-30", "2015-01-01", "2015-06-30"),
        ("../2015-06-30", None, "2015-06-30"),
        ("2015-10-01/..", "2015-10-01", None),
        ("2015-10-01/", "2015-10-01", None),
        ("2015-01-01T00:00:00Z/2015-12-31T23:59:59Z", "2015-01-01", "2015-12-31"),
    ],
)
def test_datetime_instants_and_intervals_with_open_ends(
    client: TestClient, session: Session, value: str, start: str | None, end: str | None
) -> None:
    # Seeded systems have no status evidence yet, so their date is the survey date.
    assert (
        session.scalar(select(func.count()).where(WaterSystem.status_evidence_at.is_not(None))) == 0
    )
    surveyed = WaterSystem.surveyed_on
    query = select(func.count()).select_from(WaterSystem).where(surveyed.is_not(None))
    if value.endswith("T00:00:00Z"):
        query = query.where(surveyed == date(2015, 9, 14))
    if start:
        query = query.where(surveyed >= date.fromisoformat(start))
    if end:
        query = query.where(surveyed <= date.fromisoformat(end))
    expected = session.scalar(query)
    body = client.get(ITEMS, params={"datetime": value, "limit": "1"}).json()
    assert body["numberMatched"] == expected
    assert expected is not None and expected > 0


def test_datetime_on_reports_and_sources(client: TestClient, session: Session) -> None:
    with_evidence = session.scalar(
        select(func.count()).where(WaterSource.status_evidence_at.is_not(None))
    )
    sources = client.get("/ogc/collections/water-sources/items?datetime=2000-01-01/..").json()
    assert sources["numberMatched"] == with_evidence


# /ats/core/query-param-invalid, /ats/core/query-param-unknown
@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"bbox": "-79,-8,-78"}, "4 numbers"),
        ({"bbox": "a,b,c,d"}, "only numbers"),
        ({"bbox": "-78,-8,-79,-7"}, "minx"),
        ({"bbox": "-79,-8,-78,-7.5,1"}, "4 numbers"),
        ({"bbox": "-79,-95,-78,-7"}, "latitudes"),
        ({"bbox": "-79,-8,-78,nan"}, "only numbers"),
        ({"datetime": "yesterday"}, "RFC 3339"),
        ({"datetime": "2020-13-01"}, "RFC 3339"),
        ({"datetime": "2020-01-01/2019-01-01"}, "starts after"),
        ({"datetime": "../.."}, "closed end"),
        ({"datetime": "2020-01-01/2020-02-01/2020-03-01"}, "RFC 3339"),
        ({"limit": "ten"}, "whole number"),
        ({"limit": "2.5"}, "whole number"),
        ({"limit": "0"}, "at least 1"),
        ({"offset": "-1"}, "at least 0"),
        ({"offset": "99999999999999999999"}, "at most"),
        ({"datetime": "9999-12-31"}, "RFC 3339"),
        ({"datetime": "2020-01-01T25:00:00Z"}, "RFC 3339"),
        ({"district": ""}, "must not be empty"),
        ({"province": " , "}, "must not be empty"),
        ({"status": "purple"}, "purple"),
        ({"colour": "red"}, "unknown query parameter"),
        ({"f": "xml"}, "xml"),
    ],
)
def test_bad_parameters_answer_400_with_a_clear_message(
    client: TestClient, params: dict[str, str], fragment: str
) -> None:
    response = client.get(ITEMS, params={**params, "lang": "en"})
    assert response.status_code == 400
    assert fragment in response.json()["error"]["message"]


def test_error_messages_are_translated(client: TestClient) -> None:
    response = client.get(ITEMS, params={"bbox": "1,2,3"}, headers={"Accept-Language": "es"})
    assert response.json()["error"]["message"].startswith("bbox debe tener 4 números")
    unknown = client.get("/ogc/collections/lagos", headers={"Accept-Language": "es"})
    assert unknown.json()["error"]["message"] == "No existe la colección 'lagos'."


# /ats/core/fc-op (404), /ats/core/f-op (404)
def test_unknown_collection_and_feature_are_404(client: TestClient) -> None:
    assert client.get("/ogc/collections/rivers").status_code == 404
    assert client.get("/ogc/collections/rivers/items").status_code == 404
    missing = client.get(f"{ITEMS}/SIASAR-000000")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "feature_not_found"


def test_unknown_parameters_are_refused_on_every_resource(client: TestClient) -> None:
    for path in ("/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/districts"):
        assert client.get(path, params={"foo": "1"}).status_code == 400, path


@pytest.mark.parametrize(
    ("name", "value", "column"),
    [
        ("status", "grey", WaterSystem.status),
        ("system_type", "gravity", WaterSystem.system_type),
        ("evidence", "none", WaterSystem.status_evidence),
    ],
)
def test_property_filters_match_the_database(
    client: TestClient, session: Session, name: str, value: str, column: Any
) -> None:
    expected = session.scalar(select(func.count()).where(column == value))
    body = client.get(ITEMS, params={name: value, "limit": "1"}).json()
    assert body["numberMatched"] == expected
    next_href = links_by_rel(body, "next")[0]["href"] if expected and expected > 1 else ""
    if next_href:
        assert f"{name}={value}" in next_href  # filters survive paging


def test_district_filter_and_multiple_values(client: TestClient, session: Session) -> None:
    body = client.get(ITEMS, params={"province": "130100"}).json()
    assert all(f["properties"]["province_ubigeo"] == "130100" for f in body["features"])
    both = client.get(ITEMS, params={"status": "grey,red", "limit": "1"}).json()
    grey = client.get(ITEMS, params={"status": "grey", "limit": "1"}).json()
    red = client.get(ITEMS, params={"status": "red", "limit": "1"}).json()
    assert both["numberMatched"] == grey["numberMatched"] + red["numberMatched"]


# /ats/html/content
def test_html_representations(client: TestClient) -> None:
    for path in ("/ogc", "/ogc/collections", f"{ITEMS}?limit=5", f"{ITEMS}/SIASAR-160421"):
        sep = "&" if "?" in path else "?"
        response = client.get(f"{path}{sep}f=html")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "<!doctype html>" in response.text
    browser = client.get("/ogc/collections", headers={"Accept": "text/html,*/*"})
    assert browser.headers["content-type"].startswith("text/html")
    assert "Sistema de CON CON" in client.get(f"{ITEMS}/SIASAR-160421?f=html").text
