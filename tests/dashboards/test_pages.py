"""The dashboard pages and their CSV files show the figures computed by hand."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geodata.dashboards.refresh import refresh
from geodata.models import Provider
from tests.dashboards import scenario as sc


@pytest.fixture
def built(session: Session) -> sc.Scenario:
    built = sc.build(session)
    refresh(session, now=built.now)
    return built


def csv_rows(client: TestClient, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}".rstrip("0").rstrip(".")


def test_district_page_says_and_shows_the_hand_figures(
    client: TestClient, built: sc.Scenario
) -> None:
    response = client.get(f"/tablero/distrito/{built.district_ubigeo}")
    assert response.status_code == 200
    page = response.text
    expected = sc.expected_summary(built)
    systems = expected["systems"]
    red_in_ten = round(expected["red"] / systems * 10)
    assert f"En {built.district_name}, " in page
    assert f"{red_in_ten} de cada 10 en rojo" in page
    assert (
        f"{expected['open_reports']} reportes están abiertos y "
        f"{expected['overdue_reports']} de ellos están atrasados" in page
    )
    median = round(expected["hours_to_acknowledge_median"])
    assert f"la mitad de los reportes fueron atendidos en {median} horas" in page
    # every figure has its chart, its table, its CSV link and its method
    assert page.count('<svg class="chart') == 5
    assert page.count("<table>") >= 5
    assert page.count(f'href="/tablero/datos/{built.district_ubigeo}/') == 5
    assert page.count("Cómo se cuenta:") == 6
    assert 'class="dash-map"' in page
    assert "<script>" not in page.replace(
        '<script src="/static/register-sw.js" defer></script>', ""
    )


def test_csv_files_hold_the_hand_figures(client: TestClient, built: sc.Scenario) -> None:
    base = f"/tablero/datos/{built.district_ubigeo}"
    weeks = {r["week"]: r for r in csv_rows(client, f"{base}/colores.csv")}
    assert len(weeks) == 52
    for week, row in weeks.items():
        expected = sc.expected_colours(built, date.fromisoformat(week))
        assert {k: int(row[k]) for k in expected} == expected
    reports = csv_rows(client, f"{base}/reportes.csv")
    got = {
        (date.fromisoformat(r["week"]), k): int(v)
        for r in reports
        for k, v in r.items()
        if k not in ("week", "total") and v != "0"
    }
    assert got == sc.expected_report_weeks(built)
    months = {date.fromisoformat(r["month"]): r for r in csv_rows(client, f"{base}/tiempos.csv")}
    for month, figures in sc.expected_months(built).items():
        for key, value in figures.items():
            assert months[month][key] == (number(value) if isinstance(value, float) else str(value))
    chlorine = {date.fromisoformat(r["month"]): r for r in csv_rows(client, f"{base}/cloro.csv")}
    row = chlorine[built.chlorine_month]
    assert {k: int(row[k]) for k in sc.expected_chlorine()} == sc.expected_chlorine()
    assert row["chlorine_share"] == "0.8"
    open_ = csv_rows(client, f"{base}/abiertos.csv")
    assert open_[0]["open_reports"] == str(sc.expected_summary(built)["open_reports"])


def test_bodies_page_and_csv(client: TestClient, session: Session, built: sc.Scenario) -> None:
    expected = sc.expected_bodies(built)
    for (provider_id, month), figures in expected.items():
        provider = session.get(Provider, provider_id)
        assert provider is not None
        rows = csv_rows(client, f"/tablero/responsables.csv?mes={month.strftime('%Y-%m')}")
        [row] = [r for r in rows if r["name"] == provider.name]
        for key in ("received", "due", "answered_in_time", "resolved"):
            assert row[key] == str(figures[key]), key
        assert row["hours_to_answer_median"] == number(figures["hours_to_answer_median"])
        page = client.get(f"/tablero/responsables?mes={month.strftime('%Y-%m')}")
        assert page.status_code == 200
        assert provider.name in page.text
        assert "Cómo se cuenta:" in page.text and '<svg class="chart' in page.text


def test_region_and_province_pages(client: TestClient, built: sc.Scenario) -> None:
    region = client.get("/tablero")
    assert region.status_code == 200 and "Tablero de La Libertad" in region.text
    links = re.findall(r'href="/tablero/provincia/(\d{6})"', region.text)
    assert len(set(links)) == 12
    province = client.get(f"/tablero/provincia/{links[0]}")
    assert province.status_code == 200 and "/tablero/distrito/" in province.text


def test_unknown_and_bad_areas(client: TestClient) -> None:
    assert client.get("/tablero/distrito/999999").status_code == 404
    assert client.get("/tablero/distrito/12").status_code == 400
    assert client.get("/tablero/datos/130101/nada.csv").status_code == 404
    assert client.get("/tablero/responsables?mes=1990-01").status_code == 400
    assert client.get("/tablero/responsables.csv?mes=1990-01").status_code == 400


def test_a_dashboard_weighs_at_most_150_kb_compressed(
    client: TestClient, built: sc.Scenario
) -> None:
    """First load: the page and every file it asks for, as the service compresses them."""
    page = client.get("/tablero", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("content-encoding") == "gzip"
    total = page.num_bytes_downloaded
    for asset in set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)):
        response = client.get(asset, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, asset
        total += response.num_bytes_downloaded
    assert total <= 150 * 1024
