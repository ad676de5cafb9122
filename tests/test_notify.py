"""Delivery channels on real servers: SMTP with login, refused or silent servers (delivery
fails without raising, within its timeout), the logging channel with masked addresses."""

from __future__ import annotations

import socket
import time

import pytest

from geodata.notify import Message, channel_for, deliver, mask_address
from geodata.notify.log_channel import LoggingChannel
from geodata.notify.smtp import SmtpChannel
from geodata.settings import get_settings
from tests.live_server import free_port
from tests.smtp_support import SMTP_PASSWORD, SMTP_USER, body, settings_env, smtp_env, smtp_server

# The test server takes a login without TLS (loopback only); aiosmtpd warns about exactly that.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
NOTE = Message("jass@example.org", "Prueba ñandú", "Hola: código 123456\nfin")


def test_smtp_with_login_delivers_a_plain_utf8_message(monkeypatch: pytest.MonkeyPatch) -> None:
    with (
        smtp_server(require_auth=True) as (box, port),
        settings_env(
            monkeypatch,
            smtp_env(port, YAKU_SMTP_USERNAME=SMTP_USER, YAKU_SMTP_PASSWORD=SMTP_PASSWORD),
        ),
    ):
        assert isinstance(channel_for(NOTE.to), SmtpChannel)
        assert deliver(NOTE) is True
        (message,) = box.wait(NOTE.to)
    assert box.logins == [SMTP_USER]
    assert message["Subject"] == "Prueba ñandú" and message["From"] == "Yaku <no-reply@yaku.test>"
    assert message["Message-ID"].endswith("@yaku.test>") and message["Date"]
    assert body(message).replace("\r\n", "\n") == "Hola: código 123456\nfin\n"


def test_a_wrong_smtp_password_fails_without_raising(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        smtp_server(require_auth=True) as (box, port),
        settings_env(
            monkeypatch, smtp_env(port, YAKU_SMTP_USERNAME=SMTP_USER, YAKU_SMTP_PASSWORD="mala")
        ),
    ):
        assert deliver(NOTE) is False
    assert box.messages == []
    assert "j***@example.org" in caplog.text and "jass@example.org" not in caplog.text


def test_a_server_that_refuses_or_never_answers_fails_within_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed = free_port()
    with settings_env(monkeypatch, smtp_env(closed)):
        assert deliver(NOTE) is False
    with socket.socket() as silent:  # accepts the connection, never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        with settings_env(monkeypatch, smtp_env(port, YAKU_SMTP_TIMEOUT_SECONDS="1")):
            started = time.monotonic()
            assert deliver(NOTE) is False
            assert time.monotonic() - started < 5


def test_phones_and_unconfigured_e_mail_go_to_the_log(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert get_settings().smtp_host is None
    assert isinstance(channel_for("a@example.org"), LoggingChannel)
    with settings_env(monkeypatch, smtp_env(free_port())):
        assert isinstance(channel_for("+51987654321"), LoggingChannel)
    with caplog.at_level("WARNING", logger="yaku.notify"):
        assert deliver(Message("+51987654321", "Código", "Su código es 123456")) is True
    assert "+51*******21" in caplog.text and "Su código es 123456" in caplog.text
    assert "987654321" not in caplog.text


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("rosa.quispe@example.org", "r***@example.org"),
        ("+51987654321", "+51*******21"),
        ("12345", "*****"),
    ],
)
def test_addresses_are_masked(address: str, masked: str) -> None:
    assert mask_address(address) == masked
