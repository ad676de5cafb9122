"""The dashboards on a 360 px phone in Chromium, against a live server: charts drawn, their
tables present and readable, nothing fetched from another origin, no CSP violation, nothing
wider than the screen. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from geodata.dashboards.refresh import refresh
from geodata.evidence.fields import PERU
from geodata.models import AdminArea, WaterSystem
from tests.web.conftest import committed_report
from tests.web.test_browser import fits_360, watch
from tests.web.test_csp import RECORD_VIOLATIONS, violations

pytestmark = pytest.mark.browser
CODE = "SIASAR-160421"


def refreshed(engine: Engine) -> None:
    with Session(engine) as session:
        refresh(session)
        session.commit()


@pytest.fixture
def district_with_a_report(engine: Engine) -> Iterator[str]:
    """A committed, acknowledged report on a seeded system; the dashboards refreshed."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        ubigeo, provider_id = session.execute(
            select(AdminArea.ubigeo_inei, WaterSystem.provider_id)
            .join(WaterSystem, WaterSystem.district_id == AdminArea.id)
            .where(WaterSystem.code == CODE)
        ).one()
    assert provider_id is not None
    values = {
        "status": "acknowledged",
        "provider_id": provider_id,
        "received_at": now - timedelta(days=3),
        "validated_at": now - timedelta(days=3),
        "due_at": now,
        "acknowledged_at": now - timedelta(days=2),
    }
    with committed_report(engine, CODE, **values):
        refreshed(engine)
        yield ubigeo
    refreshed(engine)


def open_page(
    phone: Any, url: str, ready: str = "svg.chart"
) -> tuple[Any, dict[str, list[str]], list[str]]:
    page = phone.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    seen = watch(page, url.split("/tablero")[0])
    response = page.goto(url)
    assert response is not None and response.status == 200
    page.wait_for_selector(ready, timeout=20000)
    return page, seen, console


def drawn_charts(page: Any) -> list[dict[str, float]]:
    """Each chart's rendered size and how many marks (bars, lines, dots) it drew."""
    return list(
        page.eval_on_selector_all(
            "svg.chart",
            """els => els.map(e => ({
                width: e.getBoundingClientRect().width,
                height: e.getBoundingClientRect().height,
                marks: e.querySelectorAll('rect, polyline, circle').length}))""",
        )
    )


def test_district_dashboard_on_a_phone(
    live_server: str, phone: Any, district_with_a_report: str, artifacts: Path
) -> None:
    page, seen, console = open_page(
        phone, f"{live_server}/tablero/distrito/{district_with_a_report}"
    )
    charts = drawn_charts(page)
    assert len(charts) == 5
    assert all(c["width"] > 280 and c["height"] > 100 for c in charts), charts
    assert sum(1 for c in charts if c["marks"] > 0) >= 3  # colours, reports, times at least
    # the map of the area: outline and the systems' dots
    assert page.eval_on_selector("svg.dash-map", "e => e.querySelectorAll('path').length") >= 2
    # every figure's numbers are a real table, shown when asked for
    assert page.locator("details.dash-numbers table").count() == 5
    page.locator("#fig-reports summary").click()
    table = page.locator("#fig-reports table")
    assert table.is_visible()
    assert table.locator("tbody tr th").first.inner_text().count("/") == 1  # "Semana del" dd/mm
    assert page.locator("#fig-times .dash-sentence").inner_text().startswith("En ")
    assert fits_360(page)
    page.screenshot(path=str(artifacts / "dashboard-district-360.png"), full_page=True)
    assert seen["outside"] == [] and seen["errors"] == []
    assert violations(page, console) == []


def test_region_and_bodies_on_a_phone(
    live_server: str, phone: Any, district_with_a_report: str, artifacts: Path
) -> None:
    page, seen, console = open_page(phone, f"{live_server}/tablero")
    assert len(drawn_charts(page)) == 5
    assert page.locator("#areas table tbody tr").count() == 12
    assert fits_360(page)
    page.screenshot(path=str(artifacts / "dashboard-region-360.png"), full_page=True)
    assert seen["outside"] == [] and seen["errors"] == [] and violations(page, console) == []
    page.close()
    month = (datetime.now(UTC) - timedelta(days=3)).astimezone(PERU).strftime("%Y-%m")
    page, seen, console = open_page(phone, f"{live_server}/tablero/responsables?mes={month}")
    assert page.locator("#fig-bodies table").is_visible()
    assert page.locator("#fig-bodies table tbody tr th").count() >= 1  # the body that answered
    assert len(drawn_charts(page)) == 1
    assert fits_360(page)
    page.screenshot(path=str(artifacts / "dashboard-bodies-360.png"), full_page=True)
    assert seen["outside"] == [] and seen["errors"] == [] and violations(page, console) == []
