"""Sign-in on a real server: a real uvicorn, a real SMTP server, real Chromium at 360 px.

A code is sent only after its row is committed, and a slow mail server never holds the
request; a person signs in with a password and reaches the desk, and with a code read from
the mail server.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from geodata.accounts.service import add_membership, create_account
from geodata.models import Account, AuditEvent, OneTimeCode, Role, SignInThrottle
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.live_server import uvicorn_server
from tests.smtp_support import Mailbox, code_and_link, smtp_env, smtp_server

pytestmark = pytest.mark.browser
PASSWORD = "agua-de-la-sierra-7"


@dataclass(frozen=True)
class Live:
    base: str
    mailbox: Mailbox


@pytest.fixture(scope="module")
def live(engine: Engine) -> Iterator[Live]:
    with smtp_server() as (mailbox, port):
        env = {
            "YAKU_DATABASE_URL": TEST_DATABASE_URL,
            "YAKU_REDIS_URL": TEST_REDIS_URL,
            "YAKU_DB_POOL_SIZE": "4",
            "YAKU_TILE_URL": "",
            **smtp_env(port),
        }
        with uvicorn_server({**os.environ, **env}) as base:
            yield Live(base, mailbox)
    with Session(engine) as session:
        session.execute(delete(SignInThrottle))
        session.commit()


@pytest.fixture
def person(engine: Engine) -> Iterator[Account]:
    """A committed provider-staff account with a password; deleted (with its trail) after."""
    email = f"operadora-{uuid.uuid4().hex[:8]}@example.org"
    with Session(engine, expire_on_commit=False) as session:
        account = create_account(
            session, email, display_name="Operadora", password=PASSWORD, actor="tests"
        )
        add_membership(session, account, Role.MODERATOR, actor="tests")
        session.commit()
    yield account
    with Session(engine) as session:
        session.execute(delete(AuditEvent).where(AuditEvent.actor == email))
        session.execute(delete(AuditEvent).where(AuditEvent.subject_id == str(account.id)))
        session.execute(delete(Account).where(Account.id == account.id))
        session.commit()


def test_the_code_leaves_after_the_commit_and_a_slow_mail_server_never_holds_the_request(
    live: Live, person: Account, engine: Engine
) -> None:
    seen: list[int] = []

    def committed_codes(_message: Any) -> None:
        with Session(engine) as session:  # another connection: sees only committed rows
            seen.append(
                session.scalar(select(func.count()).where(OneTimeCode.account_id == person.id)) or 0
            )

    live.mailbox.delay, live.mailbox.on_message = 2.0, committed_codes
    try:
        started = time.monotonic()
        answer = httpx.post(
            f"{live.base}/api/v1/auth/code", json={"identifier": person.email}, timeout=10
        )
        elapsed = time.monotonic() - started
        assert answer.status_code == 202
        assert elapsed < 1.5, f"the request waited for the mail server ({elapsed:.2f} s)"
        live.mailbox.wait(person.email or "")
    finally:
        live.mailbox.delay, live.mailbox.on_message = 0.0, None
    assert seen == [1]


def no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_password_at_360_px_reaches_the_desk(
    live: Live, person: Account, phone: Any, artifacts: Path
) -> None:
    page = phone.new_page()
    page.goto(f"{live.base}/ingresar")
    assert page.locator("h1").inner_text() == "Ingreso del personal"
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "signin-360.png"), full_page=True)
    page.fill("#identifier", person.email or "")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#password-form button[type=submit]")
    assert page.url == f"{live.base}/desk"  # the desk (it may not exist on this branch yet)
    cookie = next(c for c in phone.cookies() if c["name"] == "yaku_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
    page.goto(f"{live.base}/cuenta")
    assert page.locator("#me-who").inner_text() == person.email
    assert "moderador" in page.locator("#me-roles").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "account-360.png"), full_page=True)


def test_a_code_from_the_mail_server_at_360_px_and_signing_out(
    live: Live, person: Account, phone: Any, artifacts: Path
) -> None:
    page = phone.new_page()
    page.goto(f"{live.base}/ingresar?next=/cuenta")
    page.fill("#code-identifier", person.email or "")
    with page.expect_navigation():
        page.click("#code-request-form button[type=submit]")
    assert "Escriba su código" in page.locator("h1").inner_text()
    assert page.locator("#code").get_attribute("autocomplete") == "one-time-code"
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "code-360.png"), full_page=True)
    code, _ = code_and_link(live.mailbox.wait(person.email or "")[-1])
    page.fill("#code", code)
    with page.expect_navigation():
        page.click("#code-form button[type=submit]")
    assert page.url == f"{live.base}/cuenta"
    assert page.locator("#me-who").inner_text() == person.email
    page.goto(f"{live.base}/salir")
    with page.expect_navigation():
        page.click("#signout-form button[type=submit]")
    assert page.url == f"{live.base}/ingresar?salio=1"
    assert page.locator("#signin-notice").inner_text() == "Ha salido de su cuenta."
    page.goto(f"{live.base}/cuenta")
    assert page.url.startswith(f"{live.base}/ingresar?next=")
