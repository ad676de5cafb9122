"""What every page owes a person on a cheap phone: a meta description, the open data in the
footer, a language link whose name matches its text, and markers that differ by shape."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.web.citizen_support import system_with_provider
from web import markers

PAGES = ("/", "/reportar", "/seguimiento", "/buscar?q=poroto", "/?lang=en", "/reportar?lang=en")


def test_every_page_has_a_description_the_open_data_and_an_honest_language_link(
    client: TestClient, session: Session
) -> None:
    system = system_with_provider(session)
    for path in (*PAGES, f"/sistemas/{system.code}", "/sistemas/NOPE", "/seguimiento/ZZZZ"):
        html = client.get(path).text
        description = re.search(r'<meta name="description" content="([^"]{40,})">', html)
        assert description, path
        footer = html.split('<footer class="foot">', 1)[1].split("</footer>", 1)[0]
        assert 'href="/downloads?f=html"' in footer, path
        link = re.search(r'<a href="[^"]*\?lang=(en|es)"[^>]*>(.*?)</a>', html)
        assert link and "aria-label" not in link.group(0), path
        visible, hidden = re.match(
            r"(\w+)<span class=\"visually-hidden\"> \((.+)\)</span>", link.group(2)
        ).groups()
        assert visible in ("EN", "ES") and hidden in ("English", "Español")


def test_each_status_has_its_own_shape_and_sign() -> None:
    shapes = {status: markers.SHAPES[status] for status in ("green", "yellow", "red", "grey")}
    names = {s.name for s in shapes.values()} | {markers.ALERT.name}
    signs = {s.sign for s in shapes.values()}
    assert len(names) == 5 and len(signs) == 4
    assert len({s.path for s in shapes.values()} | {markers.ALERT.path}) == 5
    assert markers.config()["alert"]["name"] == "bubble"


def test_the_map_page_has_search_near_me_and_shapes_in_the_legend(client: TestClient) -> None:
    html = client.get("/").text
    assert 'id="find-form"' in html and 'action="/buscar"' in html and 'id="find-near"' in html
    assert "Cerca de mí" in html and "Busca tu comunidad, sistema de agua o distrito" in html
    for shape in ("circle", "triangle", "octagon", "square", "bubble"):
        assert f"yaku-shape-{shape}" in html  # the legend, inside the map script
    assert '"zoomSnap": 0.25' in html
    assert "map-prefetch.js" in html and "map-find.js" in html


def test_the_search_page_without_javascript(client: TestClient) -> None:
    html = client.get("/buscar", params={"q": "cusmun"}).text
    assert 'href="/sistemas/SIASAR-160424"' in html
    assert "No se encontró nada" in client.get("/buscar", params={"q": "xqzwyv"}).text
