"""Compliance in the open data: the OGC water-systems and districts collections and the published
downloads carry each system's last-month figures and its freshness, aggregated, with no staff
data (who measured is never a person, and no account appears anywhere)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.evidence import compliance
from geodata.evidence.readings import ReadingIn, RoundIn, record_round
from geodata.models import AdminArea, Role, SamplePoint
from geodata.reports.aggregation import aggregate_for_subjects
from tests.account_factories import staff
from tests.evidence.support import jass_systems
from tests.ogc_support import publish


def test_collections_and_downloads_show_last_month_compliance(
    session: Session, client: TestClient, tmp_path: Path
) -> None:
    system = jass_systems(session, 1)[0]
    health = staff(session, Role.HEALTH)
    month = compliance.last_complete_month(datetime.now(UTC))
    days = [datetime(month.year, month.month, d, 15, tzinfo=UTC) for d in range(1, 11)]
    values = [0.6] * 9 + [0.25]  # 90 %, but one below 0.3
    record_round(
        session,
        health.scope(session),
        RoundIn(
            system.code,
            [
                ReadingIn(SamplePoint.NETWORK, at, [{"parameter": "free_chlorine", "value": v}])
                for at, v in zip(days, values, strict=True)
            ],
        ),
        actor=health.account.email or "",
        account_id=health.account.id,
    )
    aggregate_for_subjects(session, [system.id])
    item = client.get(f"/ogc/collections/water-systems/items/{system.code}").json()
    props = item["properties"]
    assert props["compliance_month"] == month.isoformat()
    assert (props["chlorine_samples"], props["chlorine_samples_below_03"]) == (10, 1)
    assert props["chlorine_share_at_least_05"] == 0.9
    assert props["chlorine_rule_met"] is False and props["complies_ds031"] is False
    assert props["enough_chlorine_samples"] is True and props["faecal_indicator_found"] is False
    assert props["last_official_reading_at"].startswith(days[-1].date().isoformat())
    ubigeo = session.scalar(select(AdminArea.ubigeo_inei).where(AdminArea.id == system.district_id))
    district = client.get(f"/ogc/collections/districts/items/{ubigeo}").json()["properties"]
    assert district["compliance_month"] == month.isoformat()
    assert (district["systems_sampled"], district["chlorine_samples"]) == (1, 10)
    assert district["systems_chlorine_ok"] == 0
    assert district["systems_without_recent_official_reading"] >= district["systems"] - 1
    email = health.account.email or ""
    assert email and email not in client.get("/ogc/collections/water-systems/items?limit=500").text

    directory = tmp_path / "publish"
    publish(session, directory)
    rows = list(csv.DictReader(io.StringIO((directory / "water-systems.csv").read_text())))
    mine = next(r for r in rows if r["code"] == system.code)
    assert mine["chlorine_samples"] == "10" and mine["compliance_month"] == month.isoformat()
    for path in directory.iterdir():
        if path.suffix in (".csv", ".geojson", ".json"):
            assert email not in path.read_text(errors="replace"), path.name
