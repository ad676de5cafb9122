"""The provincial capitals (IDEP-2016), loaded with provenance, for a map without tiles."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import catalog
from geodata.models import Dataset, Place
from geodata.seed.places import load_provincial_capitals
from tests.conftest import SHARED_DIR


def test_twelve_capitals_spelled_as_people_write_them(session: Session) -> None:
    places = {p.name: p for p in session.scalars(select(Place))}
    assert len(places) == 12
    assert {"Trujillo", "Huamachuco", "Bolívar", "Julcán", "Chepén", "Virú"} <= set(places)
    assert places["Huamachuco"].province == "Sánchez Carrión"
    assert places["Huamachuco"].code == "capital-130900"
    dataset = session.scalars(
        select(Dataset).where(Dataset.name == catalog.PROVINCIAL_CAPITALS.name)
    ).one()
    assert (dataset.licence, dataset.record_count) == ("MPL-2.0", 12)
    assert "juaneladio/peru-geojson" in dataset.attribution
    assert all(p.dataset_id == dataset.id for p in places.values())


def test_loading_again_changes_nothing(session: Session) -> None:
    assert load_provincial_capitals(session, SHARED_DIR) == 0


def test_the_map_gets_capitals_and_district_names(client: TestClient) -> None:
    places = client.get("/map/places").json()
    assert len(places["capitals"]) == 12 and len(places["districts"]) == 84
    _name, lon, lat = next(c for c in places["capitals"] if c[0] == "Trujillo")
    assert -79.1 < lon < -79.0 and -8.2 < lat < -8.0
