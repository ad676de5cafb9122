"""The defects of the security review, each as a class: NUL and control characters in fields,
XML that any text keeps well-formed, CSV cells no spreadsheet evaluates, Open311 replays."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.open311_format import to_xml
from api.routers.reports import get_intake
from geodata.models import Report, ReportStatus
from geodata.opendata.exporters import safe_cell
from tests import report_factories as make
from tests.ogc_support import add_report, publish
from tests.test_reports_api import SessionIntake

V2 = "/open311/v2"
CONTROL = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r") + "\ufffe\uffff"


@pytest.fixture(autouse=True)
def session_intake(client: TestClient, session: Session) -> None:
    client.app.dependency_overrides[get_intake] = lambda: SessionIntake(session)  # type: ignore[attr-defined]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Report)) or 0


@pytest.mark.parametrize(
    "field",
    ["description", "contact", "device_id", "location.code", "measurements.parameter",
     "measurements.unit"],
)  # fmt: skip
def test_nul_in_any_field_of_a_json_report_is_a_clear_4xx(
    client: TestClient, session: Session, field: str
) -> None:
    place = make.systems(session)[0]
    body: dict = {"location": {"lon": place.lon, "lat": place.lat}, "category": "leak"}
    if field == "location.code":
        body["location"] = {"code": "SIASAR\x00-1"}
    elif field.startswith("measurements."):
        reading = {"parameter": "ph", "value": 7.0, field.split(".")[1]: "x\x00y"}
        body["measurements"] = [reading]
    else:
        body[field] = "hola\x00mundo"
    before = count(session)
    response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"] == "Faltan datos o algunos no son válidos."
    assert count(session) == before


def test_nul_in_a_multipart_report_and_in_open311_is_a_clear_4xx(
    client: TestClient, session: Session
) -> None:
    place = make.systems(session)[0]
    before = count(session)
    fields = {
        "category": "leak",
        "lon": str(place.lon),
        "lat": str(place.lat),
        "description": "a\x00",
    }
    assert (
        client.post("/api/v1/reports", data=fields, files={"photo": ("", b"")}).status_code == 422
    )
    for name in ("description", "first_name", "email", "phone", "device_id", "service_code",
                 "attribute[water_system]", "lat"):  # fmt: skip
        form = {"service_code": "leak", "lat": str(place.lat), "long": str(place.lon)}
        if name == "attribute[water_system]":  # a code instead of coordinates
            form = {"service_code": "leak", name: "SIASAR-160421"}
        form[name] = form.get(name, "x") + "\x00"
        response = client.post(f"{V2}/requests.json", data=form)
        assert response.status_code == 400, (name, response.text)
    assert count(session) == before


def test_other_control_characters_are_dropped_from_stored_text(
    client: TestClient, session: Session
) -> None:
    place = make.systems(session)[0]
    body = {"location": {"lon": place.lon, "lat": place.lat}, "category": "leak",
            "description": f"fuga{CONTROL}\tgrande\r\n"}  # fmt: skip
    response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 201
    stored = session.scalars(
        select(Report).where(Report.tracking_code == response.json()["tracking_code"])
    ).one()
    assert stored.description == "fuga\tgrande\r\n"


def test_open311_xml_stays_well_formed_whatever_a_field_holds(
    client: TestClient, session: Session
) -> None:
    """Rows written before the intake cleaned text (or by other paths) still hold control
    characters: the XML writer drops what XML 1.0 cannot carry, in every field."""
    report = add_report(session, ReportStatus.VALIDATED, description=f"sin agua{CONTROL} ya")
    session.execute(
        update(Report)
        .where(Report.tracking_code == report.tracking_code)
        .values(public_description=f"sin agua{CONTROL} ya")
    )
    for path in (
        f"/requests/{report.tracking_code}.xml",
        "/requests.xml?start_date=2000-01-01T00:00:00Z",
    ):
        response = client.get(V2 + path)
        assert response.status_code == 200
        root = ET.fromstring(response.content)  # raises if not well-formed
        texts = [e.text for e in root.iter("description")]
        assert "sin agua ya" in texts
    every_field = {f"f{i}": f"v{CONTROL}{i}" for i in range(3)} | {"n": [f"a{CONTROL}", 1]}
    ET.fromstring(to_xml("root", "item", [every_field]))


def test_open311_replayed_with_the_same_key_answers_201_then_200(
    client: TestClient, session: Session
) -> None:
    form = {"service_code": "no_water", "lat": "-8.00815", "long": "-78.7386",
            "description": "Sin agua"}  # fmt: skip
    key = {"Idempotency-Key": "open311-replay-0001"}
    first = client.post(f"{V2}/requests.json", data=form, headers=key)
    again = client.post(f"{V2}/requests.json", data=form, headers=key)
    xml = client.post(f"{V2}/requests.xml", data=form, headers=key)
    assert (first.status_code, again.status_code, xml.status_code) == (201, 200, 200)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert (
        ET.fromstring(xml.content).findtext("request/service_request_id")
        == (first.json()[0]["service_request_id"])
    )
    changed = client.post(f"{V2}/requests.json", data=form | {"description": "otra"}, headers=key)
    assert changed.status_code == 409


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_no_cell_of_reports_csv_can_start_a_formula(
    session: Session, tmp_path: Path, start: str
) -> None:
    formula = f'{start}HYPERLINK("http://x.example","clic")'
    add_report(session, ReportStatus.VALIDATED, description=formula)
    publish(session, tmp_path)
    csv_files = sorted(tmp_path.glob("*.csv"))
    assert {p.name for p in csv_files} >= {"reports.csv", "water-systems.csv"}
    for path in csv_files:  # every CSV the service writes (wpdx included)
        for row in csv.reader(io.StringIO(text_of(path))):
            for value in row:
                is_number = value.lstrip("+-").replace(".", "", 1).isdigit()
                assert is_number or not value.startswith(("=", "+", "-", "@", "\t", "\r")), (
                    path.name,
                    value,
                )
    rows = list(csv.DictReader(io.StringIO(text_of(tmp_path / "reports.csv"))))
    assert "'" + formula in [r["description"] for r in rows]


def text_of(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:  # keep a CR inside a cell
        return handle.read()


def test_safe_cells_keep_numbers_and_plain_text() -> None:
    assert safe_cell("-78.738600") == "-78.738600"
    assert safe_cell("+51") == "+51"
    assert safe_cell("-1+2") == "'-1+2"
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("agua") == "agua"
