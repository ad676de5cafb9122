"""The form's check before "Sent": what validation and intake would refuse, said at once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.models import Report
from tests import report_factories as make


def check(client: TestClient, **params: object) -> dict:
    response = client.get("/api/v1/report-check", params=params)
    assert response.status_code == 200
    return response.json()


def test_known_places_pass(client: TestClient, session: Session) -> None:
    place = make.systems(session)[0]
    assert check(client, code=place.code) == {"ok": True, "problems": []}
    assert check(client, lon=place.lon, lat=place.lat)["ok"] is True
    assert check(client, code=make.source(session).code)["ok"] is True


def test_an_unknown_code_in_the_readers_language(client: TestClient) -> None:
    spanish = check(client, code="SIASAR-NOPE")
    assert spanish["ok"] is False
    problem = spanish["problems"][0]
    assert (problem["field"], problem["code"]) == ("place", "unknown_code")
    assert problem["message"].startswith("Ningún sistema ni fuente de agua tiene el código")
    english = check(client, code="SIASAR-NOPE", lang="en")["problems"][0]["message"]
    assert english.startswith("No water system or source has the code SIASAR-NOPE.")


def test_outside_la_libertad_and_swapped(client: TestClient, session: Session) -> None:
    lima = check(client, lon=-77.03, lat=-12.05)["problems"]
    assert [p["code"] for p in lima] == ["outside"]
    assert "fuera de La Libertad" in lima[0]["message"]
    place = make.systems(session)[0]
    swapped = check(client, lon=place.lat, lat=place.lon)["problems"]
    assert [p["code"] for p in swapped] == ["swapped"]


def test_photos_the_intake_would_refuse(client: TestClient) -> None:
    big = check(client, photo_bytes=20 * 2**20, photo_type="image/jpeg")["problems"]
    assert [(p["field"], p["code"]) for p in big] == [("photo", "payload_too_large")]
    assert big[0]["message"] == "La foto pesa más de 5 MB."
    pdf = check(client, photo_bytes=1000, photo_type="application/pdf")["problems"]
    assert [p["code"] for p in pdf] == ["unsupported_media"]
    assert check(client, photo_bytes=200_000, photo_type="image/jpeg")["ok"] is True


def test_it_stores_nothing_and_refuses_bad_input(client: TestClient, session: Session) -> None:
    before = session.scalar(select(func.count()).select_from(Report))
    check(client, code="SIASAR-NOPE")
    assert session.scalar(select(func.count()).select_from(Report)) == before
    for bad in ({"lon": 500, "lat": 0}, {"photo_bytes": -1}, {"code": "x" * 41}):
        assert client.get("/api/v1/report-check", params=bad).status_code == 400
