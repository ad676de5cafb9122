"""The tracking page: the whole public timeline (validated, acknowledged by which body, public
notes, resolved), never a person's name nor an internal note, and cheap to ask again."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geodata.models import ReportStatus
from tests.web.citizen_support import (
    PERSON,
    answer,
    body_of,
    system_with_provider,
    validated_report,
)


def test_the_whole_public_timeline(client: TestClient, session: Session) -> None:
    system = system_with_provider(session)
    body = body_of(session, system)
    report = validated_report(session, system)
    answer(session, report, body, ReportStatus.ACKNOWLEDGED, "Recibimos su reporte")
    answer(session, report, body, None, "Llamar a Rosa al 987 654 321", public=False)
    answer(session, report, body, None, "El técnico sube el jueves")
    answer(session, report, body, ReportStatus.RESOLVED, "Se cambió la válvula")
    html = client.get(f"/seguimiento/{report.tracking_code}").text
    timeline = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    steps = [
        "Recibido",
        "Aceptado (revisión automática)",
        "Pasó la revisión automática: el reporte es público.",
        "Visto por el prestador",
        "Recibimos su reporte",
        "Nota",
        "El técnico sube el jueves",
        "Se cambió la válvula",
    ]
    positions = [timeline.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), list(
        zip(steps, positions, strict=True)
    )
    assert timeline.count(body.name) == 3  # every answer carries the body's name
    assert PERSON not in html and "987 654 321" not in html and "Llamar a Rosa" not in html
    assert '<h2>Reporte <span class="code">' in html


def test_in_english_yakus_own_words_too(client: TestClient, session: Session) -> None:
    report = validated_report(session, system_with_provider(session))
    html = client.get(f"/seguimiento/{report.tracking_code}?lang=en").text
    assert "The automatic check passed: the report is public." in html
    assert "Pasó la revisión" not in html and "Report number" in html


def test_asking_again_costs_a_304_until_something_changes(
    client: TestClient, session: Session
) -> None:
    system = system_with_provider(session)
    report = validated_report(session, system)
    first = client.get(f"/seguimiento/{report.tracking_code}")
    etag = first.headers["etag"]
    again = client.get(f"/seguimiento/{report.tracking_code}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    answer(session, report, body_of(session, system), ReportStatus.ACKNOWLEDGED, "Ya vamos")
    changed = client.get(f"/seguimiento/{report.tracking_code}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Ya vamos" in changed.text
    assert 'src="/static/tracking.js"' in changed.text
    assert 'data-refresh="10"' in changed.text
