"""What a person sees, in headless Chromium at 360 px: colours, popups, offline reports, escaping.

Screenshots of the map, a popup and the form are saved to ``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from geodata.models import Report, WaterSystem
from geodata.reports.codes import reporter_fingerprint
from tests.web.conftest import XSS, committed_report, committed_statuses

pytestmark = pytest.mark.browser

COLOURS = ("green", "yellow", "red", "grey")


def systems_with_provider(engine: Engine, count: int) -> list[tuple[str, float, float]]:
    with Session(engine) as session:
        rows = session.execute(
            select(WaterSystem.code, func.ST_Y(WaterSystem.geom), func.ST_X(WaterSystem.geom))
            .where(WaterSystem.provider_id.is_not(None))
            .order_by(WaterSystem.id)
            .limit(count)
        ).all()
    return [(code, lat, lon) for code, lat, lon in rows]


def watch(page: Any, base: str) -> dict[str, list[str]]:
    """Record every request leaving for another origin, every page error and every dialog."""
    seen: dict[str, list[str]] = {"outside": [], "errors": [], "dialogs": []}

    def on_request(request: Any) -> None:
        if not request.url.startswith((base, "data:", "blob:")):
            seen["outside"].append(request.url)

    page.on("request", on_request)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def fits_360(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= 360"))


def go_to(page: Any, lat: float, lon: float, zoom: int = 17) -> None:
    page.evaluate(f"window.yakuMap.setView([{lat}, {lon}], {zoom}, {{animate: false}})")


def test_map_shows_seeded_systems_in_their_colours(
    engine: Engine, live_server: str, phone: Any, artifacts: Path
) -> None:
    picked = systems_with_provider(engine, 4)
    colours = {code: colour for (code, _, _), colour in zip(picked, COLOURS, strict=True)}
    with committed_statuses(engine, colours):
        page = phone.new_page()
        seen = watch(page, live_server)
        page.goto(live_server + "/")
        page.wait_for_selector(".yaku-marker", timeout=15000)
        page.wait_for_timeout(500)
        shown = page.evaluate(
            """() => [...document.querySelectorAll('.yaku-cluster span')]
                 .reduce((n, s) => n + Number(s.textContent), 0)
                 + document.querySelectorAll('.yaku-pt').length"""
        )
        assert shown == 371
        # clusters carry the colours of their members (conic-gradient of the four colours)
        gradients = page.eval_on_selector_all(
            ".yaku-cluster", "els => els.map(e => e.style.background).join(' ')"
        )
        assert "conic-gradient" in gradients
        page.screenshot(path=str(artifacts / "map-360.png"))
        for code, lat, lon in picked:
            go_to(page, lat, lon)
            marker = page.wait_for_selector(
                f'.leaflet-marker-icon[title^="{code} "] .yaku-{colours[code]}', timeout=10000
            )
            assert marker.is_visible()
        page.screenshot(path=str(artifacts / "map-zoomed-360.png"))
        assert fits_360(page)
        assert seen["outside"] == [] and seen["errors"] == []


def test_popup_shows_provider_and_links(
    engine: Engine, live_server: str, phone: Any, artifacts: Path
) -> None:
    code, lat, lon = systems_with_provider(engine, 1)[0]
    with Session(engine) as session:
        system = session.scalars(select(WaterSystem).where(WaterSystem.code == code)).one()
        provider_name = system.provider.name if system.provider else ""
    page = phone.new_page()
    seen = watch(page, live_server)
    page.goto(live_server + "/")
    page.wait_for_selector(".yaku-marker", timeout=15000)
    go_to(page, lat, lon)
    page.click(f'.leaflet-marker-icon[title^="{code} "]')
    popup = page.wait_for_selector(".yaku-popup", timeout=10000)
    text = popup.inner_text()
    assert provider_name and provider_name in text
    assert system.name in text
    assert "Reportar un problema aquí" in text
    hrefs = popup.eval_on_selector_all("a", "els => els.map(a => a.getAttribute('href'))")
    assert f"/reportar?code={code}" in hrefs and f"/sistemas/{code}" in hrefs
    page.screenshot(path=str(artifacts / "popup-360.png"))
    assert seen["outside"] == [] and seen["errors"] == []


def test_pages_load_nothing_from_outside_and_fit_360(
    engine: Engine, live_server: str, phone: Any, artifacts: Path
) -> None:
    code = systems_with_provider(engine, 1)[0][0]
    with committed_report(engine, code) as report:
        page = phone.new_page()
        seen = watch(page, live_server)
        for path in (
            "/",
            "/reportar",
            "/seguimiento",
            f"/seguimiento/{report.tracking_code}",
            f"/sistemas/{code}",
            "/?lang=en",
        ):
            page.goto(live_server + path)
            page.wait_for_load_state("networkidle")
            assert fits_360(page), path
        page.goto(live_server + "/reportar?lang=es")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(artifacts / "form-360.png"), full_page=True)
        assert seen["outside"] == [], seen["outside"]
        assert seen["errors"] == []


def test_html_in_a_description_is_shown_as_text_everywhere(
    engine: Engine, live_server: str, phone: Any
) -> None:
    code, lat, lon = systems_with_provider(engine, 1)[0]
    with committed_report(engine, code) as report:
        page = phone.new_page()
        seen = watch(page, live_server)
        page.goto(f"{live_server}/seguimiento/{report.tracking_code}")
        assert page.inner_text("#report-description") == XSS
        assert page.locator("#report-description b").count() == 0
        page.goto(f"{live_server}/sistemas/{code}")
        assert XSS in page.inner_text("main")
        assert page.locator(".desc b").count() == 0
        page.goto(live_server + "/")
        page.wait_for_selector(".yaku-marker", timeout=15000)
        go_to(page, lat, lon)
        page.wait_for_selector(".yaku-report", timeout=10000)
        page.click(f'.leaflet-marker-icon[title^="{code} "]')
        page.wait_for_selector(".yaku-popup .yaku-reports a", timeout=10000)
        page.wait_for_timeout(300)
        assert seen["dialogs"] == []
        popup = page.inner_text(".yaku-popup")
        assert "alert(1)" not in popup  # the map shows the category, never the description
        assert page.locator(".leaflet-popup b, .leaflet-popup script").count() == 0


def test_report_sent_offline_is_delivered_exactly_once(
    engine: Engine, live_server: str, phone: Any, artifacts: Path
) -> None:
    import api.routers.reports as reports_router

    if not any(getattr(r, "path", "") == "/api/v1/reports" for r in reports_router.router.routes):
        pytest.skip("POST /api/v1/reports is not there yet")
    code = systems_with_provider(engine, 1)[0][0]
    page = phone.new_page()
    seen = watch(page, live_server)
    page.goto(live_server + "/reportar")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()  # the worker was installed by this visit: let it control the page
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    page.wait_for_function("window.yakuQueue !== undefined")
    phone.set_offline(True)
    page.click("label[for=cat-no_water]")
    page.fill("#code", code)
    page.fill("#description", XSS)
    page.click("#send")
    page.wait_for_selector("#status .notice:has-text('Sin conexión')", timeout=15000)
    page.wait_for_selector(".outbox-pending", timeout=10000)
    assert "Esperando conexión" in page.inner_text("#outbox")
    keys = page.evaluate("yakuQueue.all().then(items => items.map(i => i.key))")
    assert len(keys) == 1
    key = keys[0]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).where(Report.idempotency_key == key)) == 0
    page.reload()  # still offline: the service worker serves the page, the outbox survives
    page.wait_for_selector(".outbox-pending", timeout=10000)
    page.screenshot(path=str(artifacts / "form-pending-360.png"), full_page=True)
    try:
        phone.set_offline(False)
        page.wait_for_selector(".outbox-sent", timeout=30000)
        page.evaluate("window.yakuFlush()")  # a second flush must not send it again
        page.reload()
        page.wait_for_selector(".outbox-sent", timeout=10000)
        with Session(engine) as session:
            rows = session.scalars(select(Report).where(Report.idempotency_key == key)).all()
            assert len(rows) == 1
            assert rows[0].description == XSS
            tracking = rows[0].tracking_code
            # the phone's install id travelled with it (kept once generated): the reporter is
            # this phone, not the network address the village shares
            install = page.evaluate("localStorage.getItem('yaku-install-id')")
            assert install and rows[0].reporter_fingerprint == reporter_fingerprint(install)
            assert rows[0].reporter_fingerprint != rows[0].network_fingerprint
        assert tracking in page.inner_text("#outbox")
        page.click(f"#outbox a:has-text('{tracking}')")
        page.wait_for_selector("#report-description")
        assert page.inner_text("#report-description") == XSS
        assert seen["outside"] == [] and seen["dialogs"] == []
    finally:
        with Session(engine) as session:
            session.execute(delete(Report).where(Report.idempotency_key == key))
            session.commit()
