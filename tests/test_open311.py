"""Open311 GeoReport v2: discovery, services, POST/GET requests, tokens, JSON and XML."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from geodata.models import Report, ReportStatus

V2 = "/open311/v2"


def post_request(client: TestClient, **fields: str) -> dict:
    data = {
        "service_code": "no_water",
        "lat": "-8.00815",
        "long": "-78.7386",
        "description": "Sin agua desde el lunes",
        "first_name": "Rosa",
        "last_name": "Quispe",
        "email": "rosa@example.pe",
        "phone": "+51 944 000 111",
        "device_id": "android-abc-123",
        **fields,
    }
    response = client.post(f"{V2}/requests.json", data=data)
    assert response.status_code == 201, response.text
    return response.json()[0]


def test_discovery_and_services_in_json_and_xml(client: TestClient) -> None:
    discovery = client.get(f"{V2}/discovery.json").json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2/")
    services = client.get(f"{V2}/services.json").json()
    assert {s["service_code"] for s in services} >= {"no_water", "turbid_water", "leak"}
    no_water = next(s for s in services if s["service_code"] == "no_water")
    assert no_water["service_name"] == "Sin agua" and no_water["metadata"] is False
    english = client.get(f"{V2}/services.json?lang=en").json()
    assert next(s for s in english if s["service_code"] == "no_water")["service_name"] == "No water"
    xml = ET.fromstring(client.get(f"{V2}/services.xml").content)
    assert xml.tag == "services" and len(xml.findall("service")) == len(services)


def test_quality_services_offer_kit_readings_as_attributes(client: TestClient) -> None:
    body = client.get(f"{V2}/services/turbid_water.json").json()
    codes = [a["code"] for a in body["attributes"]]
    assert codes == ["free_chlorine", "turbidity", "ph"]
    assert client.get(f"{V2}/services/bogus.json").status_code == 404


def test_post_then_get_request_without_personal_data(client: TestClient, session: Session) -> None:
    created = post_request(client, **{"attribute[free_chlorine]": "0.1"})
    code = created["service_request_id"]
    assert "token" not in created and code in created["service_notice"]
    report = session.scalars(select(Report).where(Report.tracking_code == code)).one()
    assert report.status == ReportStatus.RECEIVED
    assert report.reporter_contact == "Rosa Quispe | rosa@example.pe | +51 944 000 111"
    assert report.submitted_measurements[0]["parameter"] == "free_chlorine"

    one = client.get(f"{V2}/requests/{code}.json")
    assert one.status_code == 200
    text = one.text
    for private in ("Rosa", "Quispe", "rosa@example.pe", "944", "android-abc-123"):
        assert private not in text
    item = one.json()[0]
    assert item["status"] == "open" and item["service_code"] == "no_water"
    assert (item["lat"], item["long"]) == (-8.00815, -78.7386)
    assert client.get(f"{V2}/tokens/{code}.json").json()[0]["service_request_id"] == code


def test_list_shows_checked_reports_with_filters(client: TestClient, session: Session) -> None:
    first = post_request(client)["service_request_id"]
    second = post_request(client, service_code="leak")["service_request_id"]
    unchecked = client.get(f"{V2}/requests.json").json()
    assert first not in {r["service_request_id"] for r in unchecked}
    session.execute(
        update(Report)
        .where(Report.tracking_code.in_([first, second]))
        .values(status=ReportStatus.VALIDATED)
    )
    session.execute(
        update(Report).where(Report.tracking_code == second).values(status=ReportStatus.RESOLVED)
    )
    listed = {r["service_request_id"]: r for r in client.get(f"{V2}/requests.json").json()}
    assert listed[first]["status"] == "open" and listed[second]["status"] == "closed"
    only_leaks = client.get(f"{V2}/requests.json?service_code=leak").json()
    assert {r["service_request_id"] for r in only_leaks} >= {second}
    assert first not in {r["service_request_id"] for r in only_leaks}
    closed = client.get(f"{V2}/requests.json?status=closed").json()
    assert all(r["status"] == "closed" for r in closed)
    xml = ET.fromstring(client.get(f"{V2}/requests.xml?service_request_id={first}").content)
    assert xml.tag == "service_requests"
    assert xml.find("request/service_request_id").text == first  # type: ignore[union-attr]


def test_bad_requests_answer_open311_errors_and_store_nothing(
    client: TestClient, session: Session
) -> None:
    before = session.query(Report).count()
    cases = [
        {"service_code": "bogus", "lat": "-8", "long": "-78.7"},
        {"service_code": "leak"},
        {"service_code": "leak", "lat": "north", "long": "-78.7"},
        {"service_code": "leak", "lat": "-8", "long": "-78.7", "attribute[ph]": "acid"},
    ]
    for data in cases:
        response = client.post(f"{V2}/requests.json", data=data)
        assert response.status_code == 400, (data, response.text)
        error = response.json()[0]
        assert error["code"] == 400 and error["description"]
    assert client.get(f"{V2}/requests.json?status=maybe").status_code == 400
    assert client.get(f"{V2}/requests.json?start_date=yesterday").status_code == 400
    assert client.get(f"{V2}/requests/NOPE.xml").status_code == 404
    assert session.query(Report).count() == before
