"""The pages of official evidence: the reading form and the laboratory upload on the desk, my
systems' compliance, a district's printable monthly report, and the compliance block of the
public system page. Spanish first, no inline scripts, nothing personal in public pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.evidence import compliance
from geodata.evidence.readings import ReadingIn, RoundIn, record_round
from geodata.models import AdminArea, Provider, Role, SamplePoint
from geodata.reports.aggregation import aggregate_for_subjects
from tests.account_factories import Staff, staff
from tests.evidence.support import jass_systems, lab_csv, malawi_lab_rows, official_count


def signed_in(client: TestClient, who: Staff) -> TestClient:
    client.cookies.set("yaku_session", who.cookie)
    return client


def inline_scripts(html: str) -> list[str]:
    """Executable inline scripts (JSON data blocks are not scripts)."""
    tags = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    return [body for attrs, body in tags if "src=" not in attrs and "application/json" not in attrs]


def test_desk_pages_send_visitors_to_sign_in(client: TestClient) -> None:
    for path in ("/desk/lecturas", "/desk/laboratorio", "/desk/cumplimiento"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/ingresar?next={path}"


def test_the_reading_form_lists_only_the_systems_the_account_may_record(
    session: Session, client: TestClient
) -> None:
    mine, theirs = jass_systems(session, 2)
    jass = staff(session, Role.PROVIDER_STAFF, session.get(Provider, mine.provider_id))
    session.commit()
    page = signed_in(client, jass).get("/desk/lecturas")
    assert page.status_code == 200
    html = page.text
    assert "Lecturas de cloro" in html and '<html lang="es">' in html
    assert f'value="{mine.code}"' in html and theirs.code not in html
    assert jass.csrf in html  # in the JSON configuration, for the queued sends
    assert inline_scripts(html) == []
    assert 'src="/static/queue.js"' in html and 'src="/static/readings.js"' in html
    english = client.get("/desk/lecturas?lang=en").text
    assert "Chlorine readings" in english


def test_health_staff_get_a_field_with_every_system(session: Session, client: TestClient) -> None:
    health = staff(session, Role.HEALTH)
    session.commit()
    html = signed_in(client, health).get("/desk/lecturas").text
    assert '<datalist id="system-codes">' in html
    assert html.count('<option value="SIASAR-') == 371


def test_the_lab_page_uploads_a_file_and_lists_bad_rows(
    session: Session, client: TestClient
) -> None:
    codes = [s.code for s in jass_systems(session, 2)]
    health = staff(session, Role.HEALTH)
    session.commit()
    signed_in(client, health)
    assert "Resultados de laboratorio" in client.get("/desk/laboratorio").text
    rows = malawi_lab_rows(codes, "12/05/2026")
    bad = [
        *rows,
        [codes[0], "red", "12/05/2026", "09:00", "pH", "7", "", "Lab", "B-1"],
        ["NADA", "red", "12/05/2026", "09:00", "pH", "7", "", "Lab", "B-2"],
    ]
    refused = client.post(
        "/desk/laboratorio",
        data={"csrf_token": health.csrf},
        files={"file": ("lab.csv", lab_csv(bad), "text/csv")},
    )
    assert refused.status_code == 422
    assert "1 filas tienen errores; no se cargó nada." in refused.text
    assert f"fila {len(rows) + 3}: código de sistema o fuente desconocido" in refused.text
    assert official_count(session) == 0
    stored = client.post(
        "/desk/laboratorio",
        data={"csrf_token": health.csrf},
        files={"file": ("lab.csv", lab_csv(rows), "text/csv")},
    )
    assert stored.status_code == 201
    assert f"Se guardaron {len(rows)} resultados de lab.csv" in stored.text
    again = client.post(
        "/desk/laboratorio",
        data={"csrf_token": health.csrf},
        files={"file": ("lab.csv", lab_csv(rows), "text/csv")},
    )
    assert again.status_code == 200 and "ya se subió" in again.text
    forged = client.post(
        "/desk/laboratorio", files={"file": ("lab.csv", lab_csv(rows), "text/csv")}
    )
    assert forged.status_code == 403


def test_other_roles_see_that_they_cannot_upload(session: Session, client: TestClient) -> None:
    analyst = staff(session, Role.ANALYST)
    session.commit()
    page = signed_in(client, analyst).get("/desk/laboratorio")
    assert page.status_code == 403
    assert "Solo el personal de vigilancia sanitaria" in page.text
    assert "<form" not in page.text


def record(session: Session, code: str, samples: list[tuple[datetime, float]]) -> None:
    health = staff(session, Role.HEALTH)
    record_round(
        session,
        health.scope(session),
        RoundIn(
            code,
            [
                ReadingIn(SamplePoint.NETWORK, at, [{"parameter": "free_chlorine", "value": v}])
                for at, v in samples
            ],
        ),
        actor="tests",
        account_id=health.account.id,
    )


def last_month_days(count: int) -> list[datetime]:
    month = compliance.last_complete_month(datetime.now(UTC))
    return [datetime(month.year, month.month, d, 14, tzinfo=UTC) for d in range(1, count + 1)]


def test_my_systems_and_the_public_system_page_say_how_the_month_went(
    session: Session, client: TestClient
) -> None:
    mine, other = jass_systems(session, 2)
    record(
        session,
        mine.code,
        [(d, v) for d, v in zip(last_month_days(5), [0.6, 0.7, 0.8, 0.9, 0.2], strict=True)],
    )
    aggregate_for_subjects(session, [mine.id])
    jass = staff(session, Role.PROVIDER_STAFF, session.get(Provider, mine.provider_id))
    session.commit()
    desk = signed_in(client, jass).get("/desk/cumplimiento").text
    row = re.search(rf'<tr data-code="{mine.code}">(.*?)</tr>', desk, flags=re.S)
    assert row is not None
    assert "80 %" in row.group(1) and "No cumple" in row.group(1)
    stale = last_month_days(5)[-1] < datetime.now(UTC) - timedelta(days=30)
    assert ("Ninguna en los últimos 30 días" in row.group(1)) is stale
    assert other.code not in desk
    client.cookies.clear()
    public = client.get(f"/sistemas/{mine.code}").text
    assert 'id="official-evidence"' in public
    assert "4 de 5 muestras de la red tenían al menos 0.5 mg/L de cloro (80 %)." in public
    assert "1 por debajo de 0.3 mg/L: el agua puede no estar desinfectada." in public
    assert "No cumple la norma." in public
    assert "tests" not in public and "@example.org" not in public
    untouched = client.get(f"/sistemas/{other.code}").text
    assert "Aún no hay lecturas oficiales" in untouched


def test_the_monthly_report_page_and_csv(session: Session, client: TestClient) -> None:
    mine, _ = jass_systems(session, 2)
    record(session, mine.code, [(d, 0.7) for d in last_month_days(4)])
    aggregate_for_subjects(session, [mine.id])
    ubigeo = session.scalar(select(AdminArea.ubigeo_inei).where(AdminArea.id == mine.district_id))
    month = compliance.last_complete_month(datetime.now(UTC)).strftime("%Y-%m")
    page = client.get(f"/distritos/{ubigeo}/informe")
    assert page.status_code == 200
    html = page.text
    assert "Informe mensual de calidad del agua" in html
    assert re.search(rf'<tr data-code="{mine.code}">.*?Cumple', html, flags=re.S)
    assert "@media print" not in html and 'href="/static/evidence.css"' in html
    assert inline_scripts(html) == []
    assert f"monthly-report?format=csv&amp;month={month}" in html
    assert client.get("/distritos/999999/informe").status_code == 404
    csv_response = client.get(f"/api/v1/districts/{ubigeo}/monthly-report?format=csv&month={month}")
    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    assert text.startswith("codigo,sistema,prestador")
    assert f"{mine.code}," in text and "TOTAL DEL DISTRITO" in text
    data = client.get(f"/api/v1/districts/{ubigeo}/monthly-report?month={month}").json()
    assert data["totals"]["complies"] == 1 and data["month"] == month
    assert client.get(f"/api/v1/districts/{ubigeo}/monthly-report?month=2026-13").status_code == 400


def test_the_desk_compliance_api(session: Session, client: TestClient) -> None:
    mine, other = jass_systems(session, 2)
    jass = staff(session, Role.PROVIDER_STAFF, session.get(Provider, mine.provider_id))
    nobody = staff(session, None)
    session.commit()
    body = client.get("/api/v1/desk/compliance", headers=jass.headers).json()
    assert [item["code"] for item in body["items"]] == [mine.code]
    assert body["items"][0]["stale"] is True and body["items"][0]["sampled"] is False
    assert client.get("/api/v1/desk/compliance", headers=nobody.headers).status_code == 403
    assert client.get("/api/v1/desk/compliance").status_code == 401
    public = client.get(f"/api/v1/systems/{other.code}/compliance").json()
    assert public["stale"] is True and public["months"] == []
