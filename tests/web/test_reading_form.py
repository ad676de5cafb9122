"""The operator's reading form in headless Chromium at 360 px: a round typed without signal is
kept on the phone (with its idempotency key), survives a reload, and is stored exactly once
when the connection returns; the printable monthly report shows without the site's chrome."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from geodata.models import Account, Measurement, Provider, ReadingBatch, Role
from tests.account_factories import Staff, staff
from tests.celery_support import flush_redis
from tests.evidence.support import System, jass_systems, restoring

pytestmark = pytest.mark.browser


@pytest.fixture
def operator(engine: Engine) -> Iterator[tuple[Staff, System]]:
    with Session(engine, expire_on_commit=False) as s:
        system = jass_systems(s, 1, district_id=83)[0]
        who = staff(s, Role.PROVIDER_STAFF, s.get(Provider, system.provider_id))
        s.commit()
    with restoring(engine, [system.id]):
        yield who, system
    with Session(engine) as s:
        s.execute(delete(Account).where(Account.id == who.account.id))
        s.commit()
    flush_redis()


def test_a_round_typed_offline_is_stored_exactly_once(
    engine: Engine, live_server: str, phone: Any, artifacts: Path, operator: tuple[Staff, System]
) -> None:
    who, system = operator
    phone.add_cookies([{"name": "yaku_session", "value": who.cookie, "url": live_server}])
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/desk/lecturas")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    page.wait_for_function("window.yakuQueue !== undefined")
    page.wait_for_function(
        "async () => !!(await caches.match('/desk/lecturas', {ignoreVary: true}))", timeout=15000
    )
    assert page.input_value("#system") == system.code  # its only system, chosen already
    phone.set_offline(True)
    first = page.locator("fieldset.sample").nth(0)
    first.locator("[name=free_chlorine]").fill("0.7")
    first.locator("[name=bacteria]").select_option("e_coli:false")
    page.click("#add-sample")
    second = page.locator("fieldset.sample").nth(1)
    second.locator("[name=sample_point]").select_option("tap")
    second.locator("[name=free_chlorine]").fill("0.4")
    assert second.locator(".sample-number").inner_text() == "2"
    page.click("#send")
    page.wait_for_selector("#status .notice:has-text('Sin conexión')", timeout=15000)
    page.wait_for_selector(".outbox-pending", timeout=10000)
    keys = page.evaluate("yakuQueue.all('readings').then(items => items.map(i => i.key))")
    assert len(keys) == 1
    key = keys[0]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).where(ReadingBatch.idempotency_key == key)) == 0
    page.reload()  # still offline: the service worker serves the form, the outbox survives
    page.wait_for_selector(".outbox-pending", timeout=10000)
    page.screenshot(path=str(artifacts / "readings-pending-360.png"), full_page=True)
    phone.set_offline(False)
    page.wait_for_selector(".outbox-sent, .outbox-rejected", timeout=30000)
    assert page.locator(".outbox-rejected").count() == 0, page.inner_text("#outbox")
    page.evaluate("window.yakuFlushReadings()")  # a second flush must not send it again
    page.reload()
    page.wait_for_selector(".outbox-sent", timeout=10000)
    assert "Guardado. Lecturas registradas: 3" in page.inner_text("#outbox")
    page.screenshot(path=str(artifacts / "readings-sent-360.png"), full_page=True)
    with Session(engine) as s:
        batches = s.scalars(select(ReadingBatch).where(ReadingBatch.idempotency_key == key)).all()
        assert len(batches) == 1 and batches[0].account_id == who.account.id
        stored = s.execute(
            select(Measurement.sample_point, Measurement.parameter_code, Measurement.value).where(
                Measurement.batch_id == batches[0].id
            )
        ).all()
    assert sorted((p.value, c, v) for p, c, v in stored) == [
        ("network", "e_coli", 0.0),
        ("network", "free_chlorine", 0.7),
        ("tap", "free_chlorine", 0.4),
    ]
    assert errors == []


def test_the_monthly_report_prints_without_the_site_bar(
    live_server: str, chromium: Any, artifacts: Path
) -> None:
    context = chromium.new_context(viewport={"width": 1100, "height": 800}, locale="es-PE")
    try:
        page = context.new_page()
        page.goto(live_server + "/distritos/130101/informe")
        assert "Informe mensual de calidad del agua" in page.inner_text("h1")
        assert page.is_visible("header.bar") and page.is_visible("[data-print]")
        page.emulate_media(media="print")
        assert not page.is_visible("header.bar") and not page.is_visible("[data-print]")
        assert page.is_visible("#report-systems")
        page.pdf(path=str(artifacts / "monthly-report.pdf"), format="A4", landscape=True)
    finally:
        context.close()
