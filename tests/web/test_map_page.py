"""The map page: Folium-rendered, Spanish first, nothing from a CDN, cached per data version."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from geodata.models import WaterSystem
from web.i18n import gettext_for
from web.map import build_map, render_parts
from web.pages import map_cache

ASSET_ATTR = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def local_only(html: str) -> list[str]:
    """Every src/href that leaves the service (anything not starting with / or #)."""
    return [url for url in ASSET_ATTR.findall(html) if not url.startswith(("/", "#", "?"))]


def test_map_page_is_spanish_by_default_and_states_the_rule(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="es">' in html
    assert "Leyenda" in html
    assert "Rojo: se encontraron bacterias fecales" in html
    assert "cloro por debajo de 0,3 mg/L" in html
    assert "L.map(" in html and "window.yakuMapInit(" in html
    assert "/static/vendor/leaflet/leaflet.js" in html


def test_map_page_embeds_no_system_and_loads_nothing_from_outside(client: TestClient) -> None:
    html = client.get("/").text
    assert local_only(html) == []
    assert "cdn" not in html.lower()
    assert "http://" not in html and "https://" not in html
    # systems come from /map/data per viewport: no system code is in the page
    assert "SIASAR-" not in html


def test_language_switch_is_remembered(client: TestClient) -> None:
    english = client.get("/?lang=en")
    assert '<html lang="en">' in english.text
    assert "Red: faecal bacteria" in english.text
    assert english.cookies.get("yaku_lang") == "en"
    again = client.get("/reportar")
    assert "Report a water problem" in again.text
    client.cookies.clear()
    assert "Reportar un problema con el agua" in client.get("/reportar").text


def test_map_is_cached_until_the_published_data_changes(
    client: TestClient, session: Session
) -> None:
    map_cache.clear()
    first = client.get("/")
    etag = first.headers["etag"]
    renders = map_cache.renders
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/").headers["etag"] == etag
    assert map_cache.renders == renders  # served from the cache

    code = session.scalars(select(WaterSystem.code).order_by(WaterSystem.id).limit(1)).one()
    session.execute(
        update(WaterSystem)
        .where(WaterSystem.code == code)
        .values(status="red", status_evidence="official", status_evidence_at="2026-01-01")
        .values(status_updated_at="2026-01-02")
    )
    session.flush()
    changed = client.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert map_cache.renders == renders + 1


def test_folium_map_uses_the_configured_base_layer_or_district_outlines() -> None:
    districts = {"type": "FeatureCollection", "features": []}
    bounds = (-79.7, -9.0, -76.9, -6.9)
    _ = gettext_for("es").gettext
    without = render_parts(build_map(districts, bounds, None, "", _, {}))
    assert "L.tileLayer" not in without.script
    assert "L.geoJson" in without.script and "L.control.layers" in without.script
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    with_tiles = render_parts(build_map(districts, bounds, tiles, "© OSM", _, {}))
    assert "L.tileLayer" in with_tiles.script and tiles in with_tiles.script
    assert "Mapa de fondo" in with_tiles.script and "Solo l" in with_tiles.script


def test_static_assets_come_from_the_service(client: TestClient) -> None:
    leaflet = client.get("/static/vendor/leaflet/leaflet.js")
    assert leaflet.status_code == 200 and "Leaflet" in leaflet.text[:400]
    assert client.get("/static/vendor/leaflet/leaflet.css").status_code == 200
    assert client.get("/static/map.js").status_code == 200
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and "yaku-reports" in worker.text
    assert client.get("/static/../routes.py").status_code == 404


def test_every_page_links_the_metadata_and_the_map_links_the_downloads(
    client: TestClient,
) -> None:
    for path in ("/", "/reportar?lang=en", "/seguimiento"):
        assert 'rel="describedby" href="/downloads/metadata.json"' in client.get(path).text
    # The legend travels as a JSON string inside the map script.
    for lang, label in (
        ("es", "Datos abiertos: descargas y licencias"),
        ("en", "Open data: downloads and licences"),
    ):
        html = client.get(f"/?lang={lang}").text
        assert f'\\u003ca href=\\"/downloads?f=html\\"\\u003e{label}\\u003c/a' in html
