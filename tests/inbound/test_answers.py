"""Providers answer by replying from their registered number: the numbered reply is the same
answer as on the desk (status, public note in the body's name), and the reporter is told."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.inbound.notices import remember_notice
from geodata.models import Report, ReportStatus, ReportUpdate
from geodata.reports.validation import validate_report
from tests.desk.conftest import World, world
from tests.inbound.support import (
    gateways,
    post_whatsapp,
    replies,
    whatsapp_envelope,
    whatsapp_text,
)

__all__ = ["gateways", "world"]
pytestmark = pytest.mark.usefixtures("gateways")

STAFF_PHONE = "+51944555666"
BODY_PHONE = "+51944777888"
CITIZEN = "+51987333444"


def reply_to(session: Session, phone: str) -> list[tuple[str, str]]:
    """(channel, text) of the replies to ``phone``, in order."""
    return [(c, t) for c, to, t in replies(session) if to == phone]


def say(client: TestClient, phone: str, text: str) -> None:
    response = post_whatsapp(client, whatsapp_envelope(whatsapp_text(phone, text)))
    assert response.status_code == 200, response.text


def last_update(session: Session, report: Report) -> ReportUpdate:
    return session.scalars(
        select(ReportUpdate)
        .where(ReportUpdate.report_id == report.id)
        .order_by(ReportUpdate.id.desc())
    ).first()  # type: ignore[return-value]


def test_staff_reply_3_with_code_resolves_and_the_reporter_is_told(
    client: TestClient, session: Session, world: World
) -> None:
    member = world.staff["provider_staff"]
    member.account.phone = STAFF_PHONE
    session.flush()
    report = world.report_a
    say(client, STAFF_PHONE, f"3 {report.tracking_code.lower()} cambiamos la tubería")
    session.refresh(report)
    assert report.status is ReportStatus.RESOLVED
    update = last_update(session, report)
    assert (update.actor_name, update.channel, update.note, update.is_public) == (
        world.provider_a.name,
        "whatsapp",
        "cambiamos la tubería",
        True,
    )
    assert update.account_id == member.account.id
    assert reply_to(session, STAFF_PHONE) == [
        ("whatsapp", f"Listo: el reporte {report.tracking_code} ahora está resuelto.")
    ]
    [(channel, text)] = reply_to(session, "vecina@example.org")
    assert channel == "email"
    assert f"Novedades de su reporte {report.tracking_code}: {world.provider_a.name}" in text
    assert "resuelto" in text and "cambiamos la tubería" in text
    public = client.get(f"/api/v1/reports/{report.tracking_code}").json()
    assert public["updates"][-1]["note"] == "cambiamos la tubería"
    assert STAFF_PHONE.lstrip("+") not in str(public)


def test_a_body_number_answers_the_last_report_noticed_to_it(
    client: TestClient, session: Session, world: World
) -> None:
    world.provider_a.contact_whatsapp = BODY_PHONE
    report = world.report_a
    remember_notice(session, BODY_PHONE, report.id)
    say(client, BODY_PHONE, "1")
    session.refresh(report)
    assert report.status is ReportStatus.ACKNOWLEDGED
    say(client, BODY_PHONE, "2 mañana vamos con el gasfitero")
    session.refresh(report)
    assert report.status is ReportStatus.IN_PROGRESS
    update = last_update(session, report)
    assert (update.actor_name, update.note, update.account_id) == (
        world.provider_a.name,
        "mañana vamos con el gasfitero",
        None,
    )


def test_4_hands_the_report_to_the_district_atm(
    client: TestClient, session: Session, world: World
) -> None:
    world.provider_a.contact_phone = BODY_PHONE
    say(client, BODY_PHONE, f"4 {world.report_a.tracking_code} no es nuestro sistema")
    session.refresh(world.report_a)
    assert world.report_a.provider_id == world.atm_a.id
    assert "no es nuestro sistema" in (last_update(session, world.report_a).note or "")


def test_another_body_cannot_answer_nor_learn_of_the_report(
    client: TestClient, session: Session, world: World
) -> None:
    world.provider_b.contact_whatsapp = BODY_PHONE
    say(client, BODY_PHONE, f"3 {world.report_a.tracking_code}")
    session.refresh(world.report_a)
    assert world.report_a.status is ReportStatus.VALIDATED
    [(_, to, text)] = replies(session)
    assert to == BODY_PHONE
    assert text == (
        "Su respuesta no fue registrada: No hay ningún reporte con este código de seguimiento."
    )


def test_staff_of_another_body_are_refused_like_on_the_desk(
    client: TestClient, session: Session, world: World
) -> None:
    world.staff["other"].account.phone = STAFF_PHONE
    session.flush()
    say(client, STAFF_PHONE, f"1 {world.report_a.tracking_code}")
    session.refresh(world.report_a)
    assert world.report_a.status is ReportStatus.VALIDATED
    assert "no fue registrada" in replies(session)[0][2]


def test_without_code_nor_notice_the_reply_asks_which_report(
    client: TestClient, session: Session, world: World
) -> None:
    world.provider_a.contact_whatsapp = BODY_PHONE
    say(client, BODY_PHONE, "3 listo")
    [(_, _, text)] = replies(session)
    assert "¿Qué reporte?" in text


def test_an_impossible_move_is_explained_and_changes_nothing(
    client: TestClient, session: Session, world: World
) -> None:
    world.provider_a.contact_whatsapp = BODY_PHONE
    code = world.report_a.tracking_code
    say(client, BODY_PHONE, f"3 {code}")
    say(client, BODY_PHONE, f"3 {code} otra vez")
    session.refresh(world.report_a)
    assert world.report_a.status is ReportStatus.RESOLVED
    assert "no fue registrada" in reply_to(session, BODY_PHONE)[-1][1]
    updates = session.scalars(
        select(ReportUpdate.note).where(ReportUpdate.report_id == world.report_a.id)
    ).all()
    assert "otra vez" not in updates


def test_a_number_that_is_not_registered_gets_help(
    client: TestClient, session: Session, world: World
) -> None:
    say(client, "+51987000111", f"3 {world.report_a.tracking_code}")
    session.refresh(world.report_a)
    assert world.report_a.status is ReportStatus.VALIDATED
    [(_, _, text)] = replies(session)
    assert "AGUA <código del sistema> <problema>" in text


def test_a_whatsapp_reporter_hears_back_on_whatsapp(
    client: TestClient, session: Session, world: World
) -> None:
    say(client, CITIZEN, f"AGUA {world.a.code} ROTA")
    report = session.scalars(select(Report).where(Report.reporter_contact == CITIZEN)).one()
    assert validate_report(session, report.id) is not None
    assert report.provider_id == world.provider_a.id
    world.provider_a.contact_whatsapp = BODY_PHONE
    remember_notice(session, BODY_PHONE, report.id)
    say(client, BODY_PHONE, "3 cambiamos el tubo")
    channel, text = reply_to(session, CITIZEN)[-1]
    assert channel == "whatsapp"
    assert report.tracking_code in text and "cambiamos el tubo" in text


def test_the_status_question_shows_the_bodys_public_answer(
    client: TestClient, session: Session, world: World
) -> None:
    world.provider_a.contact_whatsapp = BODY_PHONE
    code = world.report_a.tracking_code
    say(client, BODY_PHONE, f"2 {code} vamos el lunes")
    say(client, CITIZEN, f"ESTADO {code}")
    [(_, text)] = reply_to(session, CITIZEN)
    assert text == f"Reporte {code}: en atención.\n{world.provider_a.name}: vamos el lunes"


def test_a_body_writing_without_a_number_is_shown_how_to_answer(
    client: TestClient, session: Session, world: World
) -> None:
    world.provider_a.contact_whatsapp = BODY_PHONE
    say(client, BODY_PHONE, "ya cambiamos la tubería del reservorio")
    [(_, text)] = reply_to(session, BODY_PHONE)
    assert text.startswith("Para responder un reporte, conteste con un número: 1 recibido")
    assert session.scalars(select(Report).where(Report.reporter_contact == BODY_PHONE)).all() == []
    say(client, BODY_PHONE, f"AGUA {world.a.code} FUGA")  # but it may still report
    assert session.scalars(select(Report).where(Report.reporter_contact == BODY_PHONE)).one()
