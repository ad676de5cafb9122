"""Security headers on every response, and CORS on the read-only open-data routes only.

Every response gets a Content-Security-Policy, ``X-Content-Type-Options: nosniff``, a frame
policy (no framing: ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), a referrer
policy that sends other sites the origin only (tile servers want a Referer; tracking codes in
our paths must not leak), and a permissions policy (the report form may use location and the
camera; nothing else).

The policy allows scripts and styles from this service only: pages load external files from
``/static`` and pass data in ``<script type="application/json">`` blocks, which are not run.
The one exception is the map page, whose script Folium generates per data version: it is
allowed by its SHA-256 hash (``content_security_policy(script_hashes=...)``), which suits a
page that is cached and answered with 304 (a nonce would have to change on every response).
A route that sets its own ``Content-Security-Policy`` header keeps it.

CORS (``Access-Control-Allow-Origin: *``, no credentials) is answered for GET/HEAD/OPTIONS on
``OPEN_DATA_PREFIXES`` only: never for a write, a signed-in route or a page.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geodata.settings import Settings, get_settings

OPEN_DATA_PREFIXES = (
    "/ogc",
    "/downloads",
    "/catalogue",
    "/data.json",
    "/open311/v2",
    "/api/v1/reports",
    "/api/v1/systems",
    "/api/v1/sources",
    "/api/v1/districts",
    "/api/v1/status-rule",
    "/api/v1/report-categories",
    "/api/v1/parameters",
)
CORS_METHODS = "GET, HEAD, OPTIONS"
CORS_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since, Range"
CORS_EXPOSED = "ETag, Link, Location, Content-Crs, Content-Disposition, Last-Modified"


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _tile_source(tile_url: str | None) -> str:
    """``https://{s}.tile.example.org/{z}/{x}/{y}.png`` -> ``https://*.tile.example.org``."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url.replace("{s}", "x-subdomain"))
    host = parts.netloc.replace("x-subdomain", "*")
    return f"{parts.scheme}://{host}" if parts.scheme and host else ""


def content_security_policy(
    settings: Settings | None = None, script_hashes: Iterable[str] = ()
) -> str:
    settings = settings or get_settings()
    scripts = " ".join(["'self'", *script_hashes])
    images = " ".join(filter(None, ["'self'", "data:", "blob:", _tile_source(settings.tile_url)]))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(settings: Settings | None = None) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", content_security_policy(settings).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"permissions-policy", b"geolocation=(self), camera=(self), microphone=(), payment=()"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]


def is_open_data(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") or path.startswith(p + ".") for p in
               OPEN_DATA_PREFIXES)  # fmt: skip


class SecurityHeaders:
    """Adds the headers to every HTTP response (errors and refusals included)."""

    def __init__(self, app: ASGIApp, settings: Settings | None = None) -> None:
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if method == "OPTIONS" and is_open_data(path) and _preflight(scope):
            await self._preflight(scope, receive, send)
            return
        cors = method in ("GET", "HEAD") and is_open_data(path)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {key.lower() for key, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                if cors:
                    extra += [
                        (b"access-control-allow-origin", b"*"),
                        (b"access-control-expose-headers", CORS_EXPOSED.encode()),
                    ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _preflight(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = Response(status_code=204)
        headers = MutableHeaders(raw=response.raw_headers)
        for key, value in self.headers:
            headers[key.decode()] = value.decode()
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Allow-Methods"] = CORS_METHODS
        headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        headers["Access-Control-Max-Age"] = "86400"
        await response(scope, receive, send)


def _preflight(scope: Scope) -> bool:
    """A CORS preflight for a read (a preflight for a write gets no CORS answer)."""
    asked = next((v for k, v in scope["headers"] if k == b"access-control-request-method"), None)
    return asked is not None and asked.decode("latin-1").upper() in ("GET", "HEAD")


def install(app: Any) -> None:
    """Outermost middleware, so every response, refusals by the guard included, has them."""
    app.add_middleware(SecurityHeaders)
