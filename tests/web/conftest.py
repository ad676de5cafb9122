"""Fixtures for the map and citizen pages: committed test data, a live server, headless Chromium.

The live server is a uvicorn subprocess on a free port, pointed at the (committed) test
database, without a tile server: what a phone sees when no base map is reachable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from geodata.models import Report, ReportUpdate, StatusChange, WaterSystem
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.live_server import uvicorn_server

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
XSS = "<script>alert(1)</script><b>x</b>"


@pytest.fixture(scope="session")
def live_server(engine: Engine) -> Iterator[str]:
    env = {
        **os.environ,
        "YAKU_DATABASE_URL": TEST_DATABASE_URL,
        "YAKU_REDIS_URL": TEST_REDIS_URL,
        "YAKU_TILE_URL": "",
        "YAKU_DB_POOL_SIZE": "4",
    }
    with uvicorn_server(env) as base:
        yield base


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    """A 360 px wide browser context (a cheap Android phone), with its own storage."""
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="es-PE")
    yield context
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@contextmanager
def committed_statuses(engine: Engine, colours: dict[str, str]) -> Iterator[None]:
    """Give systems (by code) a colour, committed so the live server sees it; restore after."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        before = {
            code: session.execute(
                select(
                    WaterSystem.status,
                    WaterSystem.status_evidence,
                    WaterSystem.status_evidence_at,
                    WaterSystem.status_reason,
                    WaterSystem.status_updated_at,
                ).where(WaterSystem.code == code)
            ).one()
            for code in colours
        }
        for code, colour in colours.items():
            evidence = {"grey": "none", "red": "official"}.get(colour, "citizen")
            session.execute(
                update(WaterSystem)
                .where(WaterSystem.code == code)
                .values(
                    status=colour,
                    status_evidence=evidence,
                    status_evidence_at=None if colour == "grey" else now,
                    status_reason=None if colour == "grey" else f"prueba {colour}",
                    status_updated_at=now,
                )
            )
        session.commit()
    try:
        yield
    finally:
        with Session(engine) as session:
            for code, row in before.items():
                session.execute(
                    update(WaterSystem)
                    .where(WaterSystem.code == code)
                    .values(
                        status=row[0],
                        status_evidence=row[1],
                        status_evidence_at=row[2],
                        status_reason=row[3],
                        status_updated_at=row[4],
                    )
                )
                system_id = session.scalar(select(WaterSystem.id).where(WaterSystem.code == code))
                session.execute(delete(StatusChange).where(StatusChange.system_id == system_id))
            session.commit()


def add_report(session: Session, system: WaterSystem, **values: Any) -> Report:
    """A report on ``system`` (not committed), with a public and a private update."""
    import secrets

    fields: dict[str, Any] = {
        "tracking_code": secrets.token_hex(4).upper(),
        "content_hash": "0" * 64,
        "category": "no_water",
        "description": XSS,
        "status": "validated",
        "geom": session.scalar(select(WaterSystem.geom).where(WaterSystem.id == system.id)),
        "system_id": system.id,
        "district_id": system.district_id,
        "reporter_contact": "vecina-secreta@example.org",
        "reporter_fingerprint": "f" * 64,
    }
    fields.update(values)
    report = Report(**fields)
    session.add(report)
    session.flush()
    session.add_all(
        [
            ReportUpdate(
                report_id=report.id,
                from_status="received",
                to_status="validated",
                actor_kind="provider",
                actor_name="JASS",
                note="Nota pública <i>visible</i>",
                is_public=True,
            ),
            ReportUpdate(
                report_id=report.id,
                to_status="validated",
                actor_kind="provider",
                note="nota interna privada",
                is_public=False,
            ),
        ]
    )
    session.flush()
    return report


@contextmanager
def committed_report(engine: Engine, code: str, **values: Any) -> Iterator[Report]:
    with Session(engine, expire_on_commit=False) as session:
        system = session.scalars(select(WaterSystem).where(WaterSystem.code == code)).one()
        report = add_report(session, system, **values)
        session.commit()
    try:
        yield report
    finally:
        with Session(engine) as session:
            session.execute(delete(Report).where(Report.id == report.id))
            session.commit()
