"""Real clients over real HTTP: OWSLib's OGC API Features client and GDAL's OAPIF driver.

A uvicorn server on a free port serves the committed test database (the seeded La Libertad data).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from geodata.models import AdminArea, AreaLevel, WaterSource, WaterSystem
from tests.ogc_support import live_server, publish


@pytest.fixture(scope="module")
def server(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    publish_dir = tmp_path_factory.mktemp("publish")
    with Session(engine) as session:
        publish(session, publish_dir)
    with live_server(publish_dir) as url:
        yield url


@pytest.fixture(scope="module")
def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            "water-systems": session.scalar(select(func.count()).select_from(WaterSystem)) or 0,
            "water-sources": session.scalar(select(func.count()).select_from(WaterSource)) or 0,
            "districts": session.scalar(
                select(func.count()).where(AdminArea.level == AreaLevel.DISTRICT)
            )
            or 0,
        }


def test_owslib_lists_collections_and_pages_through_items(
    server: str, counts: dict[str, int]
) -> None:
    from owslib.ogcapi.features import Features

    api = Features(f"{server}/ogc")
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in (api.conformance()["conformsTo"])
    )
    ids = [c["id"] for c in api.collections()["collections"]]
    assert ids == ["water-systems", "water-sources", "reports", "districts"]
    assert api.collection("water-systems")["title"] == "Water systems of La Libertad"
    seen: set[str] = set()
    offset = 0
    while True:
        page = api.collection_items("water-systems", limit=100, offset=offset)
        seen.update(f["id"] for f in page["features"])
        assert page["numberMatched"] == counts["water-systems"]
        if not any(link["rel"] == "next" for link in page["links"]):
            break
        offset += page["numberReturned"]
    assert len(seen) == counts["water-systems"] == 371
    feature = api.collection_item("water-systems", "SIASAR-160421")
    assert feature["properties"]["name"] == "Sistema de CON CON"
    inside = api.collection_items("water-systems", bbox=[-78.2, -8.0, -77.6, -7.5], limit=10)
    assert 0 < inside["numberMatched"] < counts["water-systems"]


@pytest.mark.parametrize("collection_id", ["water-systems", "water-sources", "districts"])
def test_gdal_oapif_copies_a_collection_into_a_geopackage(
    server: str, counts: dict[str, int], tmp_path: Path, collection_id: str
) -> None:
    target = tmp_path / f"{collection_id}.gpkg"
    subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{server}/ogc", collection_id],
        check=True,
        capture_output=True,
        timeout=120,
    )
    info = pyogrio.read_info(target, layer=collection_id)
    assert info["features"] == counts[collection_id]
    assert "code" in info["fields"] or "ubigeo" in info["fields"]


def test_gdal_oapif_filters_by_bbox(server: str) -> None:
    result = subprocess.run(
        [
            *("ogrinfo", "-ro", "-so", "-spat", "-78.2", "-8.0", "-77.6", "-7.5"),
            *(f"OAPIF:{server}/ogc", "water-systems"),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("Feature Count"))
    assert 0 < int(line.split(":")[1]) < 371


@pytest.mark.parametrize(
    ("name", "layer"),
    [("water-sources.geojson", "water-sources"), ("water-sources.gpkg", "water_sources")],
)
def test_gdal_reads_a_download_over_http(
    server: str, counts: dict[str, int], name: str, layer: str
) -> None:
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"/vsicurl/{server}/downloads/{name}", layer],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert f"Feature Count: {counts['water-sources']}" in result.stdout
