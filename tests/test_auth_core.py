"""Bearer tokens, API keys, browser sessions with CSRF, lockout, and the scope of each role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.accounts.scope import scope_for
from geodata.accounts.sessions import create_api_key
from geodata.models import Account, AuditEvent, Report, Role
from geodata.settings import get_settings
from tests import account_factories as accounts
from tests import report_factories as make


def test_a_token_for_a_good_password_and_who_am_i(client: TestClient, session: Session) -> None:
    provider = accounts.provider_of(session, make.systems(session)[0].id)
    member = accounts.staff(session, Role.PROVIDER_STAFF, provider)
    response = client.post(
        "/api/v1/auth/token",
        data={"username": member.account.email, "password": accounts.PASSWORD},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["roles"] == ["provider_staff"]
    assert me.json()["bodies"][0]["name"] == provider.name


def test_no_or_bad_credentials_are_401(client: TestClient) -> None:
    assert client.get("/api/v1/auth/me").status_code == 401
    bad = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
    assert bad.json()["error"]["message"] == "Inicie sesión para continuar."


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    import geodata.accounts.signin as signin

    monkeypatch.setattr(signin, "pause", lambda _seconds: None)


def test_repeated_failures_lock_the_account_and_are_logged(
    client: TestClient, session: Session
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    limit = get_settings().max_failed_sign_ins
    for _ in range(limit):
        wrong = client.post(
            "/api/v1/auth/token", data={"username": member.account.email, "password": "x" * 9}
        )
        assert wrong.status_code == 401
    locked = client.post(
        "/api/v1/auth/token",
        data={"username": member.account.email, "password": accounts.PASSWORD},
    )
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    failures = session.scalar(
        select(func.count()).where(
            AuditEvent.account_id == member.account.id, AuditEvent.action == "sign_in.failed"
        )
    )
    assert failures == limit
    account = session.get_one(Account, member.account.id)
    assert account.locked_until is not None and account.locked_until > datetime.now(UTC)
    account.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    session.flush()
    again = client.post(
        "/api/v1/auth/token",
        data={"username": member.account.email, "password": accounts.PASSWORD},
    )
    assert again.status_code == 200


def test_unknown_accounts_answer_like_wrong_passwords(client: TestClient) -> None:
    unknown = client.post(
        "/api/v1/auth/token", data={"username": "nadie@example.org", "password": "x" * 9}
    )
    assert unknown.status_code == 401
    assert unknown.json()["error"]["code"] == "bad_credentials"


def test_api_keys_act_as_their_account(client: TestClient, session: Session) -> None:
    member = accounts.staff(session, Role.HEALTH)
    key, _ = create_api_key(session, member.account, "laboratorio")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).json()[
        "roles"
    ] == ["health"]
    tampered = key[:-2] + ("aa" if not key.endswith("aa") else "bb")
    assert (
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tampered}"}).status_code
        == 401
    )


def test_a_browser_session_needs_its_csrf_token_to_write(
    client: TestClient, session: Session
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    client.cookies.set("yaku_session", member.cookie)
    assert client.get("/api/v1/auth/me").status_code == 200
    refused = client.post("/api/v1/auth/sign-out")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    accepted = client.post("/api/v1/auth/sign-out", headers={"X-CSRF-Token": member.csrf})
    assert accepted.status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401  # revoked
    client.cookies.clear()


def test_scopes_of_each_role(session: Session) -> None:
    place = make.systems(session)[0]
    provider = accounts.provider_of(session, place.id)
    report = Report(provider_id=provider.id, district_id=place.district_id)
    other = Report(provider_id=-1, district_id=-1)
    jass = accounts.staff(session, Role.PROVIDER_STAFF, provider).scope(session)
    atm = accounts.staff(session, Role.ATM_STAFF, accounts.atm(session, place.district_id))
    analyst = accounts.staff(session, Role.ANALYST).scope(session)
    nobody = accounts.staff(session, None).scope(session)
    atm_scope = scope_for(session, atm.account.id)
    assert jass.sees(report) and jass.can_answer(report) and jass.sees_private(report)
    assert not jass.sees(other) and not jass.can_answer(other)
    assert atm_scope.sees(report) and atm_scope.can_answer(report)
    assert analyst.sees(report) and not analyst.sees_private(report)
    assert not analyst.can_answer(report) and not analyst.can_note(report)
    assert not nobody.sees(report) and not nobody.can_note(report)
    assert jass.body_for(report) is not None and jass.body_for(report).name == provider.name  # type: ignore[union-attr]
