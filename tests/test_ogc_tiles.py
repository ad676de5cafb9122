"""Vector tiles (OGC API - Tiles, WebMercatorQuad, ST_AsMVT), decoded with mapbox-vector-tile and
read with GDAL's MVT driver."""

from __future__ import annotations

import subprocess
from pathlib import Path

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.models import WaterSystem
from geodata.opendata.tiles import lon_lat_to_tile

TILES = "/ogc/collections/water-systems/tiles/WebMercatorQuad"
MVT = "application/vnd.mapbox-vector-tile"


def decode(content: bytes) -> dict:
    return mapbox_vector_tile.decode(content)


def test_conformance_landing_and_tileset_documents(client: TestClient) -> None:
    classes = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt" in classes
    tms = client.get("/ogc/tileMatrixSets/WebMercatorQuad").json()
    assert len(tms["tileMatrices"]) == 23 and tms["tileMatrices"][3]["matrixWidth"] == 8
    links = client.get("/ogc/collections/water-systems").json()["links"]
    tiles_href = next(x["href"] for x in links if x["rel"].endswith("tilesets-vector"))
    tilesets = client.get(tiles_href.replace("http://testserver", "")).json()["tilesets"]
    template = next(x for x in tilesets[0]["links"] if x["rel"] == "item")
    assert template["href"].endswith("/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}")
    assert template["type"] == MVT


def test_the_world_tile_holds_every_system(client: TestClient, session: Session) -> None:
    response = client.get(f"{TILES}/0/0/0")
    assert response.status_code == 200
    assert response.headers["content-type"] == MVT
    layer = decode(response.content)["water-systems"]
    total = session.scalar(select(func.count()).select_from(WaterSystem))
    assert len(layer["features"]) == total == 371
    properties = layer["features"][0]["properties"]
    assert {"code", "name", "status", "population_served"} <= set(properties)
    assert "communities" not in properties
    assert layer["extent"] == 4096


def test_a_zoomed_tile_holds_only_its_systems(client: TestClient, session: Session) -> None:
    lon, lat = -78.7386, -8.00815  # Sistema de CON CON
    x, y = lon_lat_to_tile(lon, lat, 10)
    layer = decode(client.get(f"{TILES}/10/{y}/{x}").content)["water-systems"]
    codes = {f["properties"]["code"] for f in layer["features"]}
    assert "SIASAR-160421" in codes
    assert 0 < len(codes) < 371
    for feature in layer["features"]:
        px, py = feature["geometry"]["coordinates"]
        assert -64 <= px <= 4096 + 64 and -64 <= py <= 4096 + 64


def test_empty_tiles_filters_and_bad_indices(client: TestClient) -> None:
    assert client.get(f"{TILES}/5/0/0").status_code == 204  # the Arctic
    red = client.get(f"{TILES}/0/0/0", params={"filter": "population_served > 500"})
    big = decode(red.content)["water-systems"]["features"]
    assert big and all(f["properties"]["population_served"] > 500 for f in big)
    assert client.get(f"{TILES}/3/8/0").status_code == 404
    assert client.get(f"{TILES}/23/0/0").status_code == 404
    assert client.get(f"{TILES}/a/0/0").status_code == 400
    assert client.get(f"{TILES}/0/0/0", params={"filter": "nope = 1"}).status_code == 400
    assert (
        client.get("/ogc/collections/water-systems/tiles/WorldCRS84Quad/0/0/0").status_code == 404
    )


@pytest.mark.parametrize("collection_id", ["districts", "water-sources"])
def test_gdal_reads_the_tiles(client: TestClient, tmp_path: Path, collection_id: str) -> None:
    lon, lat = -78.5, -7.9
    x, y = lon_lat_to_tile(lon, lat, 6)
    response = client.get(f"/ogc/collections/{collection_id}/tiles/WebMercatorQuad/6/{y}/{x}")
    assert response.status_code == 200
    # GDAL's MVT driver georeferences a tile from its z/x/y path.
    path = tmp_path / "6" / str(x) / f"{y}.pbf"
    path.parent.mkdir(parents=True)
    path.write_bytes(response.content)
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", f"MVT:{path}"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert f"Layer name: {collection_id}" in result.stdout
    count = int(next(x for x in result.stdout.splitlines() if "Feature Count" in x).split(":")[1])
    assert count == len(decode(response.content)[collection_id]["features"]) > 0
    extent = next(x for x in result.stdout.splitlines() if x.startswith("Extent"))
    assert "-" in extent  # georeferenced in EPSG:3857 (western, southern hemisphere)
