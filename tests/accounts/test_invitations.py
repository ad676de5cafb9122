"""Invitations: an administrator invites a person with a role and body; the link (single use,
7 days) sets an argon2 password and signs them in; expired, reused and tampered links say why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.accounts.passwords import verify_password
from geodata.models import (
    Account,
    AdminArea,
    AuditEvent,
    Membership,
    OneTimeCode,
    Provider,
    Role,
    WaterSystem,
)
from tests import account_factories as accounts
from tests.smtp_support import INVITATION_LINK, Mailbox, body
from web.account_forms import FORM_COOKIE


def a_system(session: Session) -> WaterSystem:
    return session.scalars(
        select(WaterSystem).where(WaterSystem.provider_id.is_not(None)).order_by(WaterSystem.code)
    ).first()  # type: ignore[return-value]


def invite(client: TestClient, admin: accounts.Staff, **body: object) -> dict:
    answer = client.post("/api/v1/admin/accounts", json=body, headers=admin.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def form_csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    marker = 'name="csrf_token" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


def test_an_invited_provider_chooses_a_password_on_the_page_and_is_signed_in(
    client: TestClient, session: Session, mailbox: Mailbox
) -> None:
    admin = accounts.staff(session, Role.ADMINISTRATOR)
    system = a_system(session)
    made = invite(
        client,
        admin,
        identifier="Operador.JASS@Example.org",
        role="provider_staff",
        system_code=system.code,
        display_name="Rosa Quispe",
    )
    provider = accounts.provider_of(session, system.id)
    assert made["email"] == "operador.jass@example.org" and made["invited"] is True
    assert made["memberships"][0]["provider_name"] == provider.name
    (message,) = mailbox.wait("operador.jass@example.org")
    text = body(message)
    assert "Rosa Quispe" in text and "personal del prestador" in text and "7 días" in text
    link = INVITATION_LINK.search(text)
    assert link is not None and link.group(0) == made["invitation_link"]
    path = urlsplit(made["invitation_link"]).path
    expires = datetime.fromisoformat(made["invitation_expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)

    csrf = form_csrf(client, path)
    short = client.post(
        path, data={"password": "corta", "confirmation": "corta", "csrf_token": csrf}
    )
    assert short.status_code == 400 and "al menos 8 caracteres" in short.text
    differ = client.post(
        path,
        data={"password": "agua-segura-1", "confirmation": "agua-segura-2", "csrf_token": csrf},
    )
    assert differ.status_code == 400 and "no son iguales" in differ.text
    accepted = client.post(
        path,
        data={"password": "agua-segura-1", "confirmation": "agua-segura-1", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == "/desk"
    me = client.get("/api/v1/auth/me")
    assert me.json()["roles"] == ["provider_staff"]
    account = session.get_one(Account, made["id"])
    session.refresh(account)
    assert account.password_hash and account.password_hash.startswith("$argon2id$")
    assert verify_password(account.password_hash, "agua-segura-1")
    client.cookies.clear()
    reused = client.get(path)
    assert reused.status_code == 410 and "ya fue usado" in reused.text
    token = client.post(
        "/api/v1/auth/token",
        data={"username": "operador.jass@example.org", "password": "agua-segura-1"},
    )
    assert token.status_code == 200
    logged = session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(account.id))
    ).all()
    assert {
        "account.created",
        "membership.added",
        "invitation.created",
        "invitation.accepted",
    } <= set(logged)


def test_an_invitation_through_the_api_with_a_phone_and_a_district(
    client: TestClient, session: Session
) -> None:
    admin = accounts.staff(session, Role.ADMINISTRATOR)
    system = a_system(session)
    ubigeo = session.execute(
        select(Provider.district_id).where(Provider.id == system.provider_id)
    ).scalar_one()

    district = session.get_one(AdminArea, ubigeo)
    made = invite(
        client, admin, identifier="944 111 222", role="atm_staff", district=district.ubigeo_inei
    )
    assert made["phone"] == "+51944111222"
    assert made["memberships"][0]["role"] == "atm_staff"
    token = urlsplit(made["invitation_link"]).path.rsplit("/", 1)[1]
    weak = client.post("/api/v1/auth/invitations/accept", json={"token": token, "password": "x"})
    assert weak.status_code == 400 and weak.json()["error"]["code"] == "weak_password"
    accepted = client.post(
        "/api/v1/auth/invitations/accept", json={"token": token, "password": "municipio-2026"}
    )
    assert accepted.status_code == 200
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {accepted.json()['access_token']}"}
    )
    assert me.json()["bodies"][0]["role"] == "atm_staff"
    again = client.post(
        "/api/v1/auth/invitations/accept", json={"token": token, "password": "otra-clave-99"}
    )
    assert again.status_code == 410 and again.json()["error"]["code"] == "link_used"


def test_expired_and_tampered_invitations_change_nothing(
    client: TestClient, session: Session
) -> None:
    admin = accounts.staff(session, Role.ADMINISTRATOR)
    made = invite(client, admin, identifier="tarde@example.org", role="analyst")
    token = urlsplit(made["invitation_link"]).path.rsplit("/", 1)[1]
    tampered = client.post(
        "/api/v1/auth/invitations/accept", json={"token": token[:-1] + "Q", "password": "x" * 12}
    )
    assert tampered.status_code == 404 and tampered.json()["error"]["code"] == "link_invalid"
    record = session.scalars(
        select(OneTimeCode).where(
            OneTimeCode.account_id == made["id"], OneTimeCode.purpose == "invitation"
        )
    ).one()
    record.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    session.flush()
    page = client.get(f"/ingresar/invitacion/{token}")
    assert page.status_code == 410 and "venció" in page.text
    late = client.post(
        "/api/v1/auth/invitations/accept", json={"token": token, "password": "x" * 12}
    )
    assert late.status_code == 410 and late.json()["error"]["code"] == "link_expired"
    assert session.get_one(Account, made["id"]).password_hash is None


def test_inviting_again_ends_the_old_link_and_signed_up_people_are_not_invited(
    client: TestClient, session: Session
) -> None:
    admin = accounts.staff(session, Role.ADMINISTRATOR)
    first = invite(client, admin, identifier="dos-veces@example.org", role="moderator")
    again = client.post(f"/api/v1/admin/accounts/{first['id']}/invitation", headers=admin.headers)
    assert again.status_code == 201
    old = urlsplit(first["invitation_link"]).path
    assert client.get(old).status_code == 410
    assert client.get(urlsplit(again.json()["invitation_link"]).path).status_code == 200
    member = accounts.staff(session, Role.ANALYST)
    refused = client.post(
        "/api/v1/admin/accounts",
        json={"identifier": member.account.email, "role": "moderator"},
        headers=admin.headers,
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "already_signed_up"
    assert session.scalars(
        select(Membership.role).where(Membership.account_id == member.account.id)
    ).all() == [Role.ANALYST]


def test_bodies_must_fit_the_role(client: TestClient, session: Session) -> None:
    admin = accounts.staff(session, Role.ADMINISTRATOR)
    cases = [
        ({"role": "provider_staff"}, 400, "body_required"),
        ({"role": "provider_staff", "system_code": "NO-EXISTE"}, 404, "provider_not_found"),
        ({"role": "atm_staff", "district": "999999"}, 404, "provider_not_found"),
        ({"role": "analyst", "district": "130101"}, 400, "body_not_allowed"),
        ({"role": "jefe"}, 422, "invalid_input"),
    ]
    for extra, status, code in cases:
        answer = client.post(
            "/api/v1/admin/accounts",
            json={"identifier": "sin-cuerpo@example.org", **extra},
            headers=admin.headers,
        )
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), extra
    assert (
        session.scalar(select(Account.id).where(Account.email == "sin-cuerpo@example.org")) is None
    )


def test_the_invitation_form_needs_its_csrf_pair(client: TestClient, session: Session) -> None:
    admin = accounts.staff(session, Role.ADMINISTRATOR)
    made = invite(client, admin, identifier="csrf@example.org", role="analyst")
    path = urlsplit(made["invitation_link"]).path
    csrf = form_csrf(client, path)
    cookie = client.cookies.get(FORM_COOKIE)
    client.cookies.clear()
    without_cookie = client.post(
        path, data={"password": "x" * 10, "confirmation": "x" * 10, "csrf_token": csrf}
    )
    assert (
        without_cookie.status_code == 403
        and "venció o no vino de este sitio" in without_cookie.text
    )
    client.cookies.set(FORM_COOKIE, cookie or "")
    forged = client.post(
        path, data={"password": "x" * 10, "confirmation": "x" * 10, "csrf_token": "a" * 64}
    )
    assert forged.status_code == 403
    assert session.get_one(Account, made["id"]).password_hash is None
