"""The reports API through FastAPI, on the rolled-back test session (enqueueing recorded)."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.routers.reports import get_intake
from geodata.models import Report, ReportStatus
from geodata.reports.aggregation import aggregate_for_report
from geodata.reports.intake import Accepted, NewReport, submit_report
from geodata.reports.validation import validate_report
from geodata.settings import get_settings
from tests import report_factories as make

PRIVATE = ("reporter_contact", "contact", "reporter_fingerprint", "device_id", "fingerprint")


class SessionIntake:
    """Intake on the test's rolled-back session instead of the async pool."""

    def __init__(self, session: Session) -> None:
        self.session = session

    async def submit(self, report: NewReport) -> Accepted:
        accepted = submit_report(self.session, report)
        self.session.commit()  # a savepoint release inside the test's transaction
        return accepted


@pytest.fixture(autouse=True)
def session_intake(client: TestClient, session: Session) -> None:
    client.app.dependency_overrides[get_intake] = lambda: SessionIntake(session)  # type: ignore[attr-defined]


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr("api.routers.reports.enqueue_validation", sent.append)
    return sent


def body(place: make.Place, **extra: Any) -> dict[str, Any]:
    return {
        "location": {"lon": place.lon, "lat": place.lat},
        "category": "no_water",
        "description": "No hay agua desde ayer",
        "contact": "+51 999 888 777",
        "device_id": "android-123",
        **extra,
    }


def count_reports(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Report)) or 0


def assert_no_private_data(payload: Any) -> None:
    text = repr(payload)
    assert "999 888 777" not in text and "android-123" not in text
    for key in PRIVATE:
        assert f"'{key}'" not in text


def test_post_json_creates_a_received_report_and_enqueues_it(
    client: TestClient, session: Session, enqueued: list[int]
) -> None:
    place = make.systems(session)[0]
    response = client.post("/api/v1/reports", json=body(place))
    assert response.status_code == 201, response.text
    data = response.json()
    code = data["tracking_code"]
    assert len(code) == 8 and not set(code) & set("01OI")
    assert data["status"] == "received" and response.headers["location"] == data["url"]
    report = session.scalars(select(Report).where(Report.tracking_code == code)).one()
    assert enqueued == [report.id]
    assert report.reporter_contact == "+51 999 888 777"
    assert report.reporter_fingerprint and "android" not in report.reporter_fingerprint


def test_same_idempotency_key_gives_one_report(
    client: TestClient, session: Session, enqueued: list[int]
) -> None:
    place = make.systems(session)[0]
    before = count_reports(session)
    key = str(uuid.uuid4())
    first = client.post("/api/v1/reports", json=body(place, idempotency_key=key))
    again = client.post("/api/v1/reports", json=body(place), headers={"Idempotency-Key": key})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["tracking_code"] == again.json()["tracking_code"]
    assert count_reports(session) == before + 1 and len(enqueued) == 1
    different = client.post(
        "/api/v1/reports", json=body(place, description="otra cosa", idempotency_key=key)
    )
    assert different.status_code == 409
    assert different.json()["error"]["code"] == "idempotency_conflict"
    assert "clave de idempotencia" in different.json()["error"]["message"]
    assert count_reports(session) == before + 1


