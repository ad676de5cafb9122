"""Downloads: every file opens with GDAL with the database's count and fields; HTTP caching."""

from __future__ import annotations

import csv
import gzip
from datetime import date
from pathlib import Path

import orjson
import pyogrio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.catalog import MAPSPERU, SIASAR
from geodata.models import AdminArea, AreaLevel, ReportStatus, WaterSource, WaterSystem
from geodata.opendata.collections import COLLECTIONS
from geodata.opendata.wpdx import HASHTAGS, status_id
from tests.ogc_support import add_report, publish, use_publish_dir


@pytest.fixture
def published(session: Session, client: TestClient, tmp_path: Path) -> Path:
    add_report(session, ReportStatus.VALIDATED)
    add_report(session, ReportStatus.RESOLVED)
    add_report(session, ReportStatus.RECEIVED)
    directory = tmp_path / "publish"
    publish(session, directory)
    use_publish_dir(client, directory)
    return directory


def expected_counts(session: Session) -> dict[str, int]:
    return {
        "water-systems": session.scalar(select(func.count()).select_from(WaterSystem)) or 0,
        "water-sources": session.scalar(select(func.count()).select_from(WaterSource)) or 0,
        "reports": 2,  # the validated and the resolved one; 'received' is not public
        "districts": session.scalar(
            select(func.count()).where(AdminArea.level == AreaLevel.DISTRICT)
        )
        or 0,
    }


