"""The desk pages as HTML: sign-in redirect, roles, CSRF field, no inline script or CDN, Spanish
first with English on request, errors in the page with what was typed kept."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.desk.conftest import World
from tests.desk.support import browser

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def test_visitors_are_sent_to_sign_in_with_the_page_to_come_back_to(client: TestClient) -> None:
    response = client.get("/desk?status=validated&p=2", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/ingresar?next=%2Fdesk%3Fstatus%3Dvalidated%26p%3D2"
    report = client.get("/desk/reportes/ABCD2345", follow_redirects=False)
    assert report.headers["location"] == "/ingresar?next=%2Fdesk%2Freportes%2FABCD2345"


def test_an_account_without_a_role_is_told_so(client: TestClient, world: World) -> None:
    page = browser(client, "GET", "/desk", world.staff["none"])
    assert page.status_code == 403 and "Su rol no le permite hacer esto." in page.text


def test_desk_pages_are_light_private_and_script_free_inline(
    client: TestClient, world: World
) -> None:
    member = world.staff["provider_staff"]
    code = world.report_a.tracking_code
    for path in ("/desk", f"/desk/reportes/{code}", "/desk/prestador", "/desk/plantillas"):
        page = browser(client, "GET", path, member)
        assert page.status_code == 200, path
        assert page.headers["cache-control"] == "no-store"
        for attributes in SCRIPT.findall(page.text):
            assert "src=" in attributes, f"inline script on {path}"
        assert not re.search(r'(src|href)="(https?:)?//', page.text), f"external asset on {path}"
        assert len(page.content) < 40_000, path
    home = browser(client, "GET", "/desk", member).text
    assert "/static/vendor/leaflet/leaflet.js" in home and "/static/desk.js" in home
    assert 'id="desk-map"' in home and code in home


def test_the_answer_form_carries_the_csrf_token_and_the_allowed_answers(
    client: TestClient, world: World
) -> None:
    member = world.staff["provider_staff"]
    page = browser(client, "GET", f"/desk/reportes/{world.report_a.tracking_code}", member).text
    assert f'name="csrf_token" value="{member.csrf}"' in page
    for action in ("acknowledge", "in_progress", "resolve", "reject", "note", "confirm"):
        assert f'value="{action}"' in page
    assert 'value="merge"' not in page  # moderators only
    assert "vecina@example.org" in page  # the responsible body sees the reporter's contact
    assert world.atm_a.name in page  # it may be handed on to the district's ATM
    analyst = browser(
        client, "GET", f"/desk/reportes/{world.report_a.tracking_code}", world.staff["analyst"]
    ).text
    assert "vecina@example.org" not in analyst and 'id="answer-form"' not in analyst


def test_english_on_request(client: TestClient, world: World) -> None:
    page = browser(
        client,
        "GET",
        f"/desk/reportes/{world.report_a.tracking_code}?lang=en",
        world.staff["provider_staff"],
    )
    assert "Send the answer" in page.text and "Enviar la respuesta" not in page.text
    assert (
        "Enviar la respuesta"
        in browser(
            client,
            "GET",
            f"/desk/reportes/{world.report_a.tracking_code}",
            world.staff["provider_staff"],
        ).text
    )


def test_a_refused_answer_is_explained_and_keeps_the_text(
    client: TestClient, session: Session, world: World
) -> None:
    member = world.staff["provider_staff"]
    path = f"/desk/reportes/{world.report_a.tracking_code}"
    no_reason = browser(client, "POST", path, member, {"action": "reject", "note": ""})
    assert no_reason.status_code == 400 and "Indique por qué se rechaza" in no_reason.text
    done = browser(
        client, "POST", path, member, {"action": "resolve", "note": "Listo", "public": "1"}
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?hecho=resolve")
    again = browser(client, "POST", path, member, {"action": "resolve", "note": "Mi texto largo"})
    assert again.status_code == 409 and "no puede pasar a" in again.text
    assert "Mi texto largo" in again.text
    bogus = browser(client, "POST", path, member, {"action": "explode"})
    assert bogus.status_code == 400 and "Acción desconocida." in bogus.text


def test_handing_a_report_on_leaves_the_desk(client: TestClient, world: World) -> None:
    member = world.staff["provider_staff"]
    path = f"/desk/reportes/{world.report_a.tracking_code}"
    moved = browser(
        client, "POST", path, member, {"action": "reassign", "target": "atm", "public": "1"}
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/desk?hecho=reassign"
    assert browser(client, "GET", path, member).status_code == 404
    assert browser(client, "GET", path, world.staff["atm_staff"]).status_code == 200


def test_templates_page_saves_and_reverts_the_bodys_copy(client: TestClient, world: World) -> None:
    member = world.staff["provider_staff"]
    fields = {
        "provider_id": str(world.provider_a.id),
        "key": "resolved",
        "title": "Arreglado",
        "body": "La JASS lo arregló.",
    }
    saved = browser(client, "POST", "/desk/plantillas", member, fields)
    assert saved.status_code == 303
    page = browser(client, "GET", "/desk/plantillas", member).text
    assert "La JASS lo arregló." in page and "Texto propio" in page
    detail = browser(client, "GET", f"/desk/reportes/{world.report_a.tracking_code}", member).text
    assert 'data-template="La JASS lo arregló."' in detail
    reverted = browser(client, "POST", "/desk/plantillas", member, {**fields, "op": "revert"})
    assert reverted.status_code == 303
    assert "La JASS lo arregló." not in browser(client, "GET", "/desk/plantillas", member).text
    empty = browser(client, "POST", "/desk/plantillas", member, {**fields, "body": " "})
    assert empty.status_code == 400 and "necesita un título y un texto" in empty.text