@pytest.mark.parametrize(
    "payload",
    [
        {"category": "no_water"},
        {"location": {"lon": -78.5}, "category": "no_water"},
        {"location": {"lon": -78.5, "lat": -8.1, "code": "X"}, "category": "no_water"},
        {"location": {"lon": 200, "lat": -8.1}, "category": "no_water"},
        {"location": {"lon": -78.5, "lat": -8.1}, "category": "flood"},
        {"location": {"lon": -78.5, "lat": -8.1}, "category": "leak", "secret": 1},
        {
            "location": {"lon": -78.5, "lat": -8.1},
            "category": "leak",
            "measurements": [{"parameter": "ph"}],
        },
        {"location": {"lon": -78.5, "lat": -8.1}, "category": "leak", "idempotency_key": "x"},
    ],
)
def test_malformed_reports_are_422_and_change_nothing(
    client: TestClient, session: Session, enqueued: list[int], payload: dict[str, Any]
) -> None:
    before = count_reports(session)
    response = client.post("/api/v1/reports", json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_input"
    assert count_reports(session) == before and enqueued == []


def test_not_json_at_all_is_422(client: TestClient, enqueued: list[int]) -> None:
    response = client.post(
        "/api/v1/reports", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (800, 600), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "S", 2: (8.0, 6.0, 0.0), 3: "W", 4: (79.0, 1.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_multipart_with_photo_strips_exif_and_makes_a_thumbnail(
    client: TestClient, session: Session, enqueued: list[int]
) -> None:
    place = make.systems(session)[0]
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()
    response = client.post(
        "/api/v1/reports",
        data={
            "lon": str(place.lon),
            "lat": str(place.lat),
            "category": "broken_infrastructure",
            "description": "tubo roto",
            "measurements": '[{"parameter": "turbidity", "value": 12}]',
        },
        files={"photo": ("foto.jpg", original, "image/jpeg")},
    )
    assert response.status_code == 201, response.text
    code = response.json()["tracking_code"]
    report = session.scalars(select(Report).where(Report.tracking_code == code)).one()
    assert report.submitted_measurements == [
        {"parameter": "turbidity", "value": 12.0, "method": "kit"}
    ]
    media: Path = get_settings().media_dir
    assert report.photo_path is not None and report.thumbnail_path is not None
    stored = Image.open(media / report.photo_path)
    assert stored.format == "JPEG" and not stored.getexif() and "exif" not in stored.info
    thumb = Image.open(media / report.thumbnail_path)
    assert max(thumb.size) <= 320
    # Not public yet (received): no URL is offered and none answers.
    assert client.get(f"/api/v1/reports/{code}").json()["photo_url"] is None
    assert client.get(f"/api/v1/reports/{code}/photo").status_code == 404
    report.status = ReportStatus.VALIDATED
    session.flush()
    assert client.get(f"/api/v1/reports/{code}").json()["photo_url"].endswith("/photo")
    photo = client.get(f"/api/v1/reports/{code}/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    again = client.get(
        f"/api/v1/reports/{code}/photo", headers={"If-None-Match": photo.headers["etag"]}
    )
    assert again.status_code == 304
    assert client.get(f"/api/v1/reports/{code}/thumbnail").status_code == 200


def test_a_renamed_non_image_is_refused(
    client: TestClient, session: Session, enqueued: list[int]
) -> None:
    place = make.systems(session)[0]
    before = count_reports(session)
    response = client.post(
        "/api/v1/reports",
        data={"lon": str(place.lon), "lat": str(place.lat), "category": "leak"},
        files={"photo": ("foto.jpg", b"#!/bin/sh\necho not a photo\n" * 20, "image/jpeg")},
    )
    assert response.status_code == 415
    assert count_reports(session) == before


def test_a_too_large_photo_is_refused(
    client: TestClient, session: Session, enqueued: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "max_photo_bytes", 1000)
    place = make.systems(session)[0]
    response = client.post(
        "/api/v1/reports",
        data={"lon": str(place.lon), "lat": str(place.lat), "category": "leak"},
        files={"photo": ("foto.jpg", jpeg_with_gps(), "image/jpeg")},
    )
    assert response.status_code == 413
    assert "MB" in response.json()["error"]["message"]


def test_tracking_shows_public_status_and_notes_without_private_data(
    client: TestClient, session: Session, enqueued: list[int]
) -> None:
    place = make.systems(session)[0]
    payload = body(place, measurements=[{"parameter": "free_chlorine", "value": 0.2}])
    code = client.post("/api/v1/reports", json=payload).json()["tracking_code"]
    validate_report(session, enqueued[0])
    response = client.get(f"/api/v1/reports/{code.lower()}")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "validated" and data["system_code"] == place.code
    assert data["updates"][0]["note"] == "Pasó la revisión automática: el reporte es público."
    assert data["measurements"][0]["compliance"] == "violation"
    assert "0.3 mg/L" in data["measurements"][0]["explanation"]
    assert_no_private_data(data)
    missing = client.get("/api/v1/reports/ZZZZZZZZ")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "report_not_found"


def test_list_filters_and_pagination(
    client: TestClient, session: Session, enqueued: list[int]
) -> None:
    place = make.systems(session)[0]
    for i in range(3):
        client.post("/api/v1/reports", json=body(place, description=f"r{i}", device_id=f"d{i}"))
    client.post("/api/v1/reports", json=body(place, category="leak", device_id="d9"))
    for report_id in enqueued:
        validate_report(session, report_id)
    pad = 0.01
    bbox = f"{place.lon - pad},{place.lat - pad},{place.lon + pad},{place.lat + pad}"
    page = client.get("/api/v1/reports", params={"bbox": bbox, "limit": 2}).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    leaks = client.get("/api/v1/reports", params={"bbox": bbox, "category": "leak"}).json()
    assert [i["category"] for i in leaks["items"]] == ["leak"]
    ubigeo = page["items"][0]["district_ubigeo"]
    by_district = client.get(
        "/api/v1/reports", params={"district": ubigeo, "status": "validated"}
    ).json()
    assert by_district["total"] >= 4
    assert all(i["status"] == "validated" for i in by_district["items"])
    since = client.get("/api/v1/reports", params={"since": "2999-01-01T00:00:00Z"}).json()
    assert since["total"] == 0
    assert_no_private_data(page)
    assert client.get("/api/v1/reports", params={"bbox": "1,2,3"}).status_code == 400
    assert client.get("/api/v1/reports", params={"status": "lost"}).status_code == 400


def test_systems_sources_and_districts_show_status_and_indicators(
    client: TestClient, session: Session, enqueued: list[int]
) -> None:
    place = make.systems(session)[0]
    client.post("/api/v1/reports", json=body(place))
    validate_report(session, enqueued[0])
    aggregate_for_report(session, enqueued[0])
    system = client.get(f"/api/v1/systems/{place.code}").json()
    assert system["status"] != "red" and system["alert_category"] == "no_water"
    assert system["open_reports"] == 1
    # a second neighbour, from another phone and network, corroborates it
    second = make.report(session, place, device_id="neighbour-2", client_address="10.7.7.7")
    validate_report(session, second.id)
    aggregate_for_report(session, second.id)
    system = client.get(f"/api/v1/systems/{place.code}").json()
    assert system["status"] == "red" and system["status_evidence"] == "citizen"
    assert system["alert_category"] is None and system["open_reports"] == 2
    reds = client.get("/api/v1/systems", params={"status": "red"}).json()
    assert place.code in [s["code"] for s in reds["items"]]
    district = client.get(f"/api/v1/districts/{system['district_ubigeo']}").json()
    assert district["counts"]["red"] >= 1 and district["open_reports"] >= 1
    assert district["systems"] == sum(district["counts"].values())
    sources = client.get("/api/v1/sources", params={"limit": 5}).json()
    assert sources["total"] > 0 and len(sources["items"]) == 5
    first = sources["items"][0]["code"]
    assert client.get(f"/api/v1/sources/{first}").json()["status"] in {"grey", "yellow", "red"}
    assert client.get("/api/v1/systems/NOPE").status_code == 404
    assert client.get("/api/v1/districts/999999").status_code == 404
    assert "Rojo" in client.get("/api/v1/status-rule").json()["es"]
    assert_no_private_data(reds)


def test_reports_are_stored_received_first(
    client: TestClient, session: Session, enqueued: list[int]
) -> None:
    place = make.systems(session)[0]
    code = client.post("/api/v1/reports", json=body(place)).json()["tracking_code"]
    report = session.scalars(select(Report).where(Report.tracking_code == code)).one()
    assert report.status is ReportStatus.RECEIVED and report.enqueued_at is not None


def test_contacts_typed_into_the_description_are_masked_publicly(
    client: TestClient, session: Session, enqueued: list[int]
) -> None:
    place = make.systems(session)[0]
    text = "Sin agua, llamen al 987 654 321 o escriban a vecina@example.pe"
    code = client.post("/api/v1/reports", json=body(place, description=text)).json()[
        "tracking_code"
    ]
    for report_id in enqueued:  # validated, so the public list shows it too
        validate_report(session, report_id)
    shown = client.get(f"/api/v1/reports/{code}").json()["description"]
    assert "987 654 321" not in shown and "vecina@example.pe" not in shown
    assert shown.startswith("Sin agua, llamen al [dato de contacto retirado]")
    listed = client.get("/api/v1/reports", params={"limit": 500}).json()
    assert code in {i["tracking_code"] for i in listed["items"]}
    assert "987 654 321" not in repr(listed)
    stored = session.scalars(select(Report.description).where(Report.tracking_code == code)).one()
    assert stored == text  # the responsible body still sees what was written


def test_the_public_list_hides_unchecked_and_rejected_reports(
    client: TestClient, session: Session, enqueued: list[int]
) -> None:
    place = make.systems(session)[0]
    code = client.post("/api/v1/reports", json=body(place, device_id="unchecked")).json()[
        "tracking_code"
    ]
    listed = client.get("/api/v1/reports", params={"limit": 500}).json()
    assert code not in {i["tracking_code"] for i in listed["items"]}
    assert client.get(f"/api/v1/reports/{code}").json()["status"] == "received"