def download(client: TestClient, name: str, target: Path) -> Path:
    response = client.get(f"/downloads/{name}", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200, response.text
    path = target / name
    path.write_bytes(response.content)
    return path


def test_index_lists_every_collection_and_format(client: TestClient, published: Path) -> None:
    body = client.get("/downloads").json()
    assert body["licence"]["id"] == "CC-BY-4.0"
    files = {c["id"]: [f["name"] for f in c["files"]] for c in body["collections"]}
    assert files["water-systems"] == [
        "water-systems.geojson",
        "water-systems.csv",
        "water-systems.gpkg",
        "water-systems.wpdx.csv",
    ]
    assert "water-sources.wpdx.csv" in files["water-sources"]
    assert files["districts"] == ["districts.geojson", "districts.csv", "districts.gpkg"]
    assert {link["rel"] for link in body["links"]} >= {"describedby", "license"}
    page = client.get("/downloads?f=html")
    assert page.headers["content-type"].startswith("text/html")
    assert "water-systems.gpkg" in page.text and "CC BY 4.0" in page.text


@pytest.mark.parametrize("collection_id", list(COLLECTIONS))
def test_every_file_opens_with_the_expected_count_and_fields(
    client: TestClient, session: Session, published: Path, tmp_path: Path, collection_id: str
) -> None:
    count = expected_counts(session)[collection_id]
    fields = list(COLLECTIONS[collection_id].properties)
    for suffix in ("geojson", "gpkg", "csv"):
        path = download(client, f"{collection_id}.{suffix}", tmp_path)
        info = pyogrio.read_info(path)
        assert info["features"] == count, suffix
        names = list(info["fields"])
        if suffix == "csv":
            assert names[:2] == ["lon", "lat"]
            names = names[2:]
        if suffix == "geojson" and count:
            assert names[0] == "id"  # GDAL exposes the string feature id as a field
            names = names[1:]
        assert names == fields, suffix
        if suffix != "csv" and count:
            assert info["crs"] == "EPSG:4326"
    if count:
        meta = pyogrio.read_info(tmp_path / f"{collection_id}.gpkg")["layer_metadata"]
        assert meta["LICENSE"] == COLLECTIONS[collection_id].licence
        assert meta["METADATA"].endswith("/downloads/metadata.json")


def test_csv_has_lon_lat_and_flat_values(
    client: TestClient, published: Path, tmp_path: Path
) -> None:
    path = download(client, "water-systems.csv", tmp_path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    con_con = next(r for r in rows if r["code"] == "SIASAR-160421")
    assert (con_con["lon"], con_con["lat"]) == ("-78.738600", "-8.008150")
    assert con_con["communities"] == "CON CON"
    assert con_con["has_treatment"] == "true"
    districts = list(csv.DictReader(download(client, "districts.csv", tmp_path).open()))
    assert len(districts) == 84 and all(r["lon"] and r["lat"] for r in districts)


def test_geojson_download_carries_licence_and_metadata_link(
    client: TestClient, published: Path
) -> None:
    body = orjson.loads(client.get("/downloads/districts.geojson").content)
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 84
    assert "GPL-3.0" in body["license"] and MAPSPERU in body["attribution"]
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert rels["describedby"].endswith("/downloads/metadata.json")
    systems = orjson.loads(client.get("/downloads/water-systems.geojson").content)
    assert SIASAR in systems["attribution"]


@pytest.mark.parametrize("collection_id", ["water-systems", "water-sources"])
def test_wpdx_csv_has_names_then_hashtags_and_one_row_per_point(
    client: TestClient, session: Session, published: Path, tmp_path: Path, collection_id: str
) -> None:
    path = download(client, f"{collection_id}.wpdx.csv", tmp_path)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0][0] == "Water point ID" and tuple(rows[1]) == HASHTAGS
    for tag in ("#status_id", "#water_source", "#water_tech", "#management", "#report_date"):
        assert tag in rows[1]
    data = [dict(zip(rows[1], row, strict=True)) for row in rows[2:]]
    assert len(data) == expected_counts(session)[collection_id]
    assert {r["#status_id"] for r in data} <= {"Yes", "No", "Unknown"}
    assert {r["#adm1"] for r in data} == {"La Libertad"}
    assert {r["#country_id"] for r in data} == {"PE"}
    assert all(r["#adm2"] and r["#adm3"] for r in data)
    assert all(SIASAR in r["#source"] for r in data)
    for r in data:
        assert -9.5 < float(r["#lat_deg"]) < -6.5 and -80 < float(r["#lon_deg"]) < -76.5
    # GDAL opens it too: the hashtag row reads as one extra record (the HXL convention).
    assert pyogrio.read_info(path)["features"] == len(data) + 1


def test_wpdx_values_of_a_known_system(client: TestClient, published: Path, tmp_path: Path) -> None:
    rows = list(csv.reader(download(client, "water-systems.wpdx.csv", tmp_path).open()))
    data = {row[0]: dict(zip(rows[1], row, strict=True)) for row in rows[2:]}
    con_con = data["SIASAR-160421"]
    # Grey (no current evidence), and the 2015 survey left both seasons blank (SIASAR's
    # export wrote "NO" for a blank: geodata.seed.siasar.season_answers): not known.
    assert con_con["#status_id"] == "Unknown"
    assert con_con["#report_date"] == "2015-09-14"
    assert con_con["#management"] == "Community Management"
    assert (con_con["#adm2"], con_con["#adm3"]) == ("Trujillo", "Poroto")
    with_source = [r for r in data.values() if r["#water_source"]]
    assert with_source and all(r["#water_tech"] or True for r in with_source)


@pytest.mark.parametrize(
    ("status", "dry", "rainy", "on", "expected"),
    [
        ("red", True, True, date(2015, 7, 1), "No"),
        ("green", None, None, date(2015, 7, 1), "Yes"),
        ("yellow", False, False, date(2015, 7, 1), "Yes"),
        # grey: the survey's answer for the season of the report date
        ("grey", True, False, date(2015, 7, 1), "Yes"),
        ("grey", True, False, date(2016, 1, 20), "No"),
        ("grey", False, True, date(2015, 9, 14), "No"),
        ("grey", False, False, date(2015, 3, 1), "No"),
        ("grey", None, None, date(2015, 7, 1), "Unknown"),
        ("grey", False, None, date(2016, 2, 1), "Unknown"),
        ("grey", True, True, None, "Unknown"),
    ],
)
def test_wpdx_status_id(
    status: str, dry: bool | None, rainy: bool | None, on: date | None, expected: str
) -> None:
    assert status_id(status, dry, rainy, on) == expected


def test_metadata_document_counts_licences_and_attributions(
    client: TestClient, session: Session, published: Path
) -> None:
    response = client.get("/downloads/metadata.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    meta = response.json()
    assert meta["title"] and meta["description"] and meta["updated"]
    assert meta["licence"]["id"] == "CC-BY-4.0"
    assert meta["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    counts = {c["id"]: c["records"] for c in meta["collections"]}
    assert counts == expected_counts(session)
    layers = {layer["name"]: layer for layer in meta["third_party_layers"]}
    assert layers["mapsperu-districts"]["licence"] == "GPL-3.0"
    assert layers["mapsperu-districts"]["attribution"] == MAPSPERU
    assert layers["siasar-la-libertad-systems"]["attribution"] == SIASAR
    assert layers["inei2007-districts"]["licence"] == "MPL-2.0"
    for collection in meta["collections"]:
        for item in collection["files"]:
            assert (published / item["name"]).stat().st_size == item["size"]


def test_downloads_link_the_metadata_and_licence(client: TestClient, published: Path) -> None:
    response = client.get("/downloads/water-systems.csv")
    assert 'rel="describedby"' in response.headers["link"]
    assert "creativecommons.org/licenses/by/4.0" in response.headers["link"]
    assert response.headers["content-disposition"].startswith("attachment")
    landing = client.get("/ogc").json()
    assert any(link["href"].endswith("/downloads/metadata.json") for link in landing["links"])


def test_etag_last_modified_and_conditional_requests(client: TestClient, published: Path) -> None:
    first = client.get("/downloads/water-sources.geojson")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    again = client.get("/downloads/water-sources.geojson", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    since = client.get("/downloads/water-sources.geojson", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    changed = client.get("/downloads/water-sources.geojson", headers={"If-None-Match": '"x"'})
    assert changed.status_code == 200


def test_text_downloads_are_served_precompressed(client: TestClient, published: Path) -> None:
    raw = client.get("/downloads/water-systems.geojson", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    zipped = client.get(
        "/downloads/water-systems.geojson", headers={"Accept-Encoding": "gzip, deflate"}
    )
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.headers["etag"] != raw.headers["etag"]
    assert zipped.content == raw.content  # httpx decodes the gzip body
    on_disk = published / "water-systems.geojson.gz"
    assert int(zipped.headers["content-length"]) == on_disk.stat().st_size
    assert gzip.decompress(on_disk.read_bytes()) == raw.content


def test_gpkg_download_is_a_geopackage(client: TestClient, published: Path, tmp_path: Path) -> None:
    response = client.get("/downloads/districts.gpkg", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-type"] == "application/geopackage+sqlite3"
    assert response.headers["content-encoding"] == "gzip"  # precompressed, never on the fly
    assert response.content[:16] == b"SQLite format 3\x00"
    path = tmp_path / "districts.gpkg"
    path.write_bytes(response.content)
    assert pyogrio.read_info(path)["features"] == 84


def test_unknown_file_is_404_and_paths_cannot_escape(client: TestClient, published: Path) -> None:
    assert client.get("/downloads/secrets.csv").status_code == 404
    assert client.get("/downloads/.publish.lock").status_code == 404
    assert client.get("/downloads/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/downloads/water-systems.geojson.gz").status_code == 404


def test_empty_publish_dir_answers_503_without_querying(client: TestClient, tmp_path: Path) -> None:
    use_publish_dir(client, tmp_path / "empty")
    for path in ("/downloads", "/downloads/water-systems.geojson", "/downloads/metadata.json"):
        response = client.get(path, headers={"Accept-Language": "es"})
        assert response.status_code == 503
        assert "aún no se han publicado" in response.json()["error"]["message"]


def test_unknown_query_parameter_on_index_is_400(client: TestClient, published: Path) -> None:
    assert client.get("/downloads?format=zip").status_code == 400
