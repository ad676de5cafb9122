"""Signing in without a password, end to end through a real SMTP server: the same answer for
known and unknown identifiers, the code, the magic link (valid, expired, reused, tampered),
attempts, lockout, throttling, and digests only in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.accounts.service import create_account
from geodata.models import Account, AuditEvent, AuthSession, OneTimeCode, Role, SignInThrottle
from geodata.settings import get_settings
from tests import account_factories as accounts
from tests.smtp_support import Mailbox, body, code_and_link, settings_env, smtp_env


def ask(client: TestClient, identifier: str, **extra: str) -> httpx.Response:
    return client.post("/api/v1/auth/code", json={"identifier": identifier, **extra})


def actions(session: Session, account_id: int) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.account_id == account_id)
            .order_by(AuditEvent.id)
        )
    )


def test_a_code_by_e_mail_signs_in_once(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    email = member.account.email
    assert email is not None
    sent = client.post("/api/v1/auth/code", json={"identifier": email.upper()})
    assert sent.status_code == 202, sent.text
    assert "10 minutos" in sent.json()["message"]
    (message,) = mailbox.wait(email)
    assert message["From"] == "Yaku <no-reply@yaku.test>"
    code, link = code_and_link(message)
    assert code in message["Subject"] and "10 minutos" in body(message)
    record = session.scalars(
        select(OneTimeCode).where(OneTimeCode.account_id == member.account.id)
    ).one()
    assert code not in (record.code_hash, record.link_hash)
    assert urlsplit(link).path.split("/")[-1] not in record.link_hash
    assert record.expires_at - record.created_at == timedelta(minutes=10)

    verified = client.post("/api/v1/auth/code/verify", json={"identifier": email, "code": code})
    assert verified.status_code == 200, verified.text
    token = verified.json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email"] == email
    again = client.post("/api/v1/auth/code/verify", json={"identifier": email, "code": code})
    assert again.status_code == 401 and again.json()["error"]["code"] == "code_invalid"
    assert actions(session, member.account.id)[-3:] == [
        "sign_in_code.sent",
        "sign_in",
        "sign_in.failed",
    ]
    assert session.get_one(Account, member.account.id).last_sign_in_at is not None


def test_a_code_can_open_a_browser_session(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    member = accounts.staff(session, Role.HEALTH)
    email = member.account.email
    assert email is not None
    ask(client, email)
    code, _ = code_and_link(mailbox.wait(email)[0])
    answer = client.post(
        "/api/v1/auth/code/verify", json={"identifier": email, "code": code, "session": "browser"}
    )
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"]
    assert "yaku_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert f"Max-Age={get_settings().session_days * 86400}" in cookie
    csrf = answer.json()["csrf_token"]
    assert client.get("/api/v1/auth/me").json()["roles"] == ["health"]
    assert client.post("/api/v1/auth/sign-out", headers={"X-CSRF-Token": csrf}).status_code == 204
    client.cookies.clear()
    # Another site's plain form cannot sign a browser in: a text/plain body is refused (415)
    # by the request guard before any route reads it.
    ask(client, email)
    code, _ = code_and_link(mailbox.wait(email, 2)[1])
    forged = client.post(
        "/api/v1/auth/code/verify",
        content=f'{{"identifier": "{email}", "code": "{code}", "session": "browser"}}',
        headers={"Content-Type": "text/plain"},
    )
    assert forged.status_code == 415 and "set-cookie" not in forged.headers


def test_unknown_and_inactive_identifiers_get_the_same_answer_and_no_message(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    member = accounts.staff(session, Role.MODERATOR)
    known = ask(client, member.account.email or "")
    unknown = ask(client, "nadie-aqui@example.org")
    member.account.is_active = False
    session.flush()
    inactive = ask(client, member.account.email or "")
    assert known.status_code == unknown.status_code == inactive.status_code == 202
    assert known.json() == unknown.json() == inactive.json()
    mailbox.wait(member.account.email or "")
    assert mailbox.to("nadie-aqui@example.org") == []
    assert len(mailbox.messages) == 1


def test_bad_identifiers_are_refused_with_a_translated_message(client: TestClient) -> None:
    answer = ask(client, "no soy un correo")
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("Indique un correo")


def test_a_phone_without_sms_channel_goes_to_the_log_masked(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    account = create_account(session, "987 654 321", actor="tests")
    with caplog.at_level("WARNING", logger="yaku.notify"):
        assert ask(client, "+51987654321").status_code == 202
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "yaku.notify")
    assert "+51*******21" in logged and "987654321" not in logged
    assert "/ingresar/enlace/" in logged
    assert session.scalar(select(func.count()).where(OneTimeCode.account_id == account.id)) == 1


def test_the_magic_link_signs_in_once_and_says_why_not_afterwards(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    email = member.account.email or ""
    ask(client, email, next="/cuenta")
    _, link = code_and_link(mailbox.wait(email)[0])
    path = urlsplit(link).path + "?" + urlsplit(link).query
    assert path.endswith("?next=/cuenta")
    opened = client.get(path, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/cuenta"
    assert "yaku_session=" in opened.headers["set-cookie"]
    client.cookies.clear()
    reused = client.get(path, follow_redirects=False)
    assert reused.status_code == 410 and "ya fue usado" in reused.text
    assert "yaku_session" not in reused.headers.get("set-cookie", "")
    token = urlsplit(link).path.rsplit("/", 1)[1]
    tampered = client.get(f"/ingresar/enlace/{token[:-3]}abc", follow_redirects=False)
    assert tampered.status_code == 404 and "no es válido" in tampered.text
    english = client.get(f"/ingresar/enlace/{token}x?lang=en")
    assert "This link is not valid" in english.text
    ask(client, email, next="https://malo.example/desk")
    _, elsewhere = code_and_link(mailbox.wait(email, 2)[1])
    assert "?" not in elsewhere  # another site is never where a link leads


def test_an_expired_link_or_code_does_not_sign_in(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    email = member.account.email or ""
    ask(client, email)
    code, link = code_and_link(mailbox.wait(email)[0])
    record = session.scalars(
        select(OneTimeCode).where(OneTimeCode.account_id == member.account.id)
    ).one()
    record.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.flush()
    expired = client.get(urlsplit(link).path, follow_redirects=False)
    assert expired.status_code == 410 and "venció" in expired.text
    late = client.post("/api/v1/auth/code/verify", json={"identifier": email, "code": code})
    assert late.status_code == 401


def test_a_new_code_ends_the_old_one(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    email = member.account.email or ""
    ask(client, email)
    first, _ = code_and_link(mailbox.wait(email)[0])
    ask(client, email)
    second, _ = code_and_link(mailbox.wait(email, 2)[1])
    if first != second:
        old = client.post("/api/v1/auth/code/verify", json={"identifier": email, "code": first})
        assert old.status_code == 401
    new = client.post("/api/v1/auth/code/verify", json={"identifier": email, "code": second})
    assert new.status_code == 200


def test_a_code_dies_after_five_wrong_tries(
    client: TestClient, session: Session, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with settings_env(
        monkeypatch, {**smtp_env(int(get_settings().smtp_port)), "YAKU_MAX_FAILED_SIGN_INS": "50"}
    ):
        member = accounts.staff(session, Role.ANALYST)
        email = member.account.email or ""
        ask(client, email)
        code, link = code_and_link(mailbox.wait(email)[0])
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(get_settings().sign_in_code_attempts):
            answer = client.post(
                "/api/v1/auth/code/verify", json={"identifier": email, "code": wrong}
            )
            assert answer.status_code == 401
        right = client.post("/api/v1/auth/code/verify", json={"identifier": email, "code": code})
        assert right.status_code == 401
        assert client.get(urlsplit(link).path, follow_redirects=False).status_code == 410
        record = session.scalars(
            select(OneTimeCode).where(OneTimeCode.account_id == member.account.id)
        ).one()
        assert record.attempts == 5 and record.used_at is None


def test_wrong_codes_lock_the_account_with_growing_delays(
    client: TestClient, session: Session, mailbox: Mailbox, pauses: list[float]
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    email = member.account.email or ""
    ask(client, email)
    code, _ = code_and_link(mailbox.wait(email)[0])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    limit = get_settings().max_failed_sign_ins
    for _ in range(limit):
        assert (
            client.post(
                "/api/v1/auth/code/verify", json={"identifier": email, "code": wrong}
            ).status_code
            == 401
        )
    assert pauses == [0.0, 0.5, 1.0, 2.0, 0.0]  # the fifth failure locks (and resets the count)
    ask(client, email)  # a fresh code does not open a locked account
    fresh, fresh_link = code_and_link(mailbox.wait(email, 2)[1])
    locked = client.post("/api/v1/auth/code/verify", json={"identifier": email, "code": fresh})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    password = client.post(
        "/api/v1/auth/token", data={"username": email, "password": accounts.PASSWORD}
    )
    assert password.status_code == 429
    events = actions(session, member.account.id)
    assert events.count("sign_in.failed") == limit and "account.locked" in events
    assert events[-1] == "sign_in.locked"
    # The link cannot be guessed: it proves the mailbox and opens the account again.
    opened = client.get(urlsplit(fresh_link).path, follow_redirects=False)
    assert opened.status_code == 303
    assert session.get_one(Account, member.account.id).locked_until is None


def test_code_requests_are_throttled_per_identifier(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    email = member.account.email or ""
    limit = get_settings().code_requests_per_identifier
    for _ in range(limit):
        assert ask(client, email).status_code == 202
        assert ask(client, "desconocido@example.org").status_code == 202
    refused = ask(client, email)
    unknown = ask(client, "desconocido@example.org")
    for answer in (refused, unknown):
        assert answer.status_code == 429
        assert answer.json()["error"]["code"] == "too_many_code_requests"
        assert int(answer.headers["retry-after"]) > 0
    assert len(mailbox.wait(email, limit)) == limit
    hits = session.scalars(select(SignInThrottle.hits).order_by(SignInThrottle.hits)).all()
    assert sorted(hits)[-1] == 2 * limit + 2  # the client address counted every request
    assert limit + 1 in hits  # each identifier counted its own


def test_code_requests_are_throttled_per_client_address(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    limit = get_settings().code_requests_per_address
    for n in range(limit):
        assert ask(client, f"persona{n}@example.org").status_code == 202
    refused = ask(client, "otra-persona@example.org")
    assert refused.status_code == 429
    keys = session.scalar(select(func.count()).select_from(SignInThrottle))
    assert keys == limit + 2  # one per identifier, one for the address
    stored = session.scalars(select(SignInThrottle.key)).all()
    assert all(len(k) == 64 and "@" not in k for k in stored)  # digests, no addresses


def test_sign_in_sessions_and_codes_are_refused_when_revoked_or_expired(
    client: TestClient, session: Session
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    record = session.scalars(
        select(AuthSession).where(
            AuthSession.account_id == member.account.id, AuthSession.kind == "bearer"
        )
    ).one()
    assert client.get("/api/v1/auth/me", headers=member.headers).status_code == 200
    record.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.flush()
    assert client.get("/api/v1/auth/me", headers=member.headers).status_code == 401
