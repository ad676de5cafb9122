"""No personal data of a reporter on any dashboard page or CSV, once the dashboards count
reports that carry a name, phone, e-mail, device key, fingerprint and photo paths (the same
private reports as ``tests/test_privacy.py``, received this week so every figure counts them)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.dashboards.refresh import refresh
from geodata.evidence.fields import PERU
from geodata.models import AdminArea, ReportCategory, ReportStatus, WaterSystem
from tests.ogc_support import add_report
from tests.test_privacy import CITIZEN_TYPED_CONTACT, TYPED_CONTACTS, find_secrets

FIGURES = ("colores", "reportes", "tiempos", "abiertos", "cloro")


def test_dashboards_show_no_private_field(client: TestClient, session: Session) -> None:
    now = datetime.now(UTC)
    received = now - timedelta(days=2)
    reports = [
        add_report(session, status, received_at=received, **extra)  # type: ignore[arg-type]
        for status, extra in (
            (ReportStatus.VALIDATED, {}),
            (ReportStatus.ACKNOWLEDGED, {"with_geometry": False}),
            (ReportStatus.CLOSED, {"category": ReportCategory.LEAK}),
            (ReportStatus.RECEIVED, {}),
            (ReportStatus.REJECTED, {}),
            (ReportStatus.VALIDATED, {"description": CITIZEN_TYPED_CONTACT}),
        )
    ]
    refresh(session, now=now)
    district, province = session.execute(
        select(AdminArea.ubigeo_inei, AdminArea.parent_id)
        .join(WaterSystem, WaterSystem.district_id == AdminArea.id)
        .where(WaterSystem.code == "SIASAR-160421")
    ).one()
    province_ubigeo = session.get(AdminArea, province).ubigeo_inei  # type: ignore[union-attr]
    month = received.astimezone(PERU).strftime("%Y-%m")
    paths = [
        "/tablero",
        f"/tablero/provincia/{province_ubigeo}",
        f"/tablero/distrito/{district}",
        f"/tablero/responsables?mes={month}",
        f"/tablero/responsables.csv?mes={month}",
        *(
            f"/tablero/datos/{u}/{f}.csv"
            for u in ("130000", province_ubigeo, district)
            for f in FIGURES
        ),
    ]
    secrets = [s for r in reports for s in r.secrets] + TYPED_CONTACTS
    counted = client.get(f"/tablero/datos/{district}/abiertos.csv").text
    own = next(csv.DictReader(io.StringIO(counted)))
    assert own["open_reports"] == "3"  # validated x2 + acknowledged are open and counted
    for path in paths:
        for lang in ("", "?lang=en" if "?" not in path else "&lang=en"):
            if path.endswith(".csv") and lang:
                continue
            response = client.get(path + lang)
            assert response.status_code == 200, path
            assert find_secrets(response.text, secrets) == [], path
            for report in reports:
                assert report.tracking_code not in response.text, path
