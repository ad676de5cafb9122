"""The delivery ledger in one process on real servers: one row per event and recipient, a
second attempt sends nothing, transient failures back off then fail with a masked error,
permanent ones fail at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.models import Delivery, DeliveryStatus
from geodata.notify import ledger
from geodata.notify.outbox import queue_message
from geodata.settings import get_settings
from tests.live_server import free_port
from tests.smtp_support import Mailbox, body, settings_env, smtp_env

TO = "jass.norte@example.org"


def _queue(session: Session, key: str = "test:1", to: str = TO) -> Delivery:
    return queue_message(
        session, event_key=key, recipient=to, channel="email", subject="Aviso", text="Hola ñ"
    )


def test_one_row_per_event_and_recipient_and_one_job_after_commit(session: Session) -> None:
    first = _queue(session)
    again = _queue(session)
    other = _queue(session, to="ate@example.org")
    assert again.id == first.id and other.id != first.id
    count = session.scalar(select(func.count()).where(Delivery.event_key == "test:1"))
    assert count == 2
    deliveries = [j for j in jobs.pending(session) if j.name == jobs.NOTIFY_DELIVER]
    assert deliveries == [
        jobs.Job(jobs.NOTIFY_DELIVER, (first.id,)),
        jobs.Job(jobs.NOTIFY_DELIVER, (other.id,)),
    ]
    assert first.status is DeliveryStatus.PENDING and first.attempts == 0


def test_an_attempt_run_twice_sends_once(session: Session, mailbox: Mailbox) -> None:
    row = _queue(session)
    assert ledger.attempt(session, row.id).outcome is ledger.Outcome.SENT
    assert ledger.attempt(session, row.id).outcome is ledger.Outcome.SKIPPED
    (message,) = mailbox.wait(TO)
    assert message["Subject"] == "Aviso" and "Hola ñ" in body(message)
    session.refresh(row)
    assert (row.status, row.attempts, row.sent_via) == (DeliveryStatus.SENT, 1, "smtp")
    assert row.sent_at is not None and row.error is None


def test_a_refusing_server_is_retried_with_backoff_then_failed(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = smtp_env(free_port(), YAKU_NOTIFY_MAX_ATTEMPTS="3", YAKU_NOTIFY_RETRY_BASE_SECONDS="10")
    with settings_env(monkeypatch, env):
        row = _queue(session)
        outcomes = [ledger.attempt(session, row.id) for _ in range(4)]
    assert [o.outcome for o in outcomes] == [
        ledger.Outcome.RETRY,
        ledger.Outcome.RETRY,
        ledger.Outcome.FAILED,
        ledger.Outcome.SKIPPED,
    ]
    assert [o.retry_in for o in outcomes[:2]] == [10.0, 20.0]
    session.refresh(row)
    assert row.status is DeliveryStatus.FAILED and row.attempts == 3
    assert row.error and "ConnectionRefused" in row.error


def test_a_refused_recipient_fails_at_once_and_the_error_is_masked(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Refusing(Mailbox):
        async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
            return f"550 no such user {address}"

    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with settings_env(monkeypatch, smtp_env(port)):
            row = _queue(session)
            assert ledger.attempt(session, row.id).outcome is ledger.Outcome.FAILED
    finally:
        controller.stop()
    session.refresh(row)
    assert row.attempts == 1 and row.error and "550" in row.error
    assert TO not in row.error and "j***@example.org" in row.error


def test_without_any_account_messages_go_to_the_log_masked(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    assert get_settings().smtp_host is None
    row = queue_message(
        session,
        event_key="test:log",
        recipient="+51987654321",
        channel="sms",
        subject="Aviso",
        text="Su reporte AB12 fue atendido",
    )
    with caplog.at_level("WARNING", logger="yaku.notify"):
        assert ledger.attempt(session, row.id).outcome is ledger.Outcome.SENT
    assert row.sent_via == "log" and "+51*******21" in caplog.text
    assert "987654321" not in caplog.text


def test_backoff_doubles_up_to_its_cap() -> None:
    s = get_settings().model_copy(
        update={"notify_retry_base_seconds": 30.0, "notify_retry_max_seconds": 100.0}
    )
    assert [ledger.backoff(n, s) for n in (1, 2, 3, 4)] == [30.0, 60.0, 100.0, 100.0]
