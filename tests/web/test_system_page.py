"""The system page in plain words: what the colour means for me, what it rests on and since
when, who runs the system and how to reach them, open reports with their answers, and an
unconfirmed citizen alert with its health advice; in Spanish, and all of it in English."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geodata.messages import message
from geodata.models import ReportCategory, ReportStatus
from tests.web.citizen_support import (
    PERSON,
    answer,
    body_of,
    colour,
    contacts,
    system_with_provider,
    validated_report,
)

SPANISH_STATUS_WORDS = (
    "Puedes tomarla",
    "Hiérvela",
    "No la tomes",
    "Todavía no lo sabemos",
    "Evidencia",
    "Alerta ciudadana",
    "sin confirmar",
    "Reporte ciudadano",
    "encuesta SIASAR",
    "Respuesta",
    "Sin respuesta",
    "Rojo",
    "Amarillo",
    "Verde",
    "Gris",
    "Guarda agua",
    "Hierve",
    "desde",
    "Aceptado",
    "Recibido por",
    "Medición",
    "hace ",
)


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    ("status", "verdict", "words"),
    [
        ("green", "drink", "Puedes tomarla."),
        ("yellow", "boil", "Hiérvela antes de tomarla."),
        ("red", "do_not_drink", "No la tomes tal como sale."),
        ("grey", "unknown", "Todavía no lo sabemos."),
    ],
)
def test_what_the_colour_means_for_me(
    client: TestClient, session: Session, status: str, verdict: str, words: str
) -> None:
    system = system_with_provider(session)
    reason = message("Citizen report: no water") if status != "grey" else None
    colour(session, system, status, reason)
    html = client.get(f"/sistemas/{system.code}").text
    assert f'data-verdict="{verdict}"' in html and words in html
    assert 'class="yaku-shape yaku-shape-' in html  # the shape, not only the colour


def test_what_it_rests_on_and_since_when(client: TestClient, session: Session) -> None:
    system = system_with_provider(session)
    reason = message("Laboratory measurement: {explanation}", explanation=message("no treatment"))
    colour(session, system, "red", reason, days=12)
    html = client.get(f"/sistemas/{system.code}").text
    assert "Evidencia oficial (laboratorio, DIRESA u operador)" in html
    assert "hace 12 días" in html
    assert "Medición de laboratorio: sin tratamiento" in html
    assert "Con este color desde el" in html


def test_who_runs_it_and_how_to_reach_them(client: TestClient, session: Session) -> None:
    system = system_with_provider(session)
    provider = contacts(
        session,
        system,
        contact_phone="044 123456",
        contact_whatsapp="987 654 321",
        contact_email="jass@example.org",
        office_hours="lunes a viernes, 8-13 h",
    )
    html = client.get(f"/sistemas/{system.code}").text
    assert provider.name in html
    assert 'href="tel:044123456"' in html
    assert 'href="https://wa.me/51987654321"' in html
    assert 'href="mailto:jass@example.org"' in html and "lunes a viernes, 8-13 h" in html


def test_without_a_contact_the_district_municipality(client: TestClient, session: Session) -> None:
    system = system_with_provider(session, offset=1)
    html = client.get(f"/sistemas/{system.code}").text
    assert "Lo supervisa la municipalidad del distrito (ATM)" in html


def test_open_reports_with_the_answer_of_the_body_never_the_person(
    client: TestClient, session: Session
) -> None:
    system = system_with_provider(session)
    body = body_of(session, system)
    answered = validated_report(session, system, description="Sin agua desde el lunes")
    answer(session, answered, body, ReportStatus.ACKNOWLEDGED, "Vamos el martes a revisar")
    answer(session, answered, body, None, "nota interna del equipo", public=False)
    waiting = validated_report(
        session, system, category=ReportCategory.SUSPECTED_CONTAMINATION, device_id="otro-telefono"
    )
    html = client.get(f"/sistemas/{system.code}").text
    section = html.split('id="open-reports"', 1)[1].split("</section>", 1)[0]
    assert answered.tracking_code in section and waiting.tracking_code in section
    assert "Vamos el martes a revisar" in section and body.name in section
    assert "Sin respuesta todavía" in section
    assert PERSON not in html and "nota interna" not in html


def test_an_unconfirmed_alert_with_its_health_advice(client: TestClient, session: Session) -> None:
    system = system_with_provider(session)
    colour(session, system, "grey", alert="no_water")
    html = client.get(f"/sistemas/{system.code}").text
    assert 'id="alert" data-topic="no_water"' in html
    assert "Alerta ciudadana sin confirmar: No hay agua" in html
    assert "Guarda agua en recipientes limpios y tapados" in html
    assert "yaku-shape-bubble" in html
    colour(session, system, "grey", alert="suspected_contamination")
    html = client.get(f"/sistemas/{system.code}").text
    assert "Hierve el agua al menos un minuto" in html


def test_the_survey_seasons_say_not_recorded(client: TestClient, session: Session) -> None:
    system = system_with_provider(session)
    assert system.water_in_dry_season is None  # 308 of 371 were not recorded
    html = client.get(f"/sistemas/{system.code}").text
    assert html.count("No registrado") == 2


def test_in_english_no_spanish_status_text(client: TestClient, session: Session) -> None:
    system = system_with_provider(session)
    reason = message(
        "Old evidence ({date}): {reason}",
        date=date(2015, 9, 14),
        reason=message("SIASAR survey: {detail}", detail=message("no treatment")),
    )
    colour(session, system, "yellow", reason, alert="no_water")
    body = body_of(session, system)
    report = validated_report(session, system)
    answer(session, report, body, ReportStatus.ACKNOWLEDGED)
    html = client.get(f"/sistemas/{system.code}?lang=en").text
    words = text(html)
    assert "Boil it before drinking." in words
    assert "Old evidence (2015-09-14): SIASAR survey: no treatment" in words
    assert "Store water in clean, covered containers" in words
    leaks = [w for w in SPANISH_STATUS_WORDS if w in words]
    assert leaks == []
