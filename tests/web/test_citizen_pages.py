"""Tracking and system pages: public data only, user text always escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.models import Measurement, StatusChange, WaterSystem
from tests.web.conftest import XSS, add_report

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"


def first_system(session: Session) -> WaterSystem:
    return session.scalars(select(WaterSystem).order_by(WaterSystem.id).limit(1)).one()


def test_tracking_page_shows_history_and_public_notes_only(
    client: TestClient, session: Session
) -> None:
    report = add_report(session, first_system(session), status="received")
    code = report.tracking_code
    page = client.get(f"/seguimiento/{code.lower()}")
    assert page.status_code == 200
    assert code in page.text
    # the automatic check is not called "Verificado": no person verified the problem
    assert "Recibido" in page.text and "Aceptado (revisión automática)" in page.text
    assert "Verificado" not in page.text
    assert "<h2>Reporte <span" in page.text  # the noun, not "Reportar"
    assert "Nota pública &lt;i&gt;visible&lt;/i&gt;" in page.text
    assert "nota interna privada" not in page.text
    assert "vecina-secreta" not in page.text
    assert ESCAPED in page.text and XSS not in page.text


def test_tracking_lookup_and_unknown_code(client: TestClient) -> None:
    form = client.get("/seguimiento")
    assert form.status_code == 200 and 'name="code"' in form.text
    redirect = client.get("/seguimiento?code=ab-cd 1234", follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == "/seguimiento/ABCD1234"
    missing = client.get("/seguimiento/ZZZZZZZZ")
    assert missing.status_code == 404 and "Ningún reporte" in missing.text


def test_system_page_has_data_history_chart_reports_and_measurements(
    client: TestClient, session: Session
) -> None:
    system = first_system(session)
    now = datetime.now(UTC)
    session.add_all(
        [
            StatusChange(
                system_id=system.id,
                status="grey",
                evidence="none",
                changed_at=now - timedelta(days=30),
            ),
            StatusChange(
                system_id=system.id,
                status="red",
                evidence="official",
                evidence_at=now - timedelta(days=10),
                reason="cloro 0,1 mg/L",
                changed_at=now - timedelta(days=10),
            ),
        ]
    )
    session.add(
        Measurement(
            parameter_code="free_chlorine",
            value=0.1,
            unit="mg/L",
            method="kit",
            measured_by="operator",
            sampled_at=now - timedelta(days=10),
            system_id=system.id,
            record_source="test",
            compliance="violation",
        )
    )
    add_report(session, system)
    session.flush()
    page = client.get(f"/sistemas/{system.code}")
    assert page.status_code == 200
    html = page.text
    assert system.name in html
    assert 'class="seg-grey"' in html and 'class="seg-red"' in html
    assert "cloro 0,1 mg/L" in html
    assert "0.1 mg/L" in html and "Operador (Kit de campo)" in html
    assert ESCAPED in html and XSS not in html
    assert "vecina-secreta" not in html
    assert f"/reportar?code={system.code}" in html


def test_unknown_system_is_a_404_page(client: TestClient) -> None:
    page = client.get("/sistemas/NOPE")
    assert page.status_code == 404 and "Ningún sistema" in page.text


def test_report_form_is_accessible_and_translated(client: TestClient) -> None:
    page = client.get("/reportar?code=SIASAR-160421")
    html = page.text
    assert page.status_code == 200
    assert 'value="SIASAR-160421"' in html
    for category in ("no_water", "leak", "turbid_water", "suspected_contamination"):
        assert f'id="cat-{category}"' in html and f'for="cat-{category}"' in html
    for field in ("description", "photo", "contact", "parameter", "value", "code"):
        assert f'for="{field}"' in html
    assert "Usar mi ubicación (GPS)" in html
    english = client.get("/reportar?lang=en").text
    assert "Use my location (GPS)" in english


def test_contacts_typed_into_a_description_are_masked(client: TestClient, session: Session) -> None:
    system = first_system(session)
    report = add_report(session, system, description="Llamar al 987 654 321 o a ana@example.org")
    for path in (f"/seguimiento/{report.tracking_code}", f"/sistemas/{system.code}"):
        html = client.get(path).text
        assert "Llamar al" in html, path
        assert "987 654 321" not in html and "ana@example.org" not in html, path
