"""Near me: the nearest systems and sources, in metres on the ground, with a direction."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geodata.nearby import compass, nearest
from geodata.reports.locate import haversine_m


@pytest.mark.parametrize(
    ("degrees", "direction"),
    [(0, "N"), (22, "N"), (23, "NE"), (90, "E"), (180, "S"), (225, "SW"), (300, "NW"), (359, "N")],
)
def test_compass(degrees: float, direction: str) -> None:
    assert compass(math.radians(degrees)) == direction
    assert compass(None) is None


def test_nearest_first_with_true_distances_and_directions(session: Session) -> None:
    lon, lat = -78.7, -8.0  # between Poroto's systems
    found = nearest(session, lon, lat)
    systems = [i for i in found if i["kind"] == "system"]
    assert len(systems) == 5 and any(i["kind"] == "source" for i in found)
    distances = [i["distance_m"] for i in found]
    assert distances == sorted(distances)
    for item in found:
        on_the_ground = haversine_m(lon, lat, item["lon"], item["lat"])
        assert item["distance_m"] == pytest.approx(on_the_ground, rel=0.01, abs=2)
        east = item["lon"] > lon
        assert item["direction"] is not None
        if abs(item["lon"] - lon) > 3 * abs(item["lat"] - lat):
            assert item["direction"] == ("E" if east else "W")
    assert systems[0]["code"] == "SIASAR-160424"  # CUSHMUN, 780 m to the east
    assert systems[0]["direction"] == "E"


def test_from_a_system_itself(session: Session) -> None:
    found = nearest(session, -78.6931, -7.99836, systems=1, sources=0)
    assert found[0]["code"] == "SIASAR-160424" and found[0]["distance_m"] < 5


def test_the_api(client: TestClient) -> None:
    answer = client.get("/api/v1/nearby", params={"lon": -78.7, "lat": -8.0})
    assert answer.status_code == 200 and answer.json()["items"][0]["code"] == "SIASAR-160424"
    for bad in ({"lon": -78.7}, {"lon": 200, "lat": 0}, {"lon": "x", "lat": 0}):
        assert client.get("/api/v1/nearby", params=bad).status_code == 400
