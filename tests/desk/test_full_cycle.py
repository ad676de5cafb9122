"""The whole cycle as the citizen sees it through the tracking code: validated, acknowledged by
the body (its name, never the person's), a public note, resolved; internal notes never shown."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geodata.models import ReportCategory
from geodata.reports.validation import validate_report
from tests import report_factories as make
from tests.desk.conftest import World
from tests.desk.support import api, browser

INTERNAL = "la válvula del reservorio está rota, ver con el tesorero"


def test_the_citizen_follows_the_answer_by_tracking_code(
    client: TestClient, session: Session, world: World
) -> None:
    accepted = make.report(
        session,
        world.a,
        ReportCategory.BROKEN_INFRASTRUCTURE,
        description="Se rompió la tubería",
        contact="987 111 222",
        device_id="cycle-device",
    )
    code = accepted.tracking_code
    tracking = client.get(f"/api/v1/reports/{code}").json()
    assert tracking["status"] == "received"
    assert validate_report(session, accepted.id) is not None
    member = world.staff["provider_staff"]
    member.account.display_name = "Rosa Quispe Huamán"
    session.flush()

    def answer(**body: object) -> None:
        response = api(client, "POST", f"/api/v1/desk/reports/{code}/updates", member, json=body)
        assert response.status_code == 201, response.text

    answer(action="acknowledge", note="Recibimos su reporte.")
    answer(action="note", note=INTERNAL, public=False)
    page = browser(
        client,
        "POST",
        f"/desk/reportes/{code}",
        member,
        {"action": "in_progress", "note": "Mañana vamos con el gasfitero.", "public": "1"},
    )
    assert page.status_code == 303
    answer(action="resolve", note="Tubería cambiada.")

    public = client.get(f"/api/v1/reports/{code}").json()
    assert public["status"] == "resolved"
    assert public["resolved_at"] and public["acknowledged_at"]
    timeline = [(u["to_status"], u["actor_name"], u["note"]) for u in public["updates"]]
    assert timeline == [
        ("validated", "Yaku", "Pasó la revisión automática: el reporte es público."),
        ("acknowledged", world.provider_a.name, "Recibimos su reporte."),
        ("in_progress", world.provider_a.name, "Mañana vamos con el gasfitero."),
        ("resolved", world.provider_a.name, "Tubería cambiada."),
    ]
    page_html = client.get(f"/seguimiento/{code}").text
    for text in ("Recibimos su reporte.", "Mañana vamos con el gasfitero.", "Tubería cambiada."):
        assert text in page_html
    assert world.provider_a.name in page_html
    assert "Resuelto" in page_html
    for secret in (INTERNAL, "Rosa", "987 111 222", member.account.email or "@"):
        assert secret not in page_html
        assert secret not in str(public)
    desk = api(client, "GET", f"/api/v1/desk/reports/{code}", member).json()
    assert INTERNAL in [u["note"] for u in desk["updates"]]  # the desk keeps it
