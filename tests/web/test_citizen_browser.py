"""The citizen pages as a rural user meets them: headless Chromium at 360 px under slow-3G
emulation, against a live server. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from geodata.messages import message
from geodata.models import ActorKind, Provider, Report, ReportStatus, WaterSystem
from geodata.reports.lifecycle import Actor, transition
from geodata.reports.validation import validate_report
from geodata.settings import get_settings
from tests.web.citizen_browser_support import (
    SLOW_3G,
    committed_colours,
    committed_system,
    delete_reports,
    in_viewport,
    slow_3g,
)
from tests.web.conftest import committed_report
from tests.web.test_browser import go_to, watch
from tests.web.test_system_page import SPANISH_STATUS_WORDS

pytestmark = pytest.mark.browser

HERE = {"latitude": -8.0, "longitude": -78.7}  # between the systems of Poroto
TIMEOUT = 30_000


@pytest.fixture
def slow_phone(chromium: Any) -> Iterator[Any]:
    """A 360 px phone on slow 3G, Spanish, no permission to know where it is."""
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="es-PE")
    yield context
    context.close()


def open_page(context: Any, url: str) -> tuple[Any, dict[str, list[str]]]:
    page = context.new_page()
    page.yaku_cdp = slow_3g(context, page)
    base = url.split("/", 3)[:3]
    seen = watch(page, "/".join(base))
    page.goto(url, timeout=TIMEOUT)
    return page, seen


def set_offline(context: Any, page: Any, offline: bool) -> None:
    """No network at all, for the page and its service worker (the slow-3G emulation of the
    page's own DevTools session is switched too, or it would keep the page online)."""
    context.set_offline(offline)
    page.yaku_cdp.send("Network.emulateNetworkConditions", {**SLOW_3G, "offline": offline})


def systems(engine: Engine, count: int) -> list[tuple[str, float, float]]:
    with Session(engine) as session:
        rows = session.execute(
            select(WaterSystem.code, func.ST_Y(WaterSystem.geom), func.ST_X(WaterSystem.geom))
            .where(WaterSystem.provider_id.is_not(None), WaterSystem.code.like("SIASAR-%"))
            .order_by(WaterSystem.id)
            .limit(count)
        ).all()
    return [(c, y, x) for c, y, x in rows]


def test_search_an_accented_community_typed_without_accents(
    engine: Engine, live_server: str, slow_phone: Any, artifacts: Path
) -> None:
    with committed_system(engine, "TEST-ÑAHUIN", "Sistema de Ñahuín", ["Cañón de Quíspe"]):
        page, seen = open_page(slow_phone, live_server + "/")
        page.wait_for_selector(".yaku-marker", timeout=TIMEOUT)
        page.fill("#find-q", "canon de quispe")  # no accents, lower case, no permission asked
        item = page.wait_for_selector(".find-item:has-text('Sistema de Ñahuín')", timeout=TIMEOUT)
        assert "Cañón de Quíspe" in item.inner_text()
        page.screenshot(path=str(artifacts / "search-360.png"))
        item.click()
        popup = page.wait_for_selector(
            ".yaku-popup h3:has-text('Sistema de Ñahuín')", timeout=TIMEOUT
        )
        assert popup.is_visible()
        assert seen["outside"] == [] and seen["errors"] == []


def test_near_me_with_a_granted_location(chromium: Any, live_server: str, artifacts: Path) -> None:
    context = chromium.new_context(
        viewport={"width": 360, "height": 740},
        locale="es-PE",
        geolocation=HERE,
        permissions=["geolocation"],
    )
    try:
        page, seen = open_page(context, live_server + "/")
        page.wait_for_selector(".yaku-marker", timeout=TIMEOUT)
        page.click("#find-near")
        first = page.wait_for_selector(".find-near .find-item", timeout=TIMEOUT)
        assert "Sistema de CUSHMUN" in first.inner_text()
        assert "780 m al este" in first.inner_text()
        items = page.locator(".find-near .find-item").all_inner_texts()
        assert len(items) == 8 and any("Fuente" in i for i in items)
        centre = page.evaluate(
            "(() => { const c = yakuMap.getCenter(); return [c.lat, c.lng]; })()"
        )
        assert centre == pytest.approx([HERE["latitude"], HERE["longitude"]], abs=1e-4)
        assert page.locator(".yaku-here").count() == 1
        page.screenshot(path=str(artifacts / "near-me-360.png"))
        assert seen["outside"] == [] and seen["errors"] == []
    finally:
        context.close()


def test_each_status_has_its_shape_and_an_alert_its_own(
    engine: Engine, live_server: str, slow_phone: Any, artifacts: Path
) -> None:
    picked = systems(engine, 5)
    expected = {"green": "circle", "yellow": "triangle", "red": "octagon", "grey": "square"}
    reason = message("Citizen report: no water")
    colours = {
        code: (status, None if status == "grey" else reason, None)
        for (code, _, _), status in zip(picked, expected, strict=False)
    }
    alert_code = picked[4][0]
    colours[alert_code] = ("grey", None, "no_water")
    with committed_colours(engine, colours):
        page, seen = open_page(slow_phone, live_server + "/")
        page.wait_for_selector(".yaku-cluster", timeout=TIMEOUT)
        legend = page.inner_html(".yaku-legend")
        for shape in (*expected.values(), "bubble"):
            assert f"yaku-shape-{shape}" in legend
        for (code, lat, lon), status in zip(picked, expected, strict=False):
            go_to(page, lat, lon)
            marker = page.wait_for_selector(
                f'.leaflet-marker-icon[title^="{code} "] .yaku-marker', timeout=TIMEOUT
            )
            assert marker.get_attribute("data-shape") == expected[status]
            assert marker.query_selector(f"svg.yaku-shape-{expected[status]}") is not None
        _, lat, lon = picked[4]
        go_to(page, lat, lon)
        alert = page.wait_for_selector(
            f'.leaflet-marker-icon[title^="{alert_code} "] .yaku-alert svg.yaku-shape-bubble',
            timeout=TIMEOUT,
        )
        assert alert.is_visible()
        page.screenshot(path=str(artifacts / "shapes-360.png"))
        page.click(f'.leaflet-marker-icon[title^="{alert_code} "]')
        box = page.wait_for_selector(".yaku-popup .yaku-alert-box", timeout=TIMEOUT)
        text = box.inner_text()
        assert "Alerta ciudadana sin confirmar: No hay agua" in text
        assert "Guarda agua en recipientes limpios y tapados" in text
        page.screenshot(path=str(artifacts / "alert-popup-360.png"))
        assert seen["outside"] == [] and seen["errors"] == []


def test_an_error_is_shown_where_the_person_looks(
    live_server: str, slow_phone: Any, artifacts: Path
) -> None:
    page, seen = open_page(slow_phone, live_server + "/reportar")
    page.wait_for_function("window.yakuQueue !== undefined", timeout=TIMEOUT)
    page.locator("#send").scroll_into_view_if_needed()
    page.click("#send")
    page.wait_for_selector("#err-category:not([hidden])", timeout=TIMEOUT)
    assert in_viewport(page, "#err-category")
    assert "toca uno de los dibujos" in page.inner_text("#err-category")
    assert page.evaluate("document.activeElement.name") == "category"
    page.screenshot(path=str(artifacts / "form-error-category-360.png"))
    page.click("label[for=cat-no_water]")
    page.locator("#send").scroll_into_view_if_needed()
    page.click("#send")
    page.wait_for_selector("#err-place:not([hidden])", timeout=TIMEOUT)
    assert in_viewport(page, "#err-place")
    assert page.evaluate("document.activeElement.id") == "gps"
    assert seen["errors"] == []


def test_an_unknown_code_is_answered_before_sent(
    engine: Engine, live_server: str, slow_phone: Any, artifacts: Path
) -> None:
    page, seen = open_page(slow_phone, live_server + "/reportar")
    page.wait_for_function("window.yakuQueue !== undefined", timeout=TIMEOUT)
    page.click("label[for=cat-no_water]")
    page.fill("#code", "SIASAR-NOPE")
    page.click("#send")
    page.wait_for_selector("#err-place:not([hidden])", timeout=TIMEOUT)
    assert in_viewport(page, "#err-place")
    assert page.inner_text("#err-place").startswith(
        "Ningún sistema ni fuente de agua tiene el código SIASAR-NOPE."
    )
    assert page.evaluate("document.activeElement.id") == "code"
    assert "Enviado" not in page.inner_text("#status")
    assert page.evaluate("yakuQueue.all().then(items => items.length)") == 0
    with Session(engine) as session:
        assert (
            session.scalar(select(func.count()).where(Report.location_code == "SIASAR-NOPE")) == 0
        )
    page.screenshot(path=str(artifacts / "form-unknown-code-360.png"))
    assert seen["errors"] == []


def jpeg(width: int, height: int) -> bytes:
    """A real photo-sized JPEG (noise does not compress: several MB, like a phone's)."""
    noise = random.Random(7).randbytes(width * height * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), noise).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def test_photos_get_the_servers_words_and_big_ones_are_shrunk_on_the_phone(
    engine: Engine, live_server: str, slow_phone: Any
) -> None:
    code = systems(engine, 1)[0][0]
    page, seen = open_page(slow_phone, live_server + "/reportar")
    page.wait_for_function("window.yakuQueue !== undefined", timeout=TIMEOUT)
    page.click("label[for=cat-leak]")
    page.fill("#code", code)
    junk = {"name": "informe.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" * 1_600_000}
    page.set_input_files("#photo", junk)
    page.click("#send")
    page.wait_for_selector("#err-photo:not([hidden])", timeout=TIMEOUT)
    said = page.inner_text("#err-photo")
    assert "La foto pesa más de 5 MB." in said or "El archivo no es una imagen válida." in said
    assert in_viewport(page, "#err-photo")
    assert page.evaluate("yakuQueue.all().then(items => items.length)") == 0
    big = jpeg(3200, 2400)
    assert len(big) > get_settings().max_photo_bytes  # too big to send as it is
    page.set_input_files("#photo", {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": big})
    page.click("#send")
    page.wait_for_selector("#status .notice.ok", timeout=60_000)
    tracking = page.inner_text("#status .notice.ok a.code")
    try:
        with Session(engine) as session:
            stored = session.scalars(select(Report).where(Report.tracking_code == tracking)).one()
            assert stored.photo_path is not None
        photo = Image.open(get_settings().media_dir / stored.photo_path)
        assert max(photo.size) <= 1280  # shrunk on the phone (the server keeps up to 2048)
        assert seen["errors"] == []
    finally:
        delete_reports(engine, Report.tracking_code == tracking)


def test_the_map_and_a_system_page_work_offline(
    engine: Engine, live_server: str, slow_phone: Any, artifacts: Path
) -> None:
    code = systems(engine, 1)[0][0]
    page, seen = open_page(slow_phone, live_server + "/")
    page.wait_for_selector(".yaku-marker", timeout=TIMEOUT)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()  # the worker was installed by this visit: let it control the page
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=TIMEOUT)
    page.wait_for_selector(".yaku-marker", timeout=TIMEOUT)
    page.goto(f"{live_server}/sistemas/{code}", timeout=TIMEOUT)
    name = page.inner_text("h1")
    assert page.locator("#offline").is_hidden()
    set_offline(slow_phone, page, True)
    try:
        page.goto(live_server + "/", timeout=TIMEOUT)
        page.wait_for_selector(".yaku-marker", timeout=TIMEOUT)  # the last map data
        assert page.locator("#offline").is_visible()
        assert "Sin conexión" in page.inner_text("#offline")
        page.screenshot(path=str(artifacts / "map-offline-360.png"))
        page.goto(f"{live_server}/sistemas/{code}", timeout=TIMEOUT)
        assert page.inner_text("h1") == name
        assert page.locator("#verdict").is_visible() and page.locator("#offline").is_visible()
        page.screenshot(path=str(artifacts / "system-offline-360.png"), full_page=True)
    finally:
        set_offline(slow_phone, page, False)
    assert seen["outside"] == []


def test_an_english_page_has_no_spanish_status_text(
    engine: Engine, live_server: str, slow_phone: Any, artifacts: Path
) -> None:
    code, lat, lon = systems(engine, 1)[0]
    reason = message(
        "Old evidence ({date}): {reason}",
        date=date(2015, 9, 14),
        reason=message("SIASAR survey: {detail}", detail=message("no treatment")),
    )
    with committed_colours(engine, {code: ("yellow", reason, "suspected_contamination")}):
        page, seen = open_page(slow_phone, live_server + "/?lang=en")
        page.wait_for_selector(".yaku-marker", timeout=TIMEOUT)
        go_to(page, lat, lon)
        page.click(f'.leaflet-marker-icon[title^="{code} "]', timeout=TIMEOUT)
        popup = page.wait_for_selector(".yaku-popup .yaku-meaning", timeout=TIMEOUT)
        text = page.inner_text(".yaku-popup")
        assert popup.inner_text() == "Boil it before drinking."
        assert "Old evidence (2015-09-14): SIASAR survey: no treatment" in text
        assert "Boil the water for at least one minute" in text
        assert [w for w in SPANISH_STATUS_WORDS if w in text] == []
        page.screenshot(path=str(artifacts / "popup-en-360.png"))
        page.goto(f"{live_server}/sistemas/{code}?lang=en", timeout=TIMEOUT)
        main = page.inner_text("main")
        assert "Unconfirmed citizen alert" in main
        assert [w for w in SPANISH_STATUS_WORDS if w in main] == []
        assert seen["errors"] == []


def test_the_tracking_page_shows_a_bodys_answer_by_itself(
    engine: Engine, live_server: str, slow_phone: Any, artifacts: Path
) -> None:
    code = systems(engine, 1)[0][0]
    with committed_report(engine, code) as report:
        page, seen = open_page(slow_phone, f"{live_server}/seguimiento/{report.tracking_code}")
        page.evaluate("window.stillThisPage = true")
        assert "Vamos mañana a revisar" not in page.inner_text("#timeline")
        with Session(engine) as session:
            stored = session.get(Report, report.id)
            system = session.scalars(select(WaterSystem).where(WaterSystem.code == code)).one()
            provider = session.get(Provider, system.provider_id)
            assert stored is not None and provider is not None
            body_name = provider.name
            body = Actor(ActorKind.PROVIDER, body_name, channel="desk")
            transition(session, stored, ReportStatus.ACKNOWLEDGED, body, "Vamos mañana a revisar")
            session.commit()
        page.wait_for_selector("#timeline :text('Vamos mañana a revisar')", timeout=TIMEOUT)
        assert page.inner_text("#report-status") == "Visto por el prestador"
        assert body_name in page.inner_text("#timeline")
        assert page.evaluate("window.stillThisPage") is True  # updated in place, not reloaded
        page.screenshot(path=str(artifacts / "tracking-answer-360.png"), full_page=True)
        assert seen["errors"] == []


CONTROLS = """
() => {
  const selectors = ['button', 'select', 'textarea', 'summary', 'input:not([type=radio])',
    '.choice label', '.bar a', '.foot a', '.btn', '.yaku-btn', '.links a', '.leaflet-bar a',
    '.leaflet-control-layers-toggle', '.leaflet-marker-icon.leaflet-interactive',
    '.leaflet-popup-close-button'];
  const small = [];
  for (const e of document.querySelectorAll(selectors.join(','))) {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    if (r.width === 0 || r.height === 0 || s.visibility === 'hidden') continue;
    if (r.bottom < 0 || r.top > innerHeight * 4 || r.right < 0 || r.left > innerWidth) continue;
    if (r.width < 43.5 || r.height < 43.5) {  // sub-pixel rounding of transformed markers
      const size = Math.round(r.width) + 'x' + Math.round(r.height);
      small.push((e.id || e.className || e.tagName) + ' ' + size);
    }
  }
  return small;
}
"""


def test_every_control_is_at_least_44_px(engine: Engine, live_server: str, slow_phone: Any) -> None:
    code, lat, lon = systems(engine, 1)[0]
    with committed_report(engine, code) as report:
        page, _ = open_page(slow_phone, live_server + "/")
        page.wait_for_selector(".yaku-cluster", timeout=TIMEOUT)
        page.click(".yaku-legend summary")  # open: its select and links count too
        assert page.evaluate(CONTROLS) == []
        page.click(".yaku-legend summary")
        go_to(page, lat, lon)
        page.wait_for_selector(".yaku-report", timeout=TIMEOUT)
        page.click(f'.leaflet-marker-icon[title^="{code} "]')
        page.wait_for_selector(".yaku-popup .yaku-actions", timeout=TIMEOUT)
        assert page.evaluate(CONTROLS) == []
        for path in (
            "/reportar",
            "/seguimiento",
            f"/seguimiento/{report.tracking_code}",
            f"/sistemas/{code}",
            "/buscar?q=poroto",
        ):
            page.goto(live_server + path, timeout=TIMEOUT)
            page.wait_for_load_state("load")
            assert page.evaluate(CONTROLS) == [], path


def test_a_phone_opens_on_la_libertad_legend_folded_and_remembers_the_view(
    live_server: str, slow_phone: Any
) -> None:
    page, _ = open_page(slow_phone, live_server + "/")
    page.wait_for_selector(".yaku-marker", timeout=TIMEOUT)
    assert page.evaluate("document.querySelector('.yaku-legend details').open") is False
    width = page.evaluate(
        """(() => { const b = yakuMapApi.bounds, w = yakuMap.getSize().x;
             const west = yakuMap.latLngToContainerPoint([b[1], b[0]]).x;
             const east = yakuMap.latLngToContainerPoint([b[1], b[2]]).x;
             return (east - west) / w; })()"""
    )
    assert width >= 0.85  # the department spans the phone's width, not its middle third
    page.evaluate("yakuMap.setView([-7.9, -78.5], 12, {animate: false})")
    page.wait_for_timeout(300)
    page.reload(timeout=TIMEOUT)
    page.wait_for_function("window.yakuMap !== undefined", timeout=TIMEOUT)
    view = page.evaluate(
        "(() => { const c = yakuMap.getCenter(); return [c.lat, c.lng, yakuMap.getZoom()]; })()"
    )
    assert view == pytest.approx([-7.9, -78.5, 12], abs=1e-3)


def test_offline_pending_then_the_real_outcome_in_my_reports(
    engine: Engine, live_server: str, slow_phone: Any, artifacts: Path
) -> None:
    """Offline the form cannot ask the server: the report waits ("Pendiente"), goes out when
    the signal returns, and the list of my reports then shows what validation decided."""
    page, seen = open_page(slow_phone, live_server + "/reportar")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=TIMEOUT)
    page.wait_for_function("window.yakuQueue !== undefined", timeout=TIMEOUT)
    set_offline(slow_phone, page, True)
    page.click("label[for=cat-other]")
    page.fill("#code", "SIASAR-NOEXISTE")
    page.click("#send")
    page.wait_for_selector("#status .notice:has-text('Sin conexión')", timeout=TIMEOUT)
    assert "Esperando conexión" in page.inner_text("#outbox")
    set_offline(slow_phone, page, False)
    tracking = None
    try:
        page.wait_for_selector(".outbox-sent", timeout=60_000)
        tracking = page.inner_text(".outbox-sent a.code")
        with Session(engine) as session:
            report_id = session.scalar(select(Report.id).where(Report.tracking_code == tracking))
            assert report_id is not None
            validate_report(session, report_id)  # what the worker does
            session.commit()
        page.wait_for_selector(".outbox-status-rejected", timeout=TIMEOUT)
        said = page.inner_text("#outbox")
        assert "No aceptado" in said
        assert "Ningún sistema ni fuente de agua tiene el código SIASAR-NOEXISTE" in said
        page.screenshot(path=str(artifacts / "my-reports-outcome-360.png"), full_page=True)
        assert seen["errors"] == []
    finally:
        if tracking:
            delete_reports(engine, Report.tracking_code == tracking)
