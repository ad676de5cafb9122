"""Gateway requests replayed as the gateways send them: each message becomes one report (or one
answer) however often it is retried; unsigned, wrongly signed and unconfigured requests are
refused, logged with masked numbers, and change nothing."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.models import InboundMessage, Report, ReportCategory
from tests import report_factories as make
from tests.inbound.support import (
    FLOW,
    TWILIO,
    VERIFY_TOKEN,
    WHATSAPP,
    flow_body,
    gateways,
    post_flow,
    post_twilio,
    post_whatsapp,
    replies,
    sign_whatsapp,
    twilio_form,
    whatsapp_envelope,
    whatsapp_location,
    whatsapp_text,
)

__all__ = ["gateways"]
pytestmark = pytest.mark.usefixtures("gateways")

CITIZEN = "+51987111222"
CITIZEN_MASKED = "+51*******22"


def reports_from(session: Session, phone: str) -> list[Report]:
    return list(session.scalars(select(Report).where(Report.reporter_contact == phone)))


def digits(code: str) -> str:
    return re.sub(r"[^0-9]", "", code)


@pytest.fixture
def place(session: Session) -> make.Place:
    return make.systems(session, 1, offset=3)[0]


# --- WhatsApp ---------------------------------------------------------------------------------


def test_whatsapp_verification_handshake(client: TestClient) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    ok = client.get(WHATSAPP, params=params)
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = client.get(WHATSAPP, params={**params, "hub.verify_token": "guess"})
    assert wrong.status_code == 403
    assert wrong.json()["error"]["message"] == "El token de verificación no coincide."
    assert client.get(WHATSAPP, params={**params, "hub.mode": "unsubscribe"}).status_code == 403


def test_a_whatsapp_report_replayed_twice_is_one_report(
    client: TestClient, session: Session, place: make.Place
) -> None:
    body = whatsapp_envelope(whatsapp_text(CITIZEN, f"agua {digits(place.code)} no hay"))
    first = post_whatsapp(client, body)
    assert first.status_code == 200, first.text
    assert first.json()["received"] == 1
    again = post_whatsapp(client, body)  # Meta retries when it did not see our 200 in time
    assert again.status_code == 200 and again.json() == {
        "received": 0,
        "duplicates": 1,
        "tracking_codes": [],
    }
    [report] = reports_from(session, CITIZEN)
    assert report.category is ReportCategory.NO_WATER
    assert report.location_code == place.code
    assert report.tracking_code == first.json()["tracking_codes"][0]
    assert [j.args for j in jobs.pending(session) if j.name == jobs.VALIDATE_REPORTS] == [
        ([report.id],)
    ]
    [(channel, to, text)] = replies(session)
    assert (channel, to) == ("whatsapp", CITIZEN)
    assert report.tracking_code in text and "ESTADO" in text
    public = client.get(f"/api/v1/reports/{report.tracking_code}")
    assert public.status_code == 200 and "987111222" not in public.text


def test_statuses_are_not_messages(client: TestClient, session: Session) -> None:
    statuses = [{"id": "wamid.X", "status": "delivered", "recipient_id": "51987111222"}]
    response = post_whatsapp(client, whatsapp_envelope(statuses=statuses))
    assert response.status_code == 200 and response.json()["received"] == 0
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0
    assert replies(session) == []


@pytest.mark.parametrize(
    ("signature", "status", "code"),
    [
        (None, 401, "signature_missing"),
        ("sha256=" + "0" * 64, 403, "signature_invalid"),
        ("deadbeef", 403, "signature_invalid"),
    ],
)
def test_whatsapp_refuses_unsigned_and_wrongly_signed_requests(
    client: TestClient,
    session: Session,
    caplog: pytest.LogCaptureFixture,
    signature: str | None,
    status: int,
    code: str,
) -> None:
    body = whatsapp_envelope(whatsapp_text(CITIZEN, "AGUA 160421 NOHAY"))
    with caplog.at_level(logging.WARNING, logger="yaku.inbound"):
        response = post_whatsapp(client, body, signature=signature)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert "firma" in response.json()["error"]["message"]
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0
    assert reports_from(session, CITIZEN) == []
    assert CITIZEN_MASKED in caplog.text and "987111222" not in caplog.text


def test_a_signature_by_another_secret_or_of_another_body_is_refused(client: TestClient) -> None:
    body = whatsapp_envelope(whatsapp_text(CITIZEN, "AGUA 160421 NOHAY"))
    assert post_whatsapp(client, body, sign_whatsapp(body, "other")).status_code == 403
    tampered = body.replace(b"NOHAY", b"ROTA!")
    assert post_whatsapp(client, tampered, sign_whatsapp(body)).status_code == 403


def test_malformed_but_signed_bodies_are_422(client: TestClient) -> None:
    for body in (b"{not json", b"[]", b'{"entry": 3}'):
        response = post_whatsapp(client, body)
        assert response.status_code == 422, body


def test_an_oversized_webhook_is_refused_before_it_is_read(client: TestClient) -> None:
    body = whatsapp_envelope(whatsapp_text(CITIZEN, "x" * (300 * 1024)))
    assert post_whatsapp(client, body).status_code == 413


def test_a_location_then_a_text_make_one_report_at_that_place(
    client: TestClient, session: Session, place: make.Place
) -> None:
    location = whatsapp_envelope(whatsapp_location(CITIZEN, place.lon, place.lat))
    assert post_whatsapp(client, location).json()["received"] == 1
    [(_, _, waiting)] = replies(session)
    assert "Recibimos su ubicación" in waiting
    text = whatsapp_envelope(whatsapp_text(CITIZEN, "el agua sale turbia"))
    assert post_whatsapp(client, text).status_code == 200
    [report] = reports_from(session, CITIZEN)
    assert report.category is ReportCategory.TURBID_WATER
    assert report.location_code is None
    lon, lat = session.execute(select(func.ST_X(Report.geom), func.ST_Y(Report.geom)).where(
        Report.id == report.id)).one()  # fmt: skip
    assert (round(lon, 6), round(lat, 6)) == (round(place.lon, 6), round(place.lat, 6))
    assert report.tracking_code in replies(session)[-1][2]


def test_a_text_without_place_waits_for_the_location(
    client: TestClient, session: Session, place: make.Place
) -> None:
    post_whatsapp(client, whatsapp_envelope(whatsapp_text(CITIZEN, "Se rompió la tubería")))
    assert reports_from(session, CITIZEN) == []
    [(_, _, asked)] = replies(session)
    assert "¿Dónde está el problema?" in asked and "ubicación" in asked
    post_whatsapp(client, whatsapp_envelope(whatsapp_location(CITIZEN, place.lon, place.lat)))
    [report] = reports_from(session, CITIZEN)
    assert report.category is ReportCategory.BROKEN_INFRASTRUCTURE
    assert report.description == "Se rompió la tubería"
    assert report.geom is not None


def test_an_unknown_system_code_is_explained(client: TestClient, session: Session) -> None:
    post_whatsapp(client, whatsapp_envelope(whatsapp_text(CITIZEN, "AGUA 999999999 NOHAY")))
    assert reports_from(session, CITIZEN) == []
    [(_, _, text)] = replies(session)
    assert "No encontramos el sistema de agua 999999999" in text


@pytest.mark.parametrize("garbage", ["hola", "👍", "?", "5", "asdf"])
def test_garbage_gets_help_not_silence(client: TestClient, session: Session, garbage: str) -> None:
    post_whatsapp(client, whatsapp_envelope(whatsapp_text(CITIZEN, garbage)))
    [(_, to, text)] = replies(session)
    assert to == CITIZEN
    assert "AGUA <código del sistema> <problema>" in text and "ESTADO" in text
    assert reports_from(session, CITIZEN) == []


def test_an_image_gets_help(client: TestClient, session: Session) -> None:
    image = {
        **whatsapp_text(CITIZEN, ""),
        "type": "image",
        "image": {"id": "1", "mime_type": "image/jpeg"},
    }
    del image["text"]
    post_whatsapp(client, whatsapp_envelope(image))
    [(_, _, text)] = replies(session)
    assert "Solo podemos leer mensajes de texto" in text


def test_status_question_answers_the_public_status(
    client: TestClient, session: Session, place: make.Place
) -> None:
    accepted = make.report(session, place, contact=CITIZEN)
    post_whatsapp(
        client,
        whatsapp_envelope(whatsapp_text(CITIZEN, f"estado {accepted.tracking_code.lower()}")),
    )
    [(_, _, text)] = replies(session)
    assert text == f"Reporte {accepted.tracking_code}: recibido."
    post_whatsapp(client, whatsapp_envelope(whatsapp_text(CITIZEN, "ESTADO ZZZZ9999")))
    assert "No encontramos un reporte con el código ZZZZ9999" in replies(session)[-1][2]


# --- Twilio-style SMS -------------------------------------------------------------------------


def test_a_twilio_sms_replayed_twice_is_one_report(
    client: TestClient, session: Session, place: make.Place
) -> None:
    form = twilio_form(CITIZEN, f"AGUA {place.code} FUGA")
    for _ in range(2):
        response = post_twilio(client, form)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        assert "<Response>" in response.text
    [report] = reports_from(session, CITIZEN)
    assert (report.category, report.location_code) == (ReportCategory.LEAK, place.code)
    [(channel, to, text)] = replies(session)
    assert (channel, to) == ("sms", CITIZEN) and report.tracking_code in text


def test_twilio_refuses_unsigned_and_wrongly_signed_requests(
    client: TestClient, session: Session
) -> None:
    form = twilio_form(CITIZEN, "AGUA 160421 NOHAY")
    assert post_twilio(client, form, signature=None).status_code == 401
    assert post_twilio(client, form, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    # Signed for another URL (a replay against another service): refused.
    from geodata.inbound.signatures import twilio_signature
    from tests.inbound.support import TWILIO_TOKEN

    elsewhere = twilio_signature(TWILIO_TOKEN, "https://other.example" + TWILIO, form.items())
    assert post_twilio(client, form, signature=elsewhere).status_code == 403
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0


# --- RapidPro / TextIt flows ------------------------------------------------------------------


def test_a_flow_webhook_replayed_twice_is_one_report(
    client: TestClient, session: Session, place: make.Place
) -> None:
    body = flow_body(CITIZEN, f"agua {digits(place.code)} olor")
    first = post_flow(client, body)
    assert first.status_code == 200 and first.json()["received"] == 1
    assert post_flow(client, body).json()["duplicates"] == 1
    [report] = reports_from(session, CITIZEN)
    assert report.category is ReportCategory.BAD_TASTE_SMELL_COLOUR
    assert replies(session)[0][:2] == ("sms", CITIZEN)


def test_flow_refuses_unsigned_and_wrongly_signed_requests(client: TestClient) -> None:
    body = flow_body(CITIZEN, "AGUA 160421 NOHAY")
    assert post_flow(client, body, signature=None).status_code == 401
    assert post_flow(client, body, signature="sha256=" + "a" * 64).status_code == 403


def test_unconfigured_gateways_refuse_everything(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.smtp_support import settings_env

    blank = {
        "YAKU_WHATSAPP_APP_SECRET": "",
        "YAKU_WHATSAPP_VERIFY_TOKEN": "",
        "YAKU_TWILIO_AUTH_TOKEN": "",
        "YAKU_FLOW_WEBHOOK_SECRET": "",
    }
    with settings_env(monkeypatch, blank):
        body = whatsapp_envelope(whatsapp_text(CITIZEN, "AGUA 160421 NOHAY"))
        for response in (
            post_whatsapp(client, body, sign_whatsapp(body, "")),
            post_twilio(client, twilio_form(CITIZEN, "AGUA 160421 NOHAY"), signature="x"),
            post_flow(client, flow_body(CITIZEN, "AGUA"), signature="sha256=00"),
            client.get(
                WHATSAPP,
                params={"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"},
            ),
        ):
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "gateway_not_configured"
    assert FLOW  # the three routes share the behaviour


def test_a_location_alone_becomes_a_report_when_no_text_follows(
    client: TestClient, session: Session, place: make.Place
) -> None:
    from datetime import UTC, datetime, timedelta

    from geodata.inbound.settle import settle_lone_locations

    post_whatsapp(client, whatsapp_envelope(whatsapp_location(CITIZEN, place.lon, place.lat)))
    assert settle_lone_locations(session) == []  # its text may still come
    later = datetime.now(UTC) + timedelta(minutes=16)
    [code] = settle_lone_locations(session, later)
    [report] = reports_from(session, CITIZEN)
    assert (report.tracking_code, report.category) == (code, ReportCategory.OTHER)
    assert report.geom is not None
    assert code in replies(session)[-1][2]
    assert settle_lone_locations(session, later) == []  # settled once
