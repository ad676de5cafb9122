"""OGC API - Features Part 3 (filtering, CQL2) and the queryables, against the real data.

Every CQL2 case is written once in cql2-text; the ``cql2`` library turns it into cql2-json too,
and its own evaluator (``Expr.matches``, in Python, on the same rows as GeoJSON) says which
features should match: the server must return exactly those, in both languages.
"""

from __future__ import annotations

import contextlib
from typing import Any

import cql2
import orjson
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from sqlalchemy import text
from sqlalchemy.orm import Session

ITEMS = "/ogc/collections/water-systems/items"
PART3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter"
SQUARE = "POLYGON((-78.6 -8.2,-78.0 -8.2,-78.0 -7.6,-78.6 -7.6,-78.6 -8.2))"

CASES = [
    "status = 'red' AND population_served > 100",
    "status IN ('red','yellow') OR population_served < 50",
    "status <> 'grey'",
    "name LIKE 'Sistema de S%'",
    "casei(name) LIKE casei('SISTEMA DE S%')",
    "accenti(casei(province)) = accenti(casei('SANCHEZ CARRION'))",
    "population_served BETWEEN 100 AND 300",
    "has_treatment = true",
    "treatment_type IS NULL",
    "treatment_type IS NOT NULL",
    "NOT (province_ubigeo = '130100')",
    "system_type = 'unknown'",
    "surveyed_on > DATE('2016-01-01')",
    "surveyed_on <= '2015-11-30'",
    "T_BEFORE(surveyed_on, DATE('2015-12-01'))",
    "T_AFTER(status_evidence_at, TIMESTAMP('2016-01-01T00:00:00Z'))",
    "T_INTERSECTS(surveyed_on, INTERVAL('2015-10-01','2016-01-31'))",
    "S_INTERSECTS(geometry, BBOX(-78.2,-8.0,-77.6,-7.5))",
    f"S_WITHIN(geometry, {SQUARE})",
    f"S_DISJOINT(geometry, {SQUARE}) AND status = 'yellow'",
    "population_served > dwellings_served",
    "altitude_m >= 3000 AND built_year < 2000",
    "district_ubigeo = '130101' OR province_ubigeo = '130200'",
    "complies_ds031 = false AND official_reading_stale = true",
]


def colour_systems(session: Session) -> None:
    """Give a third of the systems red, a third yellow (the seed leaves all of them grey)."""
    for remainder, colour, day in ((0, "red", "2016-02-01"), (1, "yellow", "2015-06-01")):
        session.execute(
            text(
                "UPDATE water_system SET status = :colour, status_evidence = 'official', "
                "status_evidence_at = CAST(:day AS date) + id * interval '1 day' "
                "WHERE id % 3 = :remainder"
            ),
            {"colour": colour, "day": day, "remainder": remainder},
        )
    session.flush()


@pytest.fixture
def everything(client: TestClient, session: Session) -> list[dict[str, Any]]:
    colour_systems(session)
    body = client.get(ITEMS, params={"limit": "10000"}).json()
    assert body["numberMatched"] == len(body["features"]) == 371
    return body["features"]


def matching(text: str, features: list[dict[str, Any]]) -> set[str]:
    expr = cql2.Expr(text)
    found = set()
    for feature in features:
        # A null operand makes the condition unknown (cql2 raises), excluded like SQL's NULL.
        with contextlib.suppress(Exception):
            if expr.matches(feature):
                found.add(feature["id"])
    return found


