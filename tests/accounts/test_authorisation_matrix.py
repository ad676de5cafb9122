"""The authorisation matrix of every account and administration endpoint, API and pages:
every role, an account with no role, and no sign-in at all.

No sign-in: 401 (API) or a redirect to /ingresar (pages). Any signed-in account manages only
its own sessions and keys: another's are 404. Administration: 403 for every role but
administrator; 404 for an account that does not exist. Every refused request changes nothing
(all account tables compared before and after).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.accounts.invitations import invite
from geodata.accounts.sessions import create_api_key
from geodata.models import Account, AuthSession, Membership, Role, WaterSystem
from tests import account_factories as accounts
from tests.accounts.conftest import account_state

MISSING = 987_654


@dataclass
class World:
    target: Account
    target_session_id: int
    target_key_id: int
    invited: Account
    system_code: str

    def membership_id(self, session: Session) -> int:
        found = session.scalars(
            select(Membership.id)
            .where(Membership.account_id == self.target.id)
            .order_by(Membership.id)
        ).first()
        return found if found is not None else MISSING


@dataclass(frozen=True)
class Cell:
    name: str
    kind: str  # self | other | admin | missing
    method: str
    path: Callable[[World, Session], str]
    ok: int = 200  # for the callers who may
    json: dict[str, Any] | None = None
    form: dict[str, str] = field(default_factory=dict)
    page: bool = False
    signed_in: bool = True  # False: only tried without sign-in (it would end the caller's session)


A = "/api/v1/admin/accounts"
P = "/admin/cuentas"
CELLS = [
    Cell("me", "self", "GET", lambda w, s: "/api/v1/auth/me"),
    Cell("my sessions", "self", "GET", lambda w, s: "/api/v1/auth/sessions"),
    Cell("my keys", "self", "GET", lambda w, s: "/api/v1/auth/api-keys"),
    Cell("new key", "self", "POST", lambda w, s: "/api/v1/auth/api-keys", 201, {"name": "k"}),
    Cell(
        "password",
        "self",
        "POST",
        lambda w, s: "/api/v1/auth/password",
        204,
        {"current_password": "x", "new_password": "y" * 10},
        signed_in=False,
    ),
    Cell("sign out", "self", "POST", lambda w, s: "/api/v1/auth/sign-out", 204, signed_in=False),
    Cell(
        "end another's session",
        "other",
        "DELETE",
        lambda w, s: f"/api/v1/auth/sessions/{w.target_session_id}",
    ),
    Cell(
        "revoke another's key",
        "other",
        "DELETE",
        lambda w, s: f"/api/v1/auth/api-keys/{w.target_key_id}",
    ),
    Cell("list accounts", "admin", "GET", lambda w, s: A),
    Cell("one account", "admin", "GET", lambda w, s: f"{A}/{w.target.id}"),
    Cell(
        "invite",
        "admin",
        "POST",
        lambda w, s: A,
        201,
        {"identifier": "matriz-nueva@example.org", "role": "analyst"},
    ),
    Cell(
        "give a role",
        "admin",
        "POST",
        lambda w, s: f"{A}/{w.target.id}/memberships",
        201,
        {"role": "provider_staff", "system_code": "__system__"},
    ),
    Cell(
        "take a role",
        "admin",
        "DELETE",
        lambda w, s: f"{A}/{w.target.id}/memberships/{w.membership_id(s)}",
        204,
    ),
    Cell("new invitation", "admin", "POST", lambda w, s: f"{A}/{w.invited.id}/invitation", 201),
    Cell("deactivate", "admin", "POST", lambda w, s: f"{A}/{w.target.id}/deactivate"),
    Cell("reactivate", "admin", "POST", lambda w, s: f"{A}/{w.target.id}/reactivate"),
    Cell("missing account", "missing", "GET", lambda w, s: f"{A}/{MISSING}"),
    Cell(
        "missing: role",
        "missing",
        "POST",
        lambda w, s: f"{A}/{MISSING}/memberships",
        json={"role": "analyst"},
    ),
    Cell("missing: deactivate", "missing", "POST", lambda w, s: f"{A}/{MISSING}/deactivate"),
    Cell(
        "missing: membership",
        "missing",
        "DELETE",
        lambda w, s: f"{A}/{w.target.id}/memberships/{MISSING}",
    ),
    # pages
    Cell("my account page", "self", "GET", lambda w, s: "/cuenta", page=True),
    Cell(
        "close another's session",
        "other",
        "POST",
        lambda w, s: f"/cuenta/sesiones/{w.target_session_id}/cerrar",
        page=True,
    ),
    Cell(
        "revoke another's key (page)",
        "other",
        "POST",
        lambda w, s: f"/cuenta/claves/{w.target_key_id}/revocar",
        page=True,
    ),
    Cell("accounts page", "admin", "GET", lambda w, s: P, page=True),
    Cell(
        "invite (page)",
        "admin",
        "POST",
        lambda w, s: P,
        201,
        page=True,
        form={"identifier": "matriz-pagina@example.org", "role": "analyst"},
    ),
    Cell("account page", "admin", "GET", lambda w, s: f"{P}/{w.target.id}", page=True),
    Cell(
        "give a role (page)",
        "admin",
        "POST",
        lambda w, s: f"{P}/{w.target.id}/roles",
        303,
        form={"role": "moderator"},
        page=True,
    ),
    Cell(
        "take a role (page)",
        "admin",
        "POST",
        lambda w, s: f"{P}/{w.target.id}/roles/{w.membership_id(s)}/quitar",
        303,
        page=True,
    ),
    Cell(
        "new invitation (page)",
        "admin",
        "POST",
        lambda w, s: f"{P}/{w.invited.id}/invitacion",
        page=True,
    ),
    Cell(
        "deactivate (page)",
        "admin",
        "POST",
        lambda w, s: f"{P}/{w.target.id}/desactivar",
        303,
        page=True,
    ),
    Cell(
        "reactivate (page)",
        "admin",
        "POST",
        lambda w, s: f"{P}/{w.target.id}/reactivar",
        303,
        page=True,
    ),
    Cell("missing account (page)", "missing", "GET", lambda w, s: f"{P}/{MISSING}", page=True),
    Cell(
        "missing: deactivate (page)",
        "missing",
        "POST",
        lambda w, s: f"{P}/{MISSING}/desactivar",
        page=True,
    ),
]

CALLERS = [None, "no role", *Role]


def world(session: Session) -> World:
    system = session.scalars(
        select(WaterSystem).where(WaterSystem.provider_id.is_not(None)).order_by(WaterSystem.code)
    ).first()
    assert system is not None
    target = accounts.staff(session, Role.ANALYST)
    _, key = create_api_key(session, target.account, "ajena")
    target_session = session.scalars(
        select(AuthSession.id).where(AuthSession.account_id == target.account.id)
    ).first()
    assert target_session is not None
    invited = invite(session, "matriz-invitada@example.org", Role.ANALYST, None, actor="tests")
    return World(target.account, target_session, key.id, invited.account, system.code)


def caller_for(session: Session, who: object) -> accounts.Staff | None:
    if who is None:
        return None
    if who == "no role":
        return accounts.staff(session, None)
    role = Role(str(who))
    system = session.scalars(
        select(WaterSystem).where(WaterSystem.provider_id.is_not(None)).order_by(WaterSystem.id)
    ).first()
    assert system is not None
    if role is Role.PROVIDER_STAFF:
        return accounts.staff(session, role, accounts.provider_of(session, system.id))
    if role is Role.ATM_STAFF:
        return accounts.staff(session, role, accounts.atm(session, system.district_id))
    return accounts.staff(session, role)


def expected(cell: Cell, caller: accounts.Staff | None, is_admin: bool) -> int:
    if caller is None:
        return 303 if cell.page else 401
    if cell.kind == "other":
        return 404
    if cell.kind == "self":
        return cell.ok
    if not is_admin:
        return 403
    return 404 if cell.kind == "missing" else cell.ok


def send(
    client: TestClient, cell: Cell, caller: accounts.Staff | None, w: World, s: Session
) -> Any:
    path = cell.path(w, s)
    client.cookies.clear()
    if cell.page:
        if caller is not None:
            client.cookies.set("yaku_session", caller.cookie)
        data = {**cell.form, "csrf_token": caller.csrf if caller else ""}
        if cell.method == "GET":
            return client.get(path, follow_redirects=False)
        return client.post(path, data=data, follow_redirects=False)
    body = cell.json
    if body and body.get("system_code") == "__system__":
        body = {**body, "system_code": w.system_code}
    headers = caller.headers if caller else {}
    return client.request(cell.method, path, json=body, headers=headers)


@pytest.mark.parametrize("who", CALLERS, ids=lambda w: str(w or "anonymous"))
def test_every_account_endpoint_for_every_caller(
    client: TestClient, session: Session, who: object
) -> None:
    w = world(session)
    caller = caller_for(session, who)
    is_admin = who is Role.ADMINISTRATOR
    failures = []
    for cell in CELLS:
        if caller is not None and not cell.signed_in:
            continue
        want = expected(cell, caller, is_admin)
        refused = want in (401, 403, 404) or (caller is None and cell.page)
        before = account_state(session) if refused else None
        answer = send(client, cell, caller, w, session)
        if answer.status_code != want:
            failures.append(f"{cell.name}: {answer.status_code} != {want} {answer.text[:200]}")
            continue
        if refused:
            assert account_state(session) == before, f"{cell.name} changed something"
        if want == 303 and caller is None:
            assert answer.headers["location"].startswith("/ingresar?next=")
        if want == 403 and cell.page:
            assert "Su rol no le permite hacer esto." in answer.text
        if want in (401, 403, 404) and not cell.page:
            assert answer.json()["error"]["message"]  # translated, never a bare status
    client.cookies.clear()
    assert failures == []
