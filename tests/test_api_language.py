"""The API says Yaku's own words (status reasons, rejection reasons, notes, explanations) in
the reader's language: ?lang=en or Accept-Language; Spanish by default."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geodata.models import ReportStatus
from geodata.reports.validation import validate_report
from tests import report_factories as make
from tests.web.citizen_support import colour, system_with_provider


def test_status_reasons(client: TestClient, session: Session) -> None:
    from geodata.messages import message

    system = system_with_provider(session)
    colour(session, system, "red", message("Citizen report: no water"))
    spanish = client.get(f"/api/v1/systems/{system.code}").json()
    english = client.get(f"/api/v1/systems/{system.code}", params={"lang": "en"}).json()
    by_header = client.get(
        f"/api/v1/systems/{system.code}", headers={"Accept-Language": "en-GB,en;q=0.8"}
    ).json()
    assert spanish["status_reason"] == "Reporte ciudadano: no hay agua"
    assert english["status_reason"] == by_header["status_reason"] == "Citizen report: no water"
    listed = client.get("/api/v1/systems", params={"lang": "en", "limit": 1000}).json()
    mine = next(i for i in listed["items"] if i["code"] == system.code)
    assert mine["status_reason"] == "Citizen report: no water"
    assert "status_reason_msg" not in mine


def test_rejections_notes_and_readings(client: TestClient, session: Session) -> None:
    place = make.systems(session)[0]
    refused = make.report(session, location_code="SIASAR-NOPE")
    validate_report(session, refused.id)
    english = client.get(f"/api/v1/reports/{refused.tracking_code}?lang=en").json()
    assert english["status"] == ReportStatus.REJECTED.value
    assert english["rejection_reason"].startswith("No water system or source has the code")
    assert english["updates"][-1]["note"] == english["rejection_reason"]
    spanish = client.get(f"/api/v1/reports/{refused.tracking_code}").json()
    assert spanish["rejection_reason"].startswith("Ningún sistema ni fuente de agua")
    reading = make.report(
        session, place, measurements=[{"parameter": "free_chlorine", "value": 0.2}]
    )
    validate_report(session, reading.id)
    data = client.get(f"/api/v1/reports/{reading.tracking_code}?lang=en").json()
    assert data["updates"][0]["note"] == "The automatic check passed: the report is public."
    assert data["measurements"][0]["explanation"].startswith("Free residual chlorine: 0.2 mg/L")
