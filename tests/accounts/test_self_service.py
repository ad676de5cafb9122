"""My sessions, API keys and password through the API; what administrators do to accounts.
Revoked sessions and keys stop working at once; every change is audited with who acted."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.accounts.sessions import create_api_key, create_session
from geodata.models import Account, AuditEvent, AuthSession, Role, WaterSystem
from tests import account_factories as accounts
from tests.accounts.conftest import account_state
from tests.smtp_support import Mailbox


def audit_of(session: Session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def test_my_sessions_and_ending_one_of_them_at_once(client: TestClient, session: Session) -> None:
    member = accounts.staff(session, Role.MODERATOR)
    listed = client.get("/api/v1/auth/sessions", headers=member.headers).json()["sessions"]
    assert {s["kind"] for s in listed} == {"bearer", "browser"}
    assert [s["current"] for s in listed if s["kind"] == "bearer"] == [True]
    browser = next(s for s in listed if s["kind"] == "browser")
    client.cookies.set("yaku_session", member.cookie)
    assert client.get("/api/v1/auth/me").status_code == 200
    client.cookies.clear()
    ended = client.delete(f"/api/v1/auth/sessions/{browser['id']}", headers=member.headers)
    assert ended.status_code == 204
    client.cookies.set("yaku_session", member.cookie)
    assert client.get("/api/v1/auth/me").status_code == 401
    client.cookies.clear()
    (event,) = audit_of(session, "session.revoked")
    assert event.account_id == member.account.id and event.subject_id == str(browser["id"])
    again = client.delete(f"/api/v1/auth/sessions/{browser['id']}", headers=member.headers)
    assert again.status_code == 404


def test_nobody_ends_or_lists_the_sessions_of_another(client: TestClient, session: Session) -> None:
    member = accounts.staff(session, Role.ANALYST)
    other = accounts.staff(session, Role.ANALYST)
    theirs = session.scalars(
        select(AuthSession.id).where(AuthSession.account_id == other.account.id)
    ).all()
    before = account_state(session)
    for session_id in theirs:
        answer = client.delete(f"/api/v1/auth/sessions/{session_id}", headers=member.headers)
        assert answer.status_code == 404
        assert (
            answer.json()["error"]["message"]
            == "Ninguna de sus sesiones abiertas tiene este número."
        )
    listed = client.get("/api/v1/auth/sessions", headers=member.headers).json()["sessions"]
    assert not {s["id"] for s in listed} & set(theirs)
    assert account_state(session) == before
    assert client.get("/api/v1/auth/me", headers=other.headers).status_code == 200


def test_api_keys_are_shown_once_and_stop_at_once_when_revoked(
    client: TestClient, session: Session
) -> None:
    member = accounts.staff(session, Role.HEALTH)
    made = client.post(
        "/api/v1/auth/api-keys", json={"name": "laboratorio"}, headers=member.headers
    )
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    key = made.json()["key"]
    assert key.startswith("yk_") and made.json()["prefix"] in key
    listed = client.get("/api/v1/auth/api-keys", headers=member.headers).json()["api_keys"]
    assert [k["name"] for k in listed] == ["laboratorio"] and "key" not in listed[0]
    as_key = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/auth/me", headers=as_key).json()["roles"] == ["health"]
    nested = client.post("/api/v1/auth/api-keys", json={"name": "otra"}, headers=as_key)
    assert nested.status_code == 403 and nested.json()["error"]["code"] == "not_with_api_key"
    password = client.post(
        "/api/v1/auth/password",
        json={"current_password": accounts.PASSWORD, "new_password": "y" * 12},
        headers=as_key,
    )
    assert password.status_code == 403
    revoked = client.delete(f"/api/v1/auth/api-keys/{made.json()['id']}", headers=member.headers)
    assert revoked.status_code == 204
    assert client.get("/api/v1/auth/me", headers=as_key).status_code == 401
    assert [e.account_id for e in audit_of(session, "api_key.created")] == [member.account.id]
    assert [e.subject_id for e in audit_of(session, "api_key.revoked")] == [str(made.json()["id"])]


def test_nobody_revokes_the_key_of_another(client: TestClient, session: Session) -> None:
    member = accounts.staff(session, Role.ANALYST)
    other = accounts.staff(session, Role.ANALYST)
    key, row = create_api_key(session, other.account, "suya")
    before = account_state(session)
    answer = client.delete(f"/api/v1/auth/api-keys/{row.id}", headers=member.headers)
    assert answer.status_code == 404
    assert account_state(session) == before
    assert (
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    )


def test_changing_my_password_ends_my_other_sessions(client: TestClient, session: Session) -> None:
    member = accounts.staff(session, Role.ANALYST)
    extra = create_session(session, member.account, "bearer")
    wrong = client.post(
        "/api/v1/auth/password",
        json={"current_password": "no-es-esta", "new_password": "nueva-clave-1"},
        headers=member.headers,
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "current_password_wrong"
    assert session.get_one(Account, member.account.id).failed_sign_ins == 1
    weak = client.post(
        "/api/v1/auth/password",
        json={"current_password": accounts.PASSWORD, "new_password": "corta"},
        headers=member.headers,
    )
    assert weak.status_code == 400 and weak.json()["error"]["code"] == "weak_password"
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": accounts.PASSWORD, "new_password": "nueva-clave-1"},
        headers=member.headers,
    )
    assert changed.status_code == 204
    assert client.get("/api/v1/auth/me", headers=member.headers).status_code == 200
    stale = {"Authorization": f"Bearer {extra.token}"}
    assert client.get("/api/v1/auth/me", headers=stale).status_code == 401
    client.cookies.set("yaku_session", member.cookie)
    assert client.get("/api/v1/auth/me").status_code == 401
    client.cookies.clear()
    email = member.account.email
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": email, "password": accounts.PASSWORD}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": email, "password": "nueva-clave-1"}
        ).status_code
        == 200
    )
    (event,) = audit_of(session, "account.password_changed")
    assert event.account_id == member.account.id and event.details["sessions_ended"] == 2


def test_deactivation_ends_everything_at_once_and_reactivation_needs_a_new_sign_in(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    admin = accounts.staff(session, Role.ADMINISTRATOR)
    member = accounts.staff(session, Role.MODERATOR)
    key, _ = create_api_key(session, member.account, "integración")
    as_key = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/auth/me", headers=as_key).status_code == 200
    off = client.post(
        f"/api/v1/admin/accounts/{member.account.id}/deactivate", headers=admin.headers
    )
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert client.get("/api/v1/auth/me", headers=member.headers).status_code == 401
    assert client.get("/api/v1/auth/me", headers=as_key).status_code == 401
    email = member.account.email or ""
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": email, "password": accounts.PASSWORD}
        ).status_code
        == 401
    )
    assert client.post("/api/v1/auth/code", json={"identifier": email}).status_code == 202
    assert mailbox.to(email) == []
    revoked = session.scalars(
        select(AuthSession.revoked_at).where(AuthSession.account_id == member.account.id)
    ).all()
    assert revoked and all(r is not None for r in revoked)
    (event,) = audit_of(session, "account.deactivated")
    assert event.account_id == admin.account.id and event.details["api_keys_ended"] == 1
    on = client.post(
        f"/api/v1/admin/accounts/{member.account.id}/reactivate", headers=admin.headers
    )
    assert on.status_code == 200 and on.json()["is_active"] is True
    assert client.get("/api/v1/auth/me", headers=member.headers).status_code == 401
    assert client.get("/api/v1/auth/me", headers=as_key).status_code == 401
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": email, "password": accounts.PASSWORD}
        ).status_code
        == 200
    )
    assert audit_of(session, "account.reactivated")[0].account_id == admin.account.id


def test_roles_given_and_taken_change_the_scope_at_once(
    client: TestClient, session: Session
) -> None:
    admin = accounts.staff(session, Role.ADMINISTRATOR)
    member = accounts.staff(session, None)
    assert client.get("/api/v1/admin/accounts", headers=member.headers).status_code == 403
    given = client.post(
        f"/api/v1/admin/accounts/{member.account.id}/memberships",
        json={"role": "administrator"},
        headers=admin.headers,
    )
    assert given.status_code == 201
    (membership,) = given.json()["memberships"]
    assert client.get("/api/v1/admin/accounts", headers=member.headers).status_code == 200
    taken = client.delete(
        f"/api/v1/admin/accounts/{member.account.id}/memberships/{membership['id']}",
        headers=admin.headers,
    )
    assert taken.status_code == 204
    assert client.get("/api/v1/admin/accounts", headers=member.headers).status_code == 403
    assert [e.account_id for e in audit_of(session, "membership.removed")] == [admin.account.id]


def test_yaku_keeps_an_active_administrator(client: TestClient, session: Session) -> None:
    admin = accounts.staff(session, Role.ADMINISTRATOR)
    others = session.scalars(select(Account).where(Account.id != admin.account.id)).all()
    for other in others:  # the only administrator of this test's world
        other.is_active = False
    session.flush()
    membership = client.get(
        f"/api/v1/admin/accounts/{admin.account.id}", headers=admin.headers
    ).json()["memberships"][0]
    before = account_state(session)
    removed = client.delete(
        f"/api/v1/admin/accounts/{admin.account.id}/memberships/{membership['id']}",
        headers=admin.headers,
    )
    assert removed.status_code == 409 and removed.json()["error"]["code"] == "last_administrator"
    myself = client.post(
        f"/api/v1/admin/accounts/{admin.account.id}/deactivate", headers=admin.headers
    )
    assert myself.status_code == 409 and myself.json()["error"]["code"] == "not_on_yourself"
    assert account_state(session) == before


def test_the_administrators_list_shows_roles_bodies_and_last_sign_in(
    client: TestClient, session: Session
) -> None:
    admin = accounts.staff(session, Role.ADMINISTRATOR)
    system_id = session.scalars(
        select(WaterSystem.id).where(WaterSystem.provider_id.is_not(None)).order_by(WaterSystem.id)
    ).first()
    assert system_id is not None
    provider = accounts.provider_of(session, system_id)
    member = accounts.staff(session, Role.PROVIDER_STAFF, provider)
    client.post(
        "/api/v1/auth/token", data={"username": member.account.email, "password": accounts.PASSWORD}
    )
    rows = client.get("/api/v1/admin/accounts", headers=admin.headers).json()["accounts"]
    row = next(r for r in rows if r["id"] == member.account.id)
    assert row["memberships"][0]["provider_name"] == provider.name
    assert row["last_sign_in_at"] is not None and row["invited"] is False
    assert "password_hash" not in row
    missing = client.get("/api/v1/admin/accounts/999999", headers=admin.headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "no_such_account"
