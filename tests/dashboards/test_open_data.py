"""The district's dashboard figures in the OGC ``districts`` collection and in the downloads,
against the figures computed by hand; the collection keeps its earlier properties."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geodata.dashboards.refresh import refresh
from tests.dashboards import scenario as sc
from tests.ogc_support import publish, use_publish_dir

EARLIER = (
    "ubigeo", "name", "systems", "green", "yellow", "red", "grey", "share_green", "share_red",
    "open_reports", "median_hours_to_acknowledge", "systems_compliant", "chlorine_samples",
)  # fmt: skip


@pytest.fixture
def built(session: Session) -> sc.Scenario:
    built = sc.build(session)
    refresh(session, now=built.now)
    return built


def check(properties: dict[str, object], s: sc.Scenario) -> None:
    expected = sc.expected_summary(s)
    chlorine = sc.expected_chlorine()

    def num(value: object) -> float | None:
        return None if value in (None, "") else float(value)  # type: ignore[arg-type]

    assert int(properties["overdue_reports"]) == expected["overdue_reports"]  # type: ignore[call-overload]
    assert int(properties["reports_received_12m"]) == expected["received_reports"]  # type: ignore[call-overload]
    for ours, theirs in (
        ("hours_to_acknowledge_median_12m", "hours_to_acknowledge_median"),
        ("hours_to_acknowledge_p90_12m", "hours_to_acknowledge_p90"),
        ("hours_to_resolve_median_12m", "hours_to_resolve_median"),
        ("hours_to_resolve_p90_12m", "hours_to_resolve_p90"),
    ):
        assert num(properties[ours]) == pytest.approx(expected[theirs], abs=1e-3), ours
    assert num(properties["share_grey"]) == pytest.approx(
        expected["grey"] / expected["systems"], abs=1e-3
    )
    assert int(properties["chlorine_readings_last_month"]) == chlorine["chlorine_samples"]  # type: ignore[call-overload]
    assert num(properties["chlorine_share_at_least_05_last_month"]) == pytest.approx(0.8)
    for name in EARLIER:
        assert name in properties, name


def test_ogc_district_feature_carries_the_dashboard_figures(
    client: TestClient, built: sc.Scenario
) -> None:
    response = client.get(f"/ogc/collections/districts/items/{built.district_ubigeo}")
    assert response.status_code == 200
    check(response.json()["properties"], built)


def test_districts_download_carries_the_same_figures(
    session: Session, client: TestClient, built: sc.Scenario, tmp_path: Path
) -> None:
    publish(session, tmp_path)
    use_publish_dir(client, tmp_path)
    raw = (tmp_path / "districts.csv.gz").read_bytes()
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8"))))
    [row] = [r for r in rows if r["ubigeo"] == built.district_ubigeo]
    check(row, built)
    served = client.get("/downloads/districts.csv")
    assert served.status_code == 200 and "hours_to_resolve_p90_12m" in served.text
