"""WPdx content in WPdx's own terms, field by field, and one licence per published layer."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geodata.models import WaterSystem
from geodata.opendata.collections import COLLECTIONS
from geodata.opendata.licences import LICENCE_URLS
from tests.ogc_support import publish, use_publish_dir

# The cleaned vocabularies of WPdx+ for the coded fields ("" = not held, left unknown).
VOCABULARY = {
    "#status_id": {"Yes", "No", "Unknown"},
    "#water_source": {
        "Undefined Spring",
        "Undefined Shallow Well",
        "Surface Water (River/Stream/Lake/Pond/Dam)",
        "Rainwater Harvesting",
        "",
    },
    "#water_source_category": {"Spring", "Well", "Surface Water", "Rainwater Harvesting", ""},
    "#water_tech": {"Tapstand", "Mechanized Pump", "Hand Pump", ""},
    "#management": {"Community Management", "Direct Government Operation", ""},
    "#fecal_coliform_presence": {"Yes", "No", ""},
    "#country_id": {"PE"},
    "#adm1": {"La Libertad"},
}
NOT_WPDX = {"Present", "Absent", "Public-Municipal", "Utility", "Spring"}
CORE = (
    "#installer",
    "#rehab_year",
    "#rehabilitator",
    "#orig_lnk",
    "#photo_lnk",
    "#activity_id",
    "#notes",
    "#water_source_category",
)


@pytest.fixture
def published(session: Session, client: TestClient, tmp_path: Path) -> Path:
    # Give some systems a known technology and a season answer, as an operator's record would.
    session.execute(
        text(
            "UPDATE water_system SET system_type = CASE WHEN id % 2 = 0 THEN 'gravity' "
            "ELSE 'pumped' END, water_in_dry_season = (id % 3 = 0), water_in_rainy_season = true "
            "WHERE id % 5 = 0"
        )
    )
    session.flush()
    directory = tmp_path / "publish"
    publish(session, directory)
    use_publish_dir(client, directory)
    return directory


def rows(published: Path, name: str) -> list[dict[str, str]]:
    with (published / name).open(encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    return [dict(zip(table[1], row, strict=True)) for row in table[2:]]


@pytest.mark.parametrize("name", ["water-systems.wpdx.csv", "water-sources.wpdx.csv"])
def test_every_coded_field_uses_wpdx_terms(published: Path, name: str) -> None:
    data = rows(published, name)
    for tag, allowed in VOCABULARY.items():
        values = {r[tag] for r in data}
        assert values <= allowed, (tag, values - allowed)
        assert not values & NOT_WPDX
    for tag in CORE:
        assert tag in data[0]
    assert all(r["#activity_id"].startswith(r["#row_id"]) for r in data)


def test_status_id_follows_the_survey_season_of_the_report_date(
    published: Path, session: Session
) -> None:
    data = {r["#row_id"]: r for r in rows(published, "water-systems.wpdx.csv")}
    systems = session.execute(
        select(
            WaterSystem.code,
            WaterSystem.surveyed_on,
            WaterSystem.water_in_dry_season,
            WaterSystem.water_in_rainy_season,
        )
    ).all()
    checked = {"Yes": 0, "No": 0}
    for code, surveyed_on, dry, rainy in systems:
        rainy_season = surveyed_on is not None and surveyed_on.month in (12, 1, 2, 3, 4)
        answer = rainy if rainy_season else dry
        expected = (
            "Unknown" if answer is None or surveyed_on is None else ("Yes" if answer else "No")
        )
        assert data[code]["#status_id"] == expected, code
        if expected in checked:
            checked[expected] += 1
    # Systems without water in the dry season, surveyed in it, say No (they all said Yes before).
    assert checked["No"] > 0 and checked["Yes"] > 0


def test_water_tech_is_filled_where_the_type_is_known(published: Path, session: Session) -> None:
    data = {r["#row_id"]: r for r in rows(published, "water-systems.wpdx.csv")}
    types = dict(session.execute(select(WaterSystem.code, WaterSystem.system_type)).all())
    for code, system_type in types.items():
        expected = {"gravity": "Tapstand", "pumped": "Mechanized Pump"}.get(system_type, "")
        assert data[code]["#water_tech"] == expected
    assert data["SIASAR-160421"]["#report_date"] == date(2015, 9, 14).isoformat()


def test_one_licence_identifier_per_layer(client: TestClient) -> None:
    for collection_id, spec in COLLECTIONS.items():
        assert spec.licence in LICENCE_URLS and " " not in spec.licence, collection_id
        document = client.get(f"/ogc/collections/{collection_id}").json()
        assert document["license"] == spec.licence
        licence_links = [x["href"] for x in document["links"] if x["rel"] == "license"]
        assert licence_links == [LICENCE_URLS[spec.licence]]
    assert COLLECTIONS["districts"].licence == "GPL-3.0-only"
    assert COLLECTIONS["water-systems"].licence == "CC-BY-4.0"


@pytest.mark.parametrize(
    ("name", "licence"),
    [
        ("districts.geojson", "https://www.gnu.org/licenses/gpl-3.0.html"),
        ("districts.gpkg", "https://www.gnu.org/licenses/gpl-3.0.html"),
        ("water-systems.csv", "https://creativecommons.org/licenses/by/4.0/"),
        ("metadata.json", "https://creativecommons.org/licenses/by/4.0/"),
    ],
)
def test_download_link_header_names_the_layers_licence(
    client: TestClient, published: Path, name: str, licence: str
) -> None:
    response = client.get(f"/downloads/{name}")
    assert response.status_code == 200
    assert f'<{licence}>; rel="license"' in response.headers["link"]


def test_metadata_lists_one_licence_per_collection(client: TestClient, published: Path) -> None:
    meta = client.get("/downloads/metadata.json").json()
    licences = {c["id"]: (c["licence"], c["licence_url"]) for c in meta["collections"]}
    assert licences["districts"] == ("GPL-3.0-only", "https://www.gnu.org/licenses/gpl-3.0.html")
    layers = {layer["name"]: layer for layer in meta["third_party_layers"]}
    assert layers["mapsperu-districts"]["used_in"] == ["districts"]
    assert "water-systems" in layers["ubigeo-la-libertad"]["used_in"]
