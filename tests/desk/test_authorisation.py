"""The authorisation matrix: every role, an account without any role and a visitor who is not
signed in, against every desk endpoint and page, on the body's own report and on another
body's. Refusals are 401/403/404 and change nothing in the database; successes change it.

Each attempt runs in a savepoint rolled back afterwards, so every role meets the same world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.account_factories import Staff
from tests.desk.conftest import ROLES, World
from tests.desk.support import api, browser, snapshot

WHO = (*ROLES, "other", "none", "anonymous")
BODIES = ("administrator", "moderator", "provider_staff", "atm_staff")  # answer report A

Call = Callable[[TestClient, World, Staff | None], httpx.Response]


def expect(default: int, anonymous: int = 401, **overrides: int) -> dict[str, int]:
    statuses = {who: default for who in (*ROLES, "other")}
    statuses.update(none=403, anonymous=anonymous)
    statuses.update(overrides)
    return statuses


@dataclass(frozen=True)
class Case:
    name: str
    call: Call
    statuses: dict[str, int]
    changes: bool = False  # a success writes something

    def __str__(self) -> str:
        return self.name


def answer_a(body: dict[str, object]) -> Call:
    return lambda c, w, who: api(
        c, "POST", f"/api/v1/desk/reports/{w.report_a.tracking_code}/updates", who, json=body
    )


ANSWERS_A = expect(403, other=404, **dict.fromkeys(BODIES, 201))
NOTES_A = expect(201, other=404, analyst=403)
MODERATION_A = expect(403, other=404, administrator=201, moderator=201)
EDIT_A = expect(403, administrator=200, provider_staff=200)
PAGE = {"anonymous": 303}

CASES = [
    Case("list", lambda c, w, who: api(c, "GET", "/api/v1/desk/reports", who), expect(200)),
    Case(
        "list-failed-validation",
        lambda c, w, who: api(c, "GET", "/api/v1/desk/reports?failed=true", who),
        expect(403, administrator=200, moderator=200),
    ),
    Case(
        "detail-own",
        lambda c, w, who: api(c, "GET", f"/api/v1/desk/reports/{w.report_a.tracking_code}", who),
        expect(200, other=404),
    ),
    Case(
        "detail-other-body",
        lambda c, w, who: api(c, "GET", f"/api/v1/desk/reports/{w.report_b.tracking_code}", who),
        expect(200, provider_staff=404, atm_staff=404),
    ),
    Case(
        "detail-missing",
        lambda c, w, who: api(c, "GET", "/api/v1/desk/reports/ZZZZZZZZ", who),
        expect(404),
    ),
    Case("acknowledge", answer_a({"action": "acknowledge"}), ANSWERS_A, True),
    Case("in-progress", answer_a({"action": "in_progress"}), ANSWERS_A, True),
    Case("resolve", answer_a({"action": "resolve", "note": "Listo"}), ANSWERS_A, True),
    Case("reject", answer_a({"action": "reject", "note": "publicidad"}), ANSWERS_A, True),
    Case("confirm", answer_a({"action": "confirm"}), ANSWERS_A, True),
    Case("reassign", answer_a({"action": "reassign", "escalate": True}), ANSWERS_A, True),
    Case(
        "note-internal",
        answer_a({"action": "note", "note": "revisar", "public": False}),
        NOTES_A,
        True,
    ),
    Case(
        "merge",
        lambda c, w, who: api(
            c,
            "POST",
            f"/api/v1/desk/reports/{w.report_a.tracking_code}/updates",
            who,
            json={"action": "merge", "duplicate_of": w.report_b.tracking_code},
        ),
        MODERATION_A,
        True,
    ),
    Case(
        "retry-not-failed",
        answer_a({"action": "retry"}),
        expect(403, other=404, administrator=409, moderator=409),
    ),
    Case(
        "reopen-not-closed",
        answer_a({"action": "reopen"}),
        expect(403, other=404, **dict.fromkeys(BODIES, 409)),
    ),
    Case(
        "acknowledge-other-body",
        lambda c, w, who: api(
            c,
            "POST",
            f"/api/v1/desk/reports/{w.report_b.tracking_code}/updates",
            who,
            json={"action": "acknowledge"},
        ),
        expect(
            403,
            provider_staff=404,
            atm_staff=404,
            administrator=201,
            moderator=201,
            other=201,
        ),
        True,
    ),
    Case("systems", lambda c, w, who: api(c, "GET", "/api/v1/desk/systems", who), expect(200)),
    Case(
        "indicators", lambda c, w, who: api(c, "GET", "/api/v1/desk/indicators", who), expect(200)
    ),
    Case(
        "templates",
        lambda c, w, who: api(
            c, "GET", f"/api/v1/desk/templates?provider_id={w.provider_a.id}", who
        ),
        expect(200),
    ),
    Case(
        "template-save",
        lambda c, w, who: api(
            c,
            "PUT",
            f"/api/v1/desk/templates/received?provider_id={w.provider_a.id}",
            who,
            json={"title": "Recibido", "body": "La JASS recibió su reporte."},
        ),
        EDIT_A,
        True,
    ),
    Case(
        "template-revert-nothing",
        lambda c, w, who: api(
            c, "DELETE", f"/api/v1/desk/templates/received?provider_id={w.provider_a.id}", who
        ),
        expect(403, administrator=204, provider_staff=204),
    ),
    Case(
        "provider-read",
        lambda c, w, who: api(c, "GET", f"/api/v1/desk/providers/{w.provider_a.id}", who),
        expect(200),
    ),
    Case(
        "provider-edit-own",
        lambda c, w, who: api(
            c,
            "PATCH",
            f"/api/v1/desk/providers/{w.provider_a.id}",
            who,
            json={"contact_whatsapp": "987 654 321"},
        ),
        EDIT_A,
        True,
    ),
    Case(
        "provider-edit-other",
        lambda c, w, who: api(
            c,
            "PATCH",
            f"/api/v1/desk/providers/{w.provider_b.id}",
            who,
            json={"office_hours": "Lun 8-12"},
        ),
        expect(403, administrator=200, other=200),
        True,
    ),
    # --- pages ---------------------------------------------------------------------------
    Case("page-desk", lambda c, w, who: browser(c, "GET", "/desk", who), expect(200, **PAGE)),
    Case(
        "page-report-own",
        lambda c, w, who: browser(c, "GET", f"/desk/reportes/{w.report_a.tracking_code}", who),
        expect(200, other=404, **PAGE),
    ),
    Case(
        "page-report-other-body",
        lambda c, w, who: browser(c, "GET", f"/desk/reportes/{w.report_b.tracking_code}", who),
        expect(200, provider_staff=404, atm_staff=404, **PAGE),
    ),
    Case(
        "page-answer",
        lambda c, w, who: browser(
            c,
            "POST",
            f"/desk/reportes/{w.report_a.tracking_code}",
            who,
            {"action": "acknowledge", "note": "Vamos mañana", "public": "1"},
        ),
        expect(403, other=404, **dict.fromkeys(BODIES, 303), **PAGE),
        True,
    ),
    Case(
        "page-contact",
        lambda c, w, who: browser(c, "GET", f"/desk/prestador?provider_id={w.provider_a.id}", who),
        {**EDIT_A, **PAGE},
    ),
    Case(
        "page-contact-save",
        lambda c, w, who: browser(
            c,
            "POST",
            "/desk/prestador",
            who,
            {"provider_id": str(w.provider_a.id), "contact_phone": "044 123456"},
        ),
        {**expect(403, administrator=303, provider_staff=303), **PAGE},
        True,
    ),
    Case(
        "page-templates",
        lambda c, w, who: browser(c, "GET", f"/desk/plantillas?provider_id={w.provider_a.id}", who),
        {**EDIT_A, **PAGE},
    ),
    Case(
        "page-template-save",
        lambda c, w, who: browser(
            c,
            "POST",
            "/desk/plantillas",
            who,
            {
                "provider_id": str(w.provider_a.id),
                "key": "resolved",
                "title": "Resuelto",
                "body": "Arreglado por la JASS.",
            },
        ),
        {**expect(403, administrator=303, provider_staff=303), **PAGE},
        True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_role_against_every_desk_endpoint(
    client: TestClient, session: Session, world: World, case: Case
) -> None:
    assert set(case.statuses) == set(WHO)
    seen: dict[str, int] = {}
    for who in WHO:
        staff = world.staff.get(who)
        savepoint = session.begin_nested()
        before = snapshot(session)
        response = case.call(client, world, staff)
        seen[who] = response.status_code
        after = snapshot(session)
        if response.status_code >= 400:  # a translated message, never a stack trace
            assert response.headers["content-type"].startswith(("application/json", "text/html"))
            assert "Traceback" not in response.text
        if response.status_code >= 400 or who == "anonymous":
            assert after == before, f"{case.name}: {who} was refused but something changed"
        elif case.changes:
            assert after != before, f"{case.name}: {who} succeeded but nothing changed"
        if who == "anonymous" and response.status_code == 303:
            assert response.headers["location"].startswith("/ingresar?next=%2F")
        savepoint.rollback()
    assert seen == case.statuses


def test_a_refusal_is_indistinguishable_from_a_missing_report(
    client: TestClient, world: World
) -> None:
    """Staff of another body learn nothing: the same 404 body as for a code that never existed."""
    other = world.staff["other"]
    hidden = api(client, "GET", f"/api/v1/desk/reports/{world.report_a.tracking_code}", other)
    missing = api(client, "GET", "/api/v1/desk/reports/ZZZZZZZZ", other)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    post = api(
        client,
        "POST",
        f"/api/v1/desk/reports/{world.report_a.tracking_code}/updates",
        other,
        json={"action": "note", "note": "hola"},
    )
    assert post.json() == missing.json()


def test_a_browser_session_must_echo_its_csrf_token(
    client: TestClient, session: Session, world: World
) -> None:
    member = world.staff["provider_staff"]
    code = world.report_a.tracking_code
    before = snapshot(session)
    page = browser(
        client, "POST", f"/desk/reportes/{code}", member, {"action": "acknowledge"}, csrf=False
    )
    assert page.status_code == 403 and "El formulario venció" in page.text
    client.cookies.set("yaku_session", member.cookie)
    try:
        no_header = client.post(
            f"/api/v1/desk/reports/{code}/updates", json={"action": "acknowledge"}
        )
        assert no_header.status_code == 403 and no_header.json()["error"]["code"] == "csrf_failed"
        assert snapshot(session) == before
        with_header = client.post(
            f"/api/v1/desk/reports/{code}/updates",
            json={"action": "acknowledge"},
            headers={"X-CSRF-Token": member.csrf},
        )
    finally:
        client.cookies.clear()
    assert with_header.status_code == 201
