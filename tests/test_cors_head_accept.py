"""CORS on the read-only open-data routes (new ones too), HEAD on downloads, Accept q-values."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.ogc.negotiation import prefers_html
from tests.ogc_support import publish, use_publish_dir


@pytest.fixture
def published(session: Session, client: TestClient, tmp_path: Path) -> Path:
    directory = tmp_path / "publish"
    publish(session, directory)
    use_publish_dir(client, directory)
    return directory


@pytest.mark.parametrize(
    "path",
    [
        "/ogc/collections/water-systems/queryables",
        "/ogc/collections/water-systems/items?filter=population_served%20%3E%20100",
        "/ogc/collections/districts/tiles/WebMercatorQuad/0/0/0",
        "/ogc/tileMatrixSets/WebMercatorQuad",
        "/catalogue/dcat.jsonld",
        "/data.json",
        "/catalogue/iso19139/water-systems.xml",
        "/catalogue/dictionaries/reports.csv",
    ],
)
def test_open_data_reads_answer_cors(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://portal.example.org"})
    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = client.options(
        path.split("?")[0],
        headers={"Origin": "https://x.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers.get("access-control-allow-origin") == "*"


def test_writes_and_pages_get_no_cors(client: TestClient) -> None:
    page = client.get("/reportar", headers={"Origin": "https://x.example"})
    assert "access-control-allow-origin" not in page.headers


@pytest.mark.parametrize("name", ["water-systems.geojson", "districts.gpkg", "metadata.json"])
def test_head_on_downloads_gives_the_headers_without_the_body(
    client: TestClient, published: Path, name: str
) -> None:
    full = client.get(f"/downloads/{name}", headers={"Accept-Encoding": "identity"})
    head = client.head(f"/downloads/{name}", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    for header in ("etag", "last-modified", "content-type", "link", "content-length"):
        assert head.headers[header] == full.headers[header], header
    assert int(head.headers["content-length"]) == len(full.content)
    again = client.head(
        f"/downloads/{name}",
        headers={"If-None-Match": head.headers["etag"], "Accept-Encoding": "identity"},
    )
    assert again.status_code == 304
    assert client.head("/downloads/nothing.csv").status_code == 404


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("application/json", False),
        ("", False),
        ("*/*", False),
        ("application/json;q=0.5, text/html;q=0.9", True),
        ("text/html;q=0.4, application/geo+json", False),
        ("text/html;q=0, */*", False),
        ("text/*;q=0.8, application/*;q=0.9", False),
        ("text/*, application/*;q=0.9", True),
        ("text/html,*/*", True),
        ("*/*, application/json", False),
        ("application/json;q=oops, text/html;q=0.1", True),
    ],
)
def test_accept_q_values(accept: str, html: bool) -> None:
    assert prefers_html(accept) is html


def test_accept_decides_the_representation(client: TestClient) -> None:
    wanted_json = client.get(
        "/ogc/collections", headers={"Accept": "text/html;q=0.5, application/json"}
    )
    assert wanted_json.headers["content-type"].startswith("application/json")
    wanted_html = client.get(
        "/ogc/collections", headers={"Accept": "application/json;q=0.2, text/html"}
    )
    assert wanted_html.headers["content-type"].startswith("text/html")
