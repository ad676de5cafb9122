"""Response templates (shipped defaults, a body's own copy, pre-filled answers) and a body's
public contact details (checked, normalised, shown on the map's popup and system page)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.models import Provider, ResponseTemplate
from geodata.seed.templates import DEFAULTS, load_response_templates
from tests.desk.conftest import World
from tests.desk.support import api, browser, snapshot

FMS_SET = [
    "received",
    "inspection_scheduled",
    "not_responsible",
    "repair_scheduled",
    "in_repair",
    "cannot_repair",
    "reopened",
    "resolved",
]


def test_the_default_set_is_seeded_once(session: Session) -> None:
    defaults = select(func.count()).where(ResponseTemplate.provider_id.is_(None))
    assert session.scalar(defaults) == 2 * len(DEFAULTS)  # Spanish and English
    assert [d.key for d in DEFAULTS] == FMS_SET
    assert load_response_templates(session) == 0  # idempotent
    row = session.scalars(
        select(ResponseTemplate).where(
            ResponseTemplate.provider_id.is_(None), ResponseTemplate.key == "received"
        )
    ).first()
    assert row is not None
    row.body = "texto viejo"
    session.flush()
    assert load_response_templates(session) == 1  # a changed default is restored


def test_a_body_edits_its_own_copy_and_others_keep_the_default(
    client: TestClient, session: Session, world: World
) -> None:
    mine = world.staff["provider_staff"]
    saved = api(
        client,
        "PUT",
        "/api/v1/desk/templates/received",
        mine,
        json={"title": "Recibido", "body": "La JASS ya sabe de su reporte."},
    )
    assert saved.status_code == 200 and saved.json()["provider_id"] == world.provider_a.id
    items = {
        t["key"]: t for t in api(client, "GET", "/api/v1/desk/templates", mine).json()["items"]
    }
    assert items["received"]["body"] == "La JASS ya sabe de su reporte."
    assert items["received"]["customised"] and not items["resolved"]["customised"]
    theirs = api(client, "GET", "/api/v1/desk/templates", world.staff["other"]).json()["items"]
    assert theirs[0]["body"].startswith("Recibimos su reporte")
    page = browser(client, "GET", f"/desk/reportes/{world.report_a.tracking_code}", mine)
    assert 'data-template="La JASS ya sabe de su reporte."' in page.text
    assert 'value="acknowledge" data-template' in page.text
    reverted = api(client, "DELETE", "/api/v1/desk/templates/received", mine)
    assert reverted.status_code == 204
    items = {
        t["key"]: t for t in api(client, "GET", "/api/v1/desk/templates", mine).json()["items"]
    }
    assert items["received"]["body"].startswith("Recibimos su reporte")


@pytest.mark.parametrize(
    ("key", "body", "status", "code"),
    [
        ("nope", {"title": "x", "body": "y"}, 404, "template_not_found"),
        ("received", {"title": " ", "body": "y"}, 400, "template_incomplete"),
        ("received", {"title": "x", "body": "y" * 2001}, 422, "invalid_input"),
        ("received", {"title": "x"}, 422, "invalid_input"),
    ],
)
def test_bad_templates_are_refused(
    client: TestClient,
    session: Session,
    world: World,
    key: str,
    body: dict[str, str],
    status: int,
    code: str,
) -> None:
    before = snapshot(session)
    response = api(
        client, "PUT", f"/api/v1/desk/templates/{key}", world.staff["provider_staff"], json=body
    )
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert snapshot(session) == before


def test_an_administrator_must_name_the_body(client: TestClient, world: World) -> None:
    response = api(
        client,
        "PUT",
        "/api/v1/desk/templates/received",
        world.staff["administrator"],
        json={"title": "x", "body": "y"},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "body_required"


def test_contact_details_are_checked_and_normalised(
    client: TestClient, session: Session, world: World
) -> None:
    path = f"/api/v1/desk/providers/{world.provider_a.id}"
    mine = world.staff["provider_staff"]
    response = api(
        client,
        "PATCH",
        path,
        mine,
        json={
            "contact_phone": "044 123456",
            "contact_whatsapp": "+51 987-654-321",
            "contact_email": " JASS.ConCon@Example.org ",
            "office_hours": "  Lun a vie,   8 a 13 h ",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["contact_phone"] == "+5144123456"
    assert body["contact_whatsapp"] == "+51987654321"
    assert body["contact_email"] == "jass.concon@example.org"
    assert body["office_hours"] == "Lun a vie, 8 a 13 h"
    assert body["contact_updated_at"] is not None
    cleared = api(client, "PATCH", path, mine, json={"contact_email": ""}).json()
    assert cleared["contact_email"] is None and cleared["contact_phone"] == "+5144123456"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("contact_phone", "12", "invalid_contact_phone"),
        ("contact_whatsapp", "hola", "invalid_contact_whatsapp"),
        ("contact_email", "no-es-correo", "invalid_contact_email"),
    ],
)
def test_bad_contact_details_change_nothing(
    client: TestClient, session: Session, world: World, field: str, value: str, code: str
) -> None:
    before = snapshot(session)
    response = api(
        client,
        "PATCH",
        f"/api/v1/desk/providers/{world.provider_a.id}",
        world.staff["provider_staff"],
        json={"office_hours": "Lun 8-12", field: value},  # a good field with a bad one
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert "no es válido" in response.json()["error"]["message"]
    assert snapshot(session) == before


def test_unknown_provider_is_404(client: TestClient, world: World) -> None:
    response = api(
        client, "PATCH", "/api/v1/desk/providers/999999", world.staff["administrator"], json={}
    )
    assert response.status_code == 404


def test_the_map_and_the_system_page_show_whatsapp_and_hours(
    client: TestClient, session: Session, world: World
) -> None:
    before = client.get(f"/map/popup/{world.a.code}")
    provider = session.get_one(Provider, world.provider_a.id)
    saved = browser(
        client,
        "POST",
        "/desk/prestador",
        world.staff["provider_staff"],
        {
            "provider_id": str(provider.id),
            "contact_phone": "",
            "contact_whatsapp": "987 654 321",
            "contact_email": "",
            "office_hours": "Sábados 8-12",
        },
    )
    assert saved.status_code == 303
    popup = client.get(
        f"/map/popup/{world.a.code}", headers={"If-None-Match": before.headers["etag"]}
    )
    assert popup.status_code == 200  # the contact change is a new version of the data
    data = popup.json()
    assert data["contact_whatsapp"] == "+51987654321"
    assert data["whatsapp_url"] == "https://wa.me/51987654321"
    assert data["office_hours"] == "Sábados 8-12"
    page = client.get(f"/sistemas/{world.a.code}").text
    assert 'href="https://wa.me/51987654321"' in page and "Sábados 8-12" in page
    bad = browser(
        client,
        "POST",
        "/desk/prestador",
        world.staff["provider_staff"],
        {"provider_id": str(provider.id), "contact_phone": "abc"},
    )
    assert bad.status_code == 400 and "no es válido" in bad.text
    assert 'value="abc"' in bad.text  # the form keeps what was typed
