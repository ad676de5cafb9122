"""The sign-in, my-account and administration pages: forms with CSRF (refused without it, and
nothing changes), the session cookie, the page after sign-in, sign-out, translated messages."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.accounts.messages import safe_next
from geodata.models import Account, ApiKey, AuditEvent, AuthSession, Role
from tests import account_factories as accounts
from tests.accounts.conftest import account_state
from tests.smtp_support import Mailbox, code_and_link, settings_env
from web.account_forms import FORM_COOKIE

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def form_csrf(client: TestClient, path: str = "/ingresar") -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = CSRF.search(page.text)
    assert found and found.group(1)
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str, **extra: str) -> httpx.Response:
    csrf = form_csrf(client)
    return client.post(
        "/ingresar",
        data={"identifier": email, "password": password, "csrf_token": csrf, **extra},
        follow_redirects=False,
    )


def browser(client: TestClient, member: accounts.Staff) -> None:
    client.cookies.clear()
    client.cookies.set("yaku_session", member.cookie)


def test_the_sign_in_page_is_spanish_light_and_has_no_inline_script(client: TestClient) -> None:
    page = client.get("/ingresar")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert '<html lang="es">' in page.text and "Ingreso del personal" in page.text
    assert "Envíenme un código" in page.text
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", page.text))
    assert (
        "http://" not in page.text.replace("http://testserver", "") and "https://" not in page.text
    )
    cookie = page.headers["set-cookie"]
    assert f"{FORM_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert len(page.content) < 8000
    english = client.get("/ingresar?lang=en")
    assert "Sign in for staff" in english.text and "Send me a code" in english.text


def test_a_password_sign_in_goes_to_the_next_page_with_a_safe_cookie(
    client: TestClient, session: Session
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    answer = sign_in(client, member.account.email or "", accounts.PASSWORD, next="/cuenta")
    assert answer.status_code == 303 and answer.headers["location"] == "/cuenta"
    cookie = answer.headers["set-cookie"]
    assert "yaku_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Max-Age=2592000" in cookie and "Secure" not in cookie
    mine = client.get("/cuenta")
    assert mine.status_code == 200 and member.account.email in mine.text
    assert "analista" in mine.text
    client.cookies.clear()
    default = sign_in(client, member.account.email or "", accounts.PASSWORD)
    assert default.headers["location"] == "/desk"
    client.cookies.clear()


@pytest.mark.parametrize(
    ("given", "wanted"),
    [
        ("/cuenta?x=1", "/cuenta?x=1"),
        ("https://malo.example/desk", "/desk"),
        ("//malo.example/desk", "/desk"),
        ("/\\malo.example", "/desk"),
        ("/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"),
        ("/desk\r\nX: y", "/desk"),
        ("javascript:alert(1)", "/desk"),
        ("/ingresar", "/desk"),
        ("", "/desk"),
    ],
)
def test_only_paths_of_this_site_are_followed_after_sign_in(given: str, wanted: str) -> None:
    assert safe_next(given) == wanted


def test_the_cookie_is_secure_behind_https(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    with (
        settings_env(monkeypatch, {"YAKU_PUBLIC_URL": "https://yaku.example.pe"}),
        TestClient(client.app, base_url="https://testserver") as secure,
    ):
        assert "Secure" in secure.get("/ingresar").headers["set-cookie"]
        answer = sign_in(secure, member.account.email or "", accounts.PASSWORD)
        assert answer.status_code == 303
        assert "Secure" in answer.headers["set-cookie"]


def test_a_wrong_password_is_shown_on_the_page_and_counted(
    client: TestClient, session: Session
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    answer = sign_in(client, member.account.email or "", "no-es-la-clave")
    assert answer.status_code == 401
    assert "El correo o teléfono y la contraseña no coinciden." in answer.text
    assert member.account.email in answer.text  # kept in the field
    assert session.get_one(Account, member.account.id).failed_sign_ins == 1


def test_sign_in_forms_without_their_csrf_pair_are_refused(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    email = member.account.email or ""
    before = account_state(session)
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    for path, data in [
        ("/ingresar", {"identifier": email, "password": accounts.PASSWORD}),
        ("/ingresar/codigo", {"identifier": email}),
        ("/ingresar/codigo/verificar", {"identifier": email, "code": "123456"}),
    ]:
        client.cookies.clear()
        missing = client.post(path, data=data, follow_redirects=False)
        assert missing.status_code == 403 and "venció o no vino de este sitio" in missing.text
        csrf = form_csrf(client)
        client.cookies.set(FORM_COOKIE, "x" * 32)  # another cookie than the one it was made for
        swapped = client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)
        assert swapped.status_code == 403
        assert "yaku_session" not in swapped.headers.get("set-cookie", "")
    assert account_state(session) == before
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert mailbox.messages == []
    client.cookies.clear()


def test_a_code_through_the_pages(client: TestClient, session: Session, mailbox: Mailbox) -> None:
    member = accounts.staff(session, Role.MODERATOR)
    email = member.account.email or ""
    csrf = form_csrf(client)
    sent = client.post(
        "/ingresar/codigo", data={"identifier": email, "csrf_token": csrf, "next": "/cuenta"}
    )
    assert sent.status_code == 200 and "Escriba su código" in sent.text
    assert f"Código para {email[0]}***@example.org" in sent.text
    code, _ = code_and_link(mailbox.wait(email)[0])
    wrong = client.post(
        "/ingresar/codigo/verificar",
        data={
            "identifier": email,
            "code": "000000" if code != "000000" else "111111",
            "csrf_token": csrf,
            "next": "/cuenta",
        },
    )
    assert wrong.status_code == 401 and "El código es incorrecto o venció." in wrong.text
    right = client.post(
        "/ingresar/codigo/verificar",
        data={"identifier": email, "code": code, "csrf_token": csrf, "next": "/cuenta"},
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/cuenta"
    assert client.get("/cuenta").status_code == 200
    methods = session.scalars(
        select(AuditEvent.details["method"].astext).where(
            AuditEvent.account_id == member.account.id, AuditEvent.action == "sign_in"
        )
    ).all()
    assert methods == ["code"]
    client.cookies.clear()


def test_bad_input_on_the_code_form_is_explained(client: TestClient, mailbox: Mailbox) -> None:
    csrf = form_csrf(client)
    answer = client.post("/ingresar/codigo", data={"identifier": "hola", "csrf_token": csrf})
    assert answer.status_code == 400 and "Indique un correo" in answer.text
    assert mailbox.messages == []


def test_signing_in_again_replaces_the_old_browser_session(
    client: TestClient, session: Session
) -> None:
    first = accounts.staff(session, Role.ANALYST)
    second = accounts.staff(session, Role.MODERATOR)
    browser(client, first)
    answer = sign_in(client, second.account.email or "", accounts.PASSWORD)
    assert answer.status_code == 303
    old = session.scalars(
        select(AuthSession).where(
            AuthSession.account_id == first.account.id, AuthSession.kind == "browser"
        )
    ).one()
    session.refresh(old)
    assert old.revoked_at is not None
    reason = session.scalars(
        select(AuditEvent.details["reason"].astext).where(
            AuditEvent.action == "session.revoked", AuditEvent.subject_id == str(old.id)
        )
    ).one()
    assert reason == "signed in again"
    client.cookies.clear()


def test_signing_out_needs_the_csrf_token_and_ends_the_session(
    client: TestClient, session: Session
) -> None:
    member = accounts.staff(session, Role.ANALYST)
    browser(client, member)
    page = client.get("/salir")
    assert page.status_code == 200 and member.csrf in page.text
    refused = client.post("/salir", data={"csrf_token": "otro"}, follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/api/v1/auth/me").status_code == 200
    done = client.post("/salir", data={"csrf_token": member.csrf}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/ingresar?salio=1"
    assert (
        'yaku_session=""' in done.headers["set-cookie"] or "Max-Age=0" in done.headers["set-cookie"]
    )
    client.cookies.set("yaku_session", member.cookie)
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.get("/salir", follow_redirects=False).headers["location"] == "/ingresar"
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_out")).all()
    assert event.account_id == member.account.id
    client.cookies.clear()


def test_my_account_forms_refuse_a_missing_csrf_token_and_change_nothing(
    client: TestClient, session: Session
) -> None:
    member = accounts.staff(session, Role.HEALTH)
    browser(client, member)
    key_id = client.post(
        "/api/v1/auth/api-keys", json={"name": "mía"}, headers=member.headers
    ).json()["id"]
    session_id = session.scalars(
        select(AuthSession.id).where(
            AuthSession.account_id == member.account.id, AuthSession.kind == "bearer"
        )
    ).one()
    before = account_state(session)
    for path, data in [
        (
            "/cuenta/contrasena",
            {"current": accounts.PASSWORD, "new": "z" * 10, "confirmation": "z" * 10},
        ),
        ("/cuenta/claves", {"name": "nueva"}),
        (f"/cuenta/claves/{key_id}/revocar", {}),
        (f"/cuenta/sesiones/{session_id}/cerrar", {}),
    ]:
        for token in (None, "falso"):
            form = dict(data, csrf_token=token) if token else data
            answer = client.post(path, data=form, follow_redirects=False)
            assert answer.status_code == 403, path
            assert "venció o no vino de este sitio" in answer.text
    assert account_state(session) == before
    client.cookies.clear()


def test_my_account_page_changes_password_and_makes_and_revokes_keys(
    client: TestClient, session: Session
) -> None:
    member = accounts.staff(session, Role.HEALTH)
    browser(client, member)
    page = client.get("/cuenta")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "vigilancia sanitaria" in page.text and "Dónde tengo sesión abierta" in page.text
    made = client.post("/cuenta/claves", data={"name": "SIVICAP", "csrf_token": member.csrf})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    shown = re.search(r'id="new-key-value">(yk_[^<]+)<', made.text)
    assert shown is not None
    key = shown.group(1)
    assert (
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    )
    assert key not in client.get("/cuenta").text  # shown once
    key_id = session.scalars(select(ApiKey.id).where(ApiKey.account_id == member.account.id)).one()
    revoked = client.post(
        f"/cuenta/claves/{key_id}/revocar", data={"csrf_token": member.csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert (
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    )
    wrong = client.post(
        "/cuenta/contrasena",
        data={
            "current": "mala",
            "new": "w" * 10,
            "confirmation": "w" * 10,
            "csrf_token": member.csrf,
        },
    )
    assert wrong.status_code == 400 and "La contraseña actual no es correcta." in wrong.text
    changed = client.post(
        "/cuenta/contrasena",
        data={
            "current": accounts.PASSWORD,
            "new": "w" * 10,
            "confirmation": "w" * 10,
            "csrf_token": member.csrf,
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert "Su contraseña fue cambiada." in client.get(changed.headers["location"]).text
    assert client.get("/api/v1/auth/me", headers=member.headers).status_code == 401  # other session
    client.cookies.clear()


def test_an_administrator_invites_on_the_page_and_sees_the_link_once(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    admin = accounts.staff(session, Role.ADMINISTRATOR)
    browser(client, admin)
    listing = client.get("/admin/cuentas")
    assert listing.status_code == 200 and "Invitar a una persona" in listing.text
    bad = client.post(
        "/admin/cuentas",
        data={
            "identifier": "nuevo@example.org",
            "role": "provider_staff",
            "csrf_token": admin.csrf,
        },
    )
    assert bad.status_code == 400 and "necesita un código de sistema" in bad.text
    assert session.scalar(select(Account.id).where(Account.email == "nuevo@example.org")) is None
    made = client.post(
        "/admin/cuentas",
        data={
            "identifier": "nuevo@example.org",
            "role": "moderator",
            "display_name": "Ana",
            "csrf_token": admin.csrf,
        },
    )
    assert made.status_code == 201 and "/ingresar/invitacion/" in made.text
    assert mailbox.wait("nuevo@example.org")
    assert "/ingresar/invitacion/" not in client.get("/admin/cuentas").text
    account = session.scalars(select(Account).where(Account.email == "nuevo@example.org")).one()
    detail = client.get(f"/admin/cuentas/{account.id}")
    assert detail.status_code == 200 and "moderador" in detail.text
    off = client.post(
        f"/admin/cuentas/{account.id}/desactivar",
        data={"csrf_token": admin.csrf},
        follow_redirects=False,
    )
    assert off.status_code == 303
    session.refresh(account)
    assert account.is_active is False
    myself = client.post(
        f"/admin/cuentas/{admin.account.id}/desactivar", data={"csrf_token": admin.csrf}
    )
    assert myself.status_code == 409 and "No puede desactivar su propia cuenta." in myself.text
    client.cookies.clear()