def ids(client: TestClient, params: dict[str, str]) -> set[str]:
    response = client.get(ITEMS, params={"limit": "10000", **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["numberMatched"] == body["numberReturned"]
    return {f["id"] for f in body["features"]}


def test_conformance_declares_part_3_and_cql2(client: TestClient) -> None:
    classes = client.get("/ogc/conformance").json()["conformsTo"]
    for name in (
        PART3,
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    ):
        assert name in classes
    # Not claimed: what the server does not do in full.
    assert "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions" not in classes
    assert "http://www.opengis.net/spec/cql2/1.0/conf/arithmetic" not in classes


@pytest.mark.parametrize(
    "collection_id", ["water-systems", "water-sources", "reports", "districts"]
)
def test_queryables_are_json_schema_2020_12(client: TestClient, collection_id: str) -> None:
    collection = client.get(f"/ogc/collections/{collection_id}").json()
    link = next(x for x in collection["links"] if x["rel"].endswith("/queryables"))
    response = client.get(link["href"].replace("http://testserver", ""))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    document = response.json()
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == link["href"]
    geometry = document["properties"]["geometry"]
    assert geometry["format"] == (
        "geometry-multipolygon" if collection_id == "districts" else "geometry-point"
    )
    assert "communities" not in document["properties"]


def test_queryables_carry_types_and_vocabularies(client: TestClient) -> None:
    document = client.get("/ogc/collections/water-systems/queryables").json()
    props = document["properties"]
    assert props["status"] == {
        "type": "string",
        "title": "Status",
        "enum": ["green", "yellow", "red", "grey"],
    }
    assert props["population_served"]["type"] == "integer"
    assert props["surveyed_on"] == {"type": "string", "format": "date", "title": "Surveyed on"}
    assert props["status_evidence_at"]["format"] == "date-time"
    assert props["code"]["x-ogc-role"] == "id"


@pytest.mark.parametrize("text", CASES)
def test_cql2_text_and_json_match_the_python_evaluation(
    client: TestClient, everything: list[dict[str, Any]], text: str
) -> None:
    expected = matching(text, everything)
    assert ids(client, {"filter": text}) == expected
    as_json = orjson.dumps(cql2.Expr(text).to_json()).decode()
    assert ids(client, {"filter": as_json, "filter-lang": "cql2-json"}) == expected


def test_the_cases_are_not_trivial(everything: list[dict[str, Any]]) -> None:
    """A case matching nothing or everything would not show a wrong translation."""
    sizes = {text: len(matching(text, everything)) for text in CASES}
    trivial = [t for t, n in sizes.items() if n in (0, len(everything))]
    assert len(trivial) <= 2, trivial


def test_filter_combines_with_bbox_and_paging_keeps_it(
    client: TestClient, session: Session
) -> None:
    colour_systems(session)
    condition = "status = 'grey' AND population_served > 100"
    box = "-79.5,-8.5,-77.5,-7.0"
    body = client.get(ITEMS, params={"filter": condition, "bbox": box, "limit": "2"}).json()
    assert body["numberMatched"] > 2
    following = next(x for x in body["links"] if x["rel"] == "next")["href"]
    assert "filter=status" in following and "bbox=" in following
    second = client.get(following.replace("http://testserver", "")).json()
    assert second["numberMatched"] == body["numberMatched"]
    assert not {f["id"] for f in second["features"]} & {f["id"] for f in body["features"]}
    for feature in (*body["features"], *second["features"]):
        assert feature["properties"]["status"] == "grey"
        assert feature["properties"]["population_served"] > 100


def test_filters_on_other_collections(client: TestClient) -> None:
    districts = client.get(
        "/ogc/collections/districts/items",
        params={"filter": "province_ubigeo = '130100' AND systems >= 0"},
    ).json()
    by_parameter = client.get(
        "/ogc/collections/districts/items", params={"province": "130100"}
    ).json()
    assert districts["numberMatched"] == by_parameter["numberMatched"] > 1
    reports = client.get("/ogc/collections/reports/items", params={"filter": "status = 'open'"})
    assert reports.status_code == 200


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"filter": "colour = 'red'"}, "unknown property 'colour'"),
        ({"filter": "reporter_contact LIKE '%9%'"}, "unknown property 'reporter_contact'"),
        ({"filter": "foo(name) = 'x'"}, "'foo' is not supported"),
        ({"filter": "population_served + 1 > 5"}, "'+' is not supported"),
        ({"filter": "A_CONTAINS(communities, ('x'))"}, "not supported"),
        ({"filter": "status = "}, "not valid cql2-text"),
        ({"filter": "status = 'red' AND"}, "not valid cql2-text"),
        ({"filter": "{bad json", "filter-lang": "cql2-json"}, "not valid cql2-json"),
        ({"filter": '{"op": "and"}', "filter-lang": "cql2-json"}, "not valid cql2-json"),
        ({"filter": "status = 'red'", "filter-lang": "ecql"}, "ecql"),
        ({"filter": "status = 'red'", "filter-crs": "EPSG:32717"}, "not supported"),
        ({"filter": "population_served = 'many'"}, "cannot compare integer with string 'many'"),
        ({"filter": "name > 3"}, "cannot compare string with number"),
        ({"filter": "surveyed_on > 'yesterday'"}, "cannot compare"),
        ({"filter": "surveyed_on > DATE('2016-02-30')"}, "not a date"),
        ({"filter": "population_served LIKE '1%'"}, "LIKE"),
        ({"filter": "has_treatment < true"}, "needs numbers, dates or text"),
        ({"filter": "S_INTERSECTS(geometry, 'x')"}, "two geometries"),
        ({"filter": "S_INTERSECTS(name, POINT(1 2))"}, "two geometries"),
        (
            {"filter": "S_WITHIN(geometry, POLYGON((0 0,1 1,1 0,0 1,0 0)))"},
            "invalid (Self-intersection",
        ),
        ({"filter": "T_AFTER(name, DATE('2016-01-01'))"}, "date property"),
        ({"filter": "name"}, "must be a condition"),
        ({"filter": ""}, "must not be empty"),
        ({"filter-lang": "cql2-text"}, "only meaningful with filter"),
        ({"filter": "status = 'red' " + "OR status = 'red' " * 2000}, "longer than"),
    ],
)
def test_bad_filters_answer_400_with_a_clear_message(
    client: TestClient, params: dict[str, str], fragment: str
) -> None:
    response = client.get(ITEMS, params={**params, "lang": "en"})
    assert response.status_code == 400, response.text
    assert fragment in response.json()["error"]["message"]


def test_filter_errors_are_translated(client: TestClient) -> None:
    response = client.get(ITEMS, params={"filter": "colour = 'red'"})
    assert response.json()["error"]["message"].startswith("filter: propiedad desconocida 'colour'")


def test_values_are_bound_never_spliced_into_the_sql(client: TestClient) -> None:
    """A quote in a value is data: the filter matches nothing and the table is still there."""
    hostile = "name = 'x'' OR 1=1; DROP TABLE water_system; --'"
    assert ids(client, {"filter": hostile}) == set()
    assert client.get(ITEMS, params={"limit": "1"}).json()["numberMatched"] == 371


def test_filters_of_one_structure_share_a_statement_but_not_their_values(
    client: TestClient, everything: list[dict[str, Any]]
) -> None:
    """The statement is cached per structure; each request's own values must still decide."""
    for low in (50, 100, 300, 600):
        text = f"population_served > {low} AND status <> 'grey'"
        assert ids(client, {"filter": text}) == matching(text, everything), low
