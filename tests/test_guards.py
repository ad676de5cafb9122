"""The request guard and the security headers, on every route the application has (present and
future routers alike: the routes are enumerated, not listed by hand)."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from api.guards import DEFAULT_BODY_LIMIT
from api.security import is_open_data
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.live_server import uvicorn_server

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def concrete(path: str) -> str:
    """A route's path with its parameters filled (``{code}`` -> ``X``; ``.{fmt}`` -> json)."""
    path = path.replace(".{fmt}", ".json")
    return re.sub(r"\{[^}]+\}", "X", path)


def all_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[set[str], str]]:
    """(methods, path) of every route, including included routers (any nesting)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from all_routes(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute | Route):
            yield set(route.methods or ()), prefix + route.path


def routes(client: TestClient, methods: set[str]) -> list[tuple[str, str]]:
    found = []
    for route_methods, path in all_routes(client.app.routes):  # type: ignore[attr-defined]
        for method in sorted(route_methods & methods):
            found.append((method, concrete(path)))
    return found


def test_every_write_route_refuses_a_body_over_its_limit(client: TestClient) -> None:
    writes = routes(client, UNSAFE)
    assert len(writes) >= 4  # intake, Open311, sign-in, sign-out (and what others add)
    big = b'{"x": "' + b"a" * (DEFAULT_BODY_LIMIT + 10) + b'"}'
    for method, path in writes:
        response = client.request(
            method, path, content=big, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413, (method, path, response.text)
        error = response.json()["error"]
        assert error["code"] == "body_too_large"
        assert "demasiado grande" in error["message"]  # Spanish by default


def test_every_write_route_refuses_text_plain_and_a_missing_content_type(
    client: TestClient,
) -> None:
    for method, path in routes(client, UNSAFE):
        for headers in ({"Content-Type": "text/plain"}, {}):
            response = client.request(method, path, content=b'{"a": 1}', headers=headers)
            assert response.status_code == 415, (method, path, headers, response.text)
            assert response.json()["error"]["code"] == "unsupported_content_type"


def test_intake_refuses_a_form_urlencoded_report(client: TestClient) -> None:
    response = client.post(
        "/api/v1/reports",
        content=b"category=leak",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://otra-pagina.example"},
        {"Origin": "null"},
    ],
)
def test_every_write_route_refuses_cross_site_browsers(
    client: TestClient, headers: dict[str, str]
) -> None:
    for method, path in routes(client, UNSAFE):
        response = client.request(
            method,
            path,
            content=b"--x--",
            headers={**headers, "Content-Type": "multipart/form-data; boundary=x"},
        )
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"]["code"] == "cross_site"


def test_same_origin_and_non_browser_writes_pass_the_guard(client: TestClient) -> None:
    for headers in (
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Origin": "http://testserver"},
        {},
    ):
        response = client.post("/api/v1/reports", json={}, headers=headers)
        assert response.status_code == 422, (headers, response.text)  # reached the route


@pytest.mark.parametrize("junk", ["%00", "%0d%0a", "%0A", "%1b", "%7f"])
def test_control_characters_in_any_path_or_query_give_400(client: TestClient, junk: str) -> None:
    reads = routes(client, {"GET"})
    assert len(reads) > 30
    for _, path in reads:
        for url in (f"{path}?x=1{junk}", f"{path.rstrip('/')}/{junk}" if "X" in path else None):
            if url is None:
                continue
            response = client.get(url)
            assert response.status_code == 400, (url, response.status_code)
            assert response.json()["error"]["code"] == "invalid_characters"


def test_offsets_beyond_what_postgresql_takes_are_refused(client: TestClient) -> None:
    for path in ("/api/v1/reports", "/api/v1/systems", "/api/v1/sources"):
        for offset in (2**31, 2**63, 2**64 + 5):
            response = client.get(f"{path}?offset={offset}")
            assert response.status_code == 400, (path, offset, response.text)
    response = client.get(f"/ogc/collections/water-systems/items?offset={2**63}")
    assert response.status_code == 400


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for _, path in [*routes(client, {"GET"}), ("GET", "/no-such-page")]:
        response = client.get(path)
        headers = response.headers
        assert "default-src 'self'" in headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "'unsafe-inline'" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_cors_is_answered_on_read_only_open_data_only(client: TestClient) -> None:
    origin = {"Origin": "https://visor.example"}
    open_data = [p for _, p in routes(client, {"GET"}) if is_open_data(p)]
    others = [p for _, p in routes(client, {"GET"}) if not is_open_data(p)]
    assert len(open_data) > 15 and "/api/v1/auth/me" in others and "/" in others
    for path in open_data:
        assert client.get(path, headers=origin).headers["access-control-allow-origin"] == "*"
    for path in others:
        assert "access-control-allow-origin" not in client.get(path, headers=origin).headers
    preflight = {**origin, "Access-Control-Request-Method": "GET"}
    answer = client.options("/ogc/collections/water-systems/items", headers=preflight)
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "POST" not in answer.headers["access-control-allow-methods"]
    write = {**origin, "Access-Control-Request-Method": "POST"}
    refused = client.options("/api/v1/reports", headers=write)
    assert "access-control-allow-origin" not in refused.headers
    posted = client.post("/api/v1/reports", json={}, headers={"Content-Type": "application/json"})
    assert "access-control-allow-origin" not in posted.headers


# --- over real HTTP: refused early, never read whole, connection never dropped -------------


@pytest.fixture(scope="module")
def server(engine: object) -> Iterator[tuple[str, int]]:
    env = {"YAKU_DATABASE_URL": TEST_DATABASE_URL, "YAKU_REDIS_URL": TEST_REDIS_URL}
    with uvicorn_server(env) as base:
        host, port = base.removeprefix("http://").split(":")
        yield host, int(port)


def raw_exchange(address: tuple[str, int], data: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and b'"error"' in b"".join(chunks):
                break
        return b"".join(chunks)


def test_a_300_mb_report_is_refused_from_its_content_length(server: tuple[str, int]) -> None:
    started = time.monotonic()
    head = (
        b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 314572800\r\n\r\n{"
    )
    answer = raw_exchange(server, head)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"demasiado grande" in answer
    assert time.monotonic() - started < 5  # answered without waiting for the body


def test_a_streamed_body_is_cut_off_once_past_its_limit(server: tuple[str, int]) -> None:
    chunk = b"a" * 16384
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(8))  # 128 KiB
    request = (
        b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + body
    )
    answer = raw_exchange(server, request)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


@pytest.mark.parametrize("tail", [b"%0D%0A", b"%0d", b"%0A"])
def test_a_bbox_ending_in_cr_lf_gets_a_400_not_a_dropped_connection(
    server: tuple[str, int], tail: bytes
) -> None:
    for path in (b"/map/data?zoom=8&bbox=-79,-9,-77,-7", b"/map/reports?bbox=-79,-9,-77,-7"):
        answer = raw_exchange(server, b"GET %s%s HTTP/1.1\r\nHost: x\r\n\r\n" % (path, tail))
        assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
