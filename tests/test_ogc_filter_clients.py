"""Part 3 and the feature schemas through real clients over HTTP: OWSLib and GDAL's OAPIF driver.

A uvicorn server on a free port serves the committed test database (the seeded La Libertad data).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from geodata.models import WaterSystem
from tests.ogc_support import live_server, publish

BOX = (-78.9, -8.3, -77.6, -7.5)


@pytest.fixture(scope="module")
def server(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    publish_dir = tmp_path_factory.mktemp("publish")
    with Session(engine) as session:
        publish(session, publish_dir)
    with live_server(publish_dir) as url:
        yield url


def count_in_database(engine: Engine, *conditions: object) -> int:
    with Session(engine) as session:
        stmt = select(func.count()).select_from(WaterSystem).where(*conditions)  # type: ignore[arg-type]
        return session.scalar(stmt) or 0


def test_owslib_reads_the_queryables_and_sends_a_cql2_filter(server: str, engine: Engine) -> None:
    from owslib.ogcapi.features import Features

    api = Features(f"{server}/ogc")
    queryables = api.collection_queryables("water-systems")
    assert queryables["properties"]["population_served"]["type"] == "integer"
    assert queryables["properties"]["geometry"]["format"] == "geometry-point"
    text = (
        f"population_served > 100 AND S_INTERSECTS(geometry, BBOX({','.join(str(v) for v in BOX)}))"
    )
    page = api.collection_items("water-systems", filter=text, limit=1000)
    envelope = func.ST_MakeEnvelope(*BOX, 4326)
    expected = count_in_database(
        engine, WaterSystem.population_served > 100, func.ST_Intersects(WaterSystem.geom, envelope)
    )
    assert 0 < page["numberMatched"] == expected < 371
    assert all(f["properties"]["population_served"] > 100 for f in page["features"])


def ogrinfo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ogrinfo", "-ro", *args], check=True, capture_output=True, text=True, timeout=120
    )


def test_gdal_sends_its_attribute_filter_to_the_server_as_cql2(server: str, engine: Engine) -> None:
    result = ogrinfo(
        "-so",
        "--debug",
        "on",
        "-where",
        "population_served > 100 AND has_treatment = 1 AND surveyed_on > '2015-06-01'",
        f"OAPIF:{server}/ogc",
        "water-systems",
    )
    # Debian 12's GDAL 3.6 speaks the drafts' name, cql-text; later ones cql2-text.
    sent = [x for x in result.stderr.splitlines() if "filter=" in x and "filter-lang=cql" in x]
    assert sent, result.stderr[-3000:]
    assert "Using JSON schema" in result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("Feature Count"))
    expected = count_in_database(
        engine,
        WaterSystem.population_served > 100,
        WaterSystem.has_treatment.is_(True),
        WaterSystem.surveyed_on > date(2015, 6, 1),
    )
    assert expected > 0
    assert int(line.split(":")[1]) == expected
