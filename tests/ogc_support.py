"""Shared helpers of the open-data tests: report rows with private data, publishing, a live server.

Reports are inserted straight through the model (not the intake pipeline, which another module
owns) so these tests do not depend on it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.models import Report, ReportCategory, ReportStatus, WaterSystem
from geodata.opendata.publish import PublishResult, publish_downloads
from geodata.spatial import point
from tests.live_server import uvicorn_server

BASE_URL = "http://testserver"


@dataclass(frozen=True)
class PrivateReport:
    """A report and the private strings that must never appear in public output."""

    tracking_code: str
    status: ReportStatus
    secrets: tuple[str, ...]


def add_report(
    session: Session,
    status: ReportStatus,
    *,
    category: ReportCategory = ReportCategory.NO_WATER,
    description: str = "No llega agua desde el lunes",
    received_at: datetime | None = None,
    system_code: str = "SIASAR-160421",
    with_geometry: bool = True,
) -> PrivateReport:
    token = uuid.uuid4().hex[:10]
    system = session.execute(
        select(WaterSystem).where(WaterSystem.code == system_code)
    ).scalar_one()
    lon, lat = -78.7386, -8.00815
    received = received_at or datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    name = f"Rosa Quispe {token}"
    phone = f"9{int(token, 16) % 10**8:08d}"
    email = f"rosa.{token}@correo-privado.pe"
    fingerprint = f"fp{token}devicehash"
    report = Report(
        tracking_code=f"T{token[:9].upper()}",
        idempotency_key=f"device-{token}-key",
        content_hash=uuid.uuid4().hex * 2,
        category=category,
        description=description,
        geom=point(lon, lat) if with_geometry else None,
        location_code=None if with_geometry else system_code,
        status=status,
        rejection_reason="spam" if status == ReportStatus.REJECTED else None,
        system_id=system.id,
        district_id=system.district_id,
        photo_path=f"private/{token}/photo.jpg",
        thumbnail_path=f"private/{token}/thumb.jpg",
        reporter_contact=f"{name}; tel {phone}; {email}",
        reporter_fingerprint=fingerprint,
        received_at=received,
        validated_at=None if status == ReportStatus.RECEIVED else received + timedelta(hours=1),
    )
    session.add(report)
    session.flush()
    secrets = (name, phone, email, fingerprint, f"device-{token}-key", f"private/{token}/photo.jpg")
    return PrivateReport(report.tracking_code, status, secrets)


def publish(session: Session, directory: Path) -> PublishResult:
    return publish_downloads(session, directory, BASE_URL)


def use_publish_dir(client: TestClient, directory: Path) -> None:
    from api.routers.downloads import publish_dir

    client.app.dependency_overrides[publish_dir] = lambda: directory  # type: ignore[attr-defined]


@contextmanager
def live_server(publish_dir: Path) -> Iterator[str]:
    """uvicorn on a free port against the test database; stopped when the block ends."""
    with uvicorn_server(
        {
            "YAKU_DATABASE_URL": os.environ["YAKU_DATABASE_URL"],
            "YAKU_REDIS_URL": os.environ["YAKU_REDIS_URL"],
            "YAKU_PUBLISH_DIR": str(publish_dir),
        },
        ready_path="/ogc",
    ) as url:
        yield url
