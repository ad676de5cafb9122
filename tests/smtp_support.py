"""A real SMTP server (aiosmtpd) on a free loopback port, and settings that point Yaku at it."""

from __future__ import annotations

import asyncio
import email
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from geodata.settings import get_settings
from tests.live_server import free_port

CODE = re.compile(r"\b(\d{6})\b")
SIGN_IN_LINK = re.compile(r"https?://\S+/ingresar/enlace/\S+")
INVITATION_LINK = re.compile(r"https?://\S+/ingresar/invitacion/\S+")
SMTP_USER, SMTP_PASSWORD = "yaku", "smtp-secret"


@dataclass
class Mailbox:
    """What the server received, parsed; ``wait`` for messages sent after a response."""

    messages: list[Message] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay: float = 0.0  # a slow server: seconds before it accepts a message
    on_message: Callable[[Message], None] | None = None  # runs as the message arrives

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        if self.on_message is not None:
            self.on_message(parsed)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait(self, address: str, count: int = 1, timeout: float = 15) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{count} message(s) to {address} did not arrive")

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok)


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def code_and_link(message: Message) -> tuple[str, str]:
    text = body(message)
    code = CODE.search(text)
    link = SIGN_IN_LINK.search(text)
    assert code and link, text
    return code.group(1), link.group(0)


@contextmanager
def smtp_server(require_auth: bool = False) -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=mailbox.authenticate if require_auth else None,
        auth_required=require_auth,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def smtp_env(port: int, **extra: str) -> dict[str, str]:
    return {
        "YAKU_SMTP_HOST": "127.0.0.1",
        "YAKU_SMTP_PORT": str(port),
        "YAKU_SMTP_STARTTLS": "false",
        "YAKU_SMTP_FROM": "Yaku <no-reply@yaku.test>",
        "YAKU_SMTP_TIMEOUT_SECONDS": "5",
        **extra,
    }


@contextmanager
def settings_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Iterator[None]:
    """Settings read anew with ``env`` for the duration, then as before."""
    with monkeypatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        get_settings.cache_clear()
        try:
            yield
        finally:
            get_settings.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server that Yaku sends its e-mail to during the test."""
    with smtp_server() as (box, port), settings_env(monkeypatch, smtp_env(port)):
        yield box
