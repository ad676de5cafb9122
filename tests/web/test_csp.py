"""The Content-Security-Policy in a real Chromium: every page works under it, none reports a
violation (the map's Folium script runs by its hash, the API docs from the service's own
Swagger UI), and an inline script injected into a page is blocked."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from geodata.accounts.service import add_membership
from geodata.models import Account, Provider, Role
from tests import account_factories as accounts
from tests.web.conftest import committed_report

pytestmark = pytest.mark.browser

# Installed before any page script: collects what the browser refused.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile
                    + ":" + e.lineNumber);
});
"""


def violations(page: Any, console: list[str]) -> list[str]:
    found = list(page.evaluate("window.__csp || []"))
    return found + [m for m in console if "Content Security Policy" in m]


def visit(phone: Any, url: str, ready: str) -> tuple[Any, list[str]]:
    page = phone.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(url)
    assert (
        response is not None and "default-src 'self'" in response.headers["content-security-policy"]
    )
    try:
        page.wait_for_selector(ready, state="attached", timeout=20000)
    except Exception as exc:
        raise AssertionError(f"{url}: {ready} never appeared; console: {console}") from exc
    page.wait_for_timeout(500)  # late scripts, fetches, tiles
    return page, console


def test_every_page_runs_without_a_csp_violation(
    live_server: str, phone: Any, engine: Engine
) -> None:
    with committed_report(engine, "SIASAR-160421") as report:
        pages = {
            "/": ".leaflet-marker-icon, .yaku-cluster, .leaflet-interactive",
            "/reportar": "#pick-map .leaflet-pane",
            f"/seguimiento/{report.tracking_code}": "#report-status",
            "/sistemas/SIASAR-160421": "h1",
            "/ogc?f=html": "h1",
            "/ogc/collections/water-systems/items?f=html&limit=5": "h1",
            "/api/docs": ".swagger-ui .info .title",
        }
        found = {}
        for path, ready in pages.items():
            page, console = visit(phone, live_server + path, ready)
            found[path] = violations(page, console)
            page.close()
    assert found == {path: [] for path in pages}


def test_staff_pages_run_without_a_csp_violation(
    live_server: str, chromium: Any, engine: Engine
) -> None:
    """The sign-in, desk, evidence and account pages, signed in as an administrator who is
    also staff of a district's ATM (so every desk page has something to show)."""
    with Session(engine, expire_on_commit=False) as session:
        atm = session.scalars(select(Provider).where(Provider.is_district_atm)).first()
        member = accounts.staff(session, Role.ADMINISTRATOR)
        add_membership(session, member.account, Role.ATM_STAFF, atm, actor="tests")
        session.commit()
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="es-PE")
    try:
        context.add_cookies([{"name": "yaku_session", "value": member.cookie, "url": live_server}])
        ubigeo = "130101"
        pages = [
            "/desk",
            "/desk/prestador",
            "/desk/plantillas",
            "/desk/lecturas",
            "/desk/laboratorio",
            "/desk/cumplimiento",
            f"/distritos/{ubigeo}/informe",
            "/cuenta",
            "/admin/cuentas",
        ]
        found = {}
        for path in pages:
            page, console = visit(context, live_server + path, "h1")
            found[path] = violations(page, console)
            page.close()
        context.clear_cookies()
        page, console = visit(context, live_server + "/ingresar", "form")
        found["/ingresar"] = violations(page, console)
        page.close()
    finally:
        context.close()
        with Session(engine) as session:
            session.execute(delete(Account).where(Account.id == member.account.id))
            session.commit()
    assert found == {path: [] for path in [*pages, "/ingresar"]}


def test_an_injected_inline_script_is_blocked(live_server: str, phone: Any) -> None:
    page, console = visit(phone, live_server + "/reportar", "#report-form")
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__injected = true"; document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__injected === undefined")
    assert any("script-src" in v for v in violations(page, console))
