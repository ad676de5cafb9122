"""The whole round trip on real processes: a WhatsApp message becomes a report, a real worker
validates and routes it, the body's number replies ``3 ...``, the report is resolved in the
body's name, and the citizen's reply is delivered (through the logging channel, read from the
worker's own log, where numbers are masked)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from geodata.inbound.notices import remember_notice
from geodata.models import InboundMessage, Provider, Report, ReportStatus, WaterSystem
from tests import report_factories as make
from tests.celery_support import REPO, celery_client, wait_for, worker_env
from tests.inbound.support import gateways, post_whatsapp, whatsapp_envelope, whatsapp_text
from tests.test_reports_celery import created, live

__all__ = ["created", "gateways", "live"]
pytestmark = [pytest.mark.celery, pytest.mark.usefixtures("gateways")]

CITIZEN = "+51987888999"
BODY_PHONE = "+51944123456"


@pytest.fixture
def worker_log(tmp_path: Path, gateways: None) -> Iterator[Path]:
    """A real worker whose log (the logging channel writes there) the test reads."""
    log = tmp_path / "worker.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.app:celery_app", "worker",
             "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--loglevel=WARNING", "--hostname=yaku-inbound@%h"],
            cwd=REPO, env=worker_env(), stdout=sink, stderr=sink,
        )  # fmt: skip
        try:
            assert celery_client().send_task("system.ping").get(timeout=90) == "pong"
            yield log
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def body(engine: Engine) -> Iterator[tuple[make.Place, int]]:
    """A system whose provider has a WhatsApp number; restored afterwards."""
    with Session(engine) as s:
        candidates = make.systems(s, 60)
        providers = dict(
            s.execute(
                select(WaterSystem.id, WaterSystem.provider_id).where(
                    WaterSystem.id.in_([p.id for p in candidates]),
                    WaterSystem.provider_id.is_not(None),
                )
            ).all()
        )
        place = next(p for p in candidates if p.id in providers)
        provider_id = providers[place.id]
        provider = s.get_one(Provider, provider_id)
        before = provider.contact_whatsapp
        provider.contact_whatsapp = BODY_PHONE
        s.commit()
    yield place, provider_id
    with Session(engine) as s:
        s.get_one(Provider, provider_id).contact_whatsapp = before
        s.execute(delete(InboundMessage).where(InboundMessage.sender.in_([CITIZEN, BODY_PHONE])))
        s.commit()


def _report(engine: Engine, code: str) -> Report | None:
    with Session(engine, expire_on_commit=False) as s:
        return s.scalars(select(Report).where(Report.tracking_code == code)).first()


def test_message_in_report_validated_provider_replies_3_citizen_told(
    live: TestClient,
    engine: Engine,
    worker_log: Path,
    body: tuple[make.Place, int],
    created: list[str],
) -> None:
    place, provider_id = body
    message = whatsapp_envelope(whatsapp_text(CITIZEN, f"Agua {place.code} no hay"))
    response = post_whatsapp(live, message)
    assert response.status_code == 200, response.text
    [code] = response.json()["tracking_codes"]
    created.append(code)
    assert post_whatsapp(live, message).json()["duplicates"] == 1  # the gateway's retry

    def validated() -> Report | None:
        report = _report(engine, code)
        return report if report is not None and report.status is ReportStatus.VALIDATED else None

    report = wait_for(validated, timeout=30)
    assert report.provider_id == provider_id and report.system_id == place.id
    with Session(engine) as s:  # what the outbound notice does when it sends
        remember_notice(s, BODY_PHONE, report.id)
        s.commit()

    answer = whatsapp_envelope(whatsapp_text(BODY_PHONE, "3 cambiamos la tubería"))
    assert post_whatsapp(live, answer).status_code == 200
    resolved = _report(engine, code)
    assert resolved is not None and resolved.status is ReportStatus.RESOLVED
    public = live.get(f"/api/v1/reports/{code}").json()
    assert public["updates"][-1]["note"] == "cambiamos la tubería"
    assert (
        public["updates"][-1]["actor_name"]
        == live.get(f"/api/v1/reports/{code}").json()["provider_name"]
    )

    def delivered() -> str | None:
        text = worker_log.read_text(encoding="utf-8", errors="replace")
        told = f"Novedades de su reporte {code}" in text
        confirmed = "Listo: el reporte" in text  # the body's confirmation, a separate message
        return (
            text if told and confirmed and f"Su código de seguimiento es {code}" in text else None
        )

    log = wait_for(delivered, timeout=60)
    assert "+51*******99" in log and "cambiamos la tubería" in log
    assert "987888999" not in log and "944123456" not in log  # numbers masked
    with Session(engine) as s:
        count = s.scalar(
            select(func.count()).select_from(Report).where(Report.reporter_contact == CITIZEN)
        )
    assert count == 1


def test_the_worker_settles_a_lone_location_into_a_report(
    live: TestClient,
    engine: Engine,
    worker_log: Path,
    body: tuple[make.Place, int],
    created: list[str],
) -> None:
    from sqlalchemy import text, update

    from geodata.inbound.settle import SETTLE_LOCATIONS
    from tests.inbound.support import whatsapp_location
    from worker.app import celery_app

    place, _ = body
    assert any(e["task"] == SETTLE_LOCATIONS for e in celery_app.conf.beat_schedule.values())
    post_whatsapp(live, whatsapp_envelope(whatsapp_location(CITIZEN, place.lon, place.lat)))
    with Session(engine) as s:  # its text never came
        s.execute(
            update(InboundMessage)
            .where(InboundMessage.sender == CITIZEN)
            .values(received_at=text("now() - interval '1 hour'"))
        )
        s.commit()
    celery_client().send_task(SETTLE_LOCATIONS)

    def reported() -> str | None:
        with Session(engine) as s:
            return s.scalar(select(Report.tracking_code).where(Report.reporter_contact == CITIZEN))

    code = wait_for(reported, timeout=30)
    created.append(code)
    wait_for(lambda: f"Su código de seguimiento es {code}" in worker_log.read_text(), timeout=30)
