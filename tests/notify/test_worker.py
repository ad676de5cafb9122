"""The ledger through a real Celery worker on the real Redis, with a real SMTP server: a task
delivered twice sends once; a refusing server is retried with backoff, then the row is
failed and shown on the body's desk; a report validated by the worker reaches its body.

The rows are committed (the worker is another process) and removed afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.models import AnswerLink, AuditEvent, Delivery, DeliveryStatus, Provider, Report, Role
from geodata.notify.outbox import queue_message
from tests import account_factories as accounts
from tests import report_factories as make
from tests.celery_support import celery_client, flush_redis, running_worker, wait_for
from tests.desk.conftest import member
from tests.desk.support import browser
from tests.live_server import free_port
from tests.smtp_support import body, settings_env, smtp_env, smtp_server

pytestmark = pytest.mark.celery
TO = "jass.worker@example.org"


@pytest.fixture
def ledger_rows(engine: Engine) -> Iterator[list[int]]:
    created: list[int] = []
    yield created
    with Session(engine) as session:
        session.execute(delete(Delivery).where(Delivery.id.in_(created)))
        session.commit()


def _committed_row(engine: Engine, key: str, provider_id: int | None = None) -> int:
    """A committed pending row whose own task is not sent (the test sends its copies)."""
    previous = jobs.set_dispatcher(lambda _jobs: None)
    try:
        return _commit_row(engine, key, provider_id)
    finally:
        jobs.set_dispatcher(previous)


def _commit_row(engine: Engine, key: str, provider_id: int | None) -> int:
    with Session(engine) as session:
        row = queue_message(
            session,
            event_key=key,
            recipient=TO,
            channel="email",
            subject="Aviso del trabajador",
            text="Hola",
            provider_id=provider_id,
        )
        session.commit()
        return row.id


def _row(engine: Engine, row_id: int) -> Delivery:
    with Session(engine, expire_on_commit=False) as session:
        return session.get_one(Delivery, row_id)


def test_a_task_delivered_twice_sends_once(
    engine: Engine, ledger_rows: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    flush_redis()
    with smtp_server() as (box, port), settings_env(monkeypatch, smtp_env(port)):
        row_id = _committed_row(engine, "worker:twice")
        ledger_rows.append(row_id)
        with running_worker("yaku-notify-twice"):
            client = celery_client()
            # The task ignores its result; these two copies ask for it, to know both ran.
            first = client.send_task(jobs.NOTIFY_DELIVER, args=[row_id], ignore_result=False)
            second = client.send_task(jobs.NOTIFY_DELIVER, args=[row_id], ignore_result=False)
            assert {first.get(timeout=30), second.get(timeout=30)} == {"sent", "skipped"}
            box.wait(TO)
    assert len(box.to(TO)) == 1 and body(box.to(TO)[0]).strip() == "Hola"
    row = _row(engine, row_id)
    assert (row.status, row.attempts, row.sent_via) == (DeliveryStatus.SENT, 1, "smtp")


def test_a_refusing_server_is_retried_then_failed_and_shown_on_the_desk(
    engine: Engine,
    ledger_rows: list[int],
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient,
    session: Session,
) -> None:
    flush_redis()
    provider_id = session.scalars(select(Provider.id).order_by(Provider.id).limit(1)).one()
    env = smtp_env(free_port(), YAKU_NOTIFY_MAX_ATTEMPTS="3", YAKU_NOTIFY_RETRY_BASE_SECONDS="0.3")
    with settings_env(monkeypatch, env):
        row_id = _committed_row(engine, "worker:failing", provider_id)
        ledger_rows.append(row_id)
        with running_worker("yaku-notify-failing"):
            celery_client().send_task(jobs.NOTIFY_DELIVER, args=[row_id])
            wait_for(lambda: _row(engine, row_id).status is DeliveryStatus.FAILED, timeout=30)
    row = _row(engine, row_id)
    assert row.attempts == 3 and row.error and "ConnectionRefused" in row.error
    assert row.updated_at > row.created_at

    staff = member(session, Role.PROVIDER_STAFF, session.get_one(Provider, provider_id))
    other = member(session, Role.PROVIDER_STAFF, session.get_one(Provider, provider_id + 1))
    page = browser(client, "GET", "/desk/avisos", staff)
    assert page.status_code == 200 and "j***@example.org" in page.text
    assert TO not in page.text and "ConnectionRefused" in page.text
    assert "j***@example.org" not in browser(client, "GET", "/desk/avisos", other).text
    api = client.get("/api/v1/desk/notices", headers=staff.headers)
    assert any(i["id"] == row_id and i["attempts"] == 3 for i in api.json()["items"])


@pytest.fixture
def urgent_place(engine: Engine) -> Iterator[tuple[make.Place, int]]:
    """A system whose body has an e-mail contact (committed), restored afterwards."""
    with Session(engine) as session:
        place = make.systems(session, 1, offset=61)[0]
        provider = accounts.provider_of(session, place.id)
        before = provider.contact_email, provider.contact_whatsapp, provider.contact_phone
        provider.contact_email, provider.contact_whatsapp, provider.contact_phone = TO, None, None
        provider_id = provider.id
        session.commit()
    yield place, provider_id
    with Session(engine) as session:
        provider = session.get_one(Provider, provider_id)
        provider.contact_email, provider.contact_whatsapp, provider.contact_phone = before
        codes = list(
            session.scalars(select(Report.tracking_code).where(Report.provider_id == provider_id))
        )
        session.execute(delete(Delivery).where(Delivery.provider_id == provider_id))
        session.execute(delete(AnswerLink).where(AnswerLink.provider_id == provider_id))
        session.execute(delete(Report).where(Report.provider_id == provider_id))
        session.execute(delete(AuditEvent).where(AuditEvent.subject_id.in_(codes)))
        session.commit()


def test_an_urgent_report_validated_by_the_worker_reaches_its_body(
    engine: Engine, urgent_place: tuple[make.Place, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from geodata.models import ReportCategory

    place, _provider_id = urgent_place
    flush_redis()
    with smtp_server() as (box, port), settings_env(monkeypatch, smtp_env(port)):
        with Session(engine) as session:
            accepted = make.report(
                session, place, ReportCategory.SUSPECTED_CONTAMINATION, device_id="notify-worker"
            )
            session.commit()
        with running_worker("yaku-notify-urgent"):
            celery_client().send_task(jobs.VALIDATE_REPORTS, args=[[accepted.id]])
            (message,) = box.wait(TO, timeout=40)
    assert accepted.tracking_code in message["Subject"]
    assert "/responder/" in body(message)
