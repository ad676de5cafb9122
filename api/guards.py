"""What every request must pass before any route runs, for every router present and future.

One pure ASGI middleware (cheap: no per-request Request object on the happy path) refuses:

* control characters (NUL, CR, LF...) in the path or the query string: 400. No route, header
  or SQL parameter ever sees them;
* unsafe methods (POST, PUT, PATCH, DELETE) sent by a browser from another site (the
  ``Sec-Fetch-Site`` header, else ``Origin``): 403. Clients that are not browsers send
  neither and are unaffected; signed-in browsers also need their CSRF token (``api/auth.py``);
* a body in any other type than ``BODY_TYPES`` (``text/plain``, none...): 415, so a web page
  cannot post a "simple" cross-site request that the API would parse;
* a body larger than its route's limit (``BodyLimit`` rules, else ``DEFAULT_BODY_LIMIT``):
  413 from ``Content-Length`` before anything is read, or as soon as the streamed bytes pass
  the limit, so an oversized body is never read whole.

A route that needs a larger body adds a ``BodyLimit`` to ``body_limits()``; nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from geodata.errors import AppError, InvalidInput, PayloadTooLarge
from geodata.settings import Settings, get_settings

KIB = 1024
DEFAULT_BODY_LIMIT = 64 * KIB
MULTIPART_OVERHEAD = 256 * KIB  # form fields and part headers beside the photo
INBOUND_WHATSAPP_LIMIT = DEFAULT_BODY_LIMIT  # Meta posts one or a few messages per request
INBOUND_SMS_LIMIT = 32 * KIB  # one SMS (or flow step) with the gateway's fields
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# application/x-www-form-urlencoded: Open311 GeoReport v2 posts it, and so do plain HTML forms
# (same-origin, with their CSRF field). Cross-site ones are refused by the origin check.
BODY_TYPES = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")
_CONTROL_IN_QUERY = re.compile(rb"[\x00-\x1f\x7f]|%(?:[01][0-9a-fA-F]|7[fF])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InvalidCharacters(InvalidInput):
    code = "invalid_characters"
    message = "The address contains control characters."


class CrossSiteRequest(AppError):
    status_code = 403
    code = "cross_site"
    message = "Requests from other websites are not accepted; use the form on this site."


class UnsupportedBody(AppError):
    status_code = 415
    code = "unsupported_content_type"
    message = "Send the body as application/json or multipart/form-data."


class BodyTooLarge(PayloadTooLarge):
    code = "body_too_large"
    message = "The request is too large (at most {kb} KB)."


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """``path`` (exact) and ``method`` take bodies up to ``limit`` bytes; ``multipart`` (if
    given) for multipart/form-data bodies, refused with ``error`` (default ``BodyTooLarge``)."""

    method: str
    path: str
    limit: int
    multipart: int | None = None
    error: Callable[[int], AppError] | None = None

    def for_type(self, content_type: str) -> int:
        if self.multipart is not None and content_type.startswith("multipart/form-data"):
            return self.multipart
        return self.limit


def photo_too_large(max_photo_bytes: int) -> Callable[[int], AppError]:
    def error(_limit: int) -> AppError:
        return PayloadTooLarge(
            "The photo is larger than {mb} MB.", mb=f"{max_photo_bytes / 2**20:g}"
        )

    return error


def body_limits(settings: Settings) -> list[BodyLimit]:
    """Routes allowed more than ``DEFAULT_BODY_LIMIT``. A report's JSON fits in the default
    (4,000 characters of description, even if every one is escaped as \\uXXXX); with a photo
    it may carry ``max_photo_bytes``. A laboratory's results file may carry
    ``max_lab_file_bytes``, through the API and the desk's upload page. The gateways'
    webhooks carry one message each (WhatsApp a few), well within the default."""
    photo = settings.max_photo_bytes + MULTIPART_OVERHEAD
    lab = settings.max_lab_file_bytes + MULTIPART_OVERHEAD
    return [
        BodyLimit("POST", "/api/v1/lab-results", DEFAULT_BODY_LIMIT, multipart=lab),
        BodyLimit("POST", "/desk/laboratorio", DEFAULT_BODY_LIMIT, multipart=lab),
        BodyLimit("POST", "/api/v1/inbound/whatsapp", INBOUND_WHATSAPP_LIMIT),
        BodyLimit("POST", "/api/v1/inbound/sms/twilio", INBOUND_SMS_LIMIT),
        BodyLimit("POST", "/api/v1/inbound/sms/flow", INBOUND_SMS_LIMIT),
        BodyLimit(
            "POST",
            "/api/v1/reports",
            DEFAULT_BODY_LIMIT,
            multipart=photo,
            error=photo_too_large(settings.max_photo_bytes),
        ),
    ]


def _too_large(limit: int, rule: BodyLimit | None, content_type: str) -> AppError:
    if rule is not None and rule.error is not None and content_type.startswith("multipart/"):
        return rule.error(limit)
    return BodyTooLarge(kb=f"{limit / KIB:g}")


class BodyRefused(StarletteHTTPException):
    """Raised from ``receive`` when the streamed body passes its limit. An HTTPException, so
    FastAPI's body parsing lets it through (it turns other errors into a 400); rendered by
    ``body_refused_handler`` as the AppError it carries."""

    def __init__(self, error: AppError) -> None:
        super().__init__(status_code=error.status_code)
        self.error = error


async def body_refused_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyRefused)
    response = error_response(request, exc.error)
    response.headers["Connection"] = "close"
    return response


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _is_cross_site(scope: Scope, own_hosts: frozenset[str]) -> bool:
    fetch_site = _header(scope, b"sec-fetch-site")
    if fetch_site is not None:
        # "none": typed in the address bar or a bookmark; "same-origin": our own pages.
        return fetch_site not in ("same-origin", "none")
    origin = _header(scope, b"origin")
    if origin is None:
        return False  # not a browser, or an old one (which sends Referer-only forms)
    host = urlsplit(origin).netloc.lower() if origin != "null" else ""
    return host not in own_hosts | {(_header(scope, b"host") or "").lower()}


class RequestGuard:
    def __init__(self, app: ASGIApp, settings: Settings | None = None) -> None:
        self.app = app
        settings = settings or get_settings()
        self.rules = {(r.method, r.path): r for r in body_limits(settings)}
        self.own_hosts = frozenset({urlsplit(settings.base_url).netloc.lower()})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _CONTROL.search(scope["path"]) or _CONTROL_IN_QUERY.search(scope["query_string"]):
            await self._refuse(scope, receive, send, InvalidCharacters())
            return
        method = scope["method"]
        if method not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        if _is_cross_site(scope, self.own_hosts):
            await self._refuse(scope, receive, send, CrossSiteRequest())
            return
        content_type = (_header(scope, b"content-type") or "").lower()
        length_header = _header(scope, b"content-length")
        has_body = _header(scope, b"transfer-encoding") is not None or length_header not in (
            None,
            "0",
        )
        if has_body and not _accepted_type(content_type):
            await self._refuse(scope, receive, send, UnsupportedBody())
            return
        rule = self.rules.get((method, scope["path"]))
        limit = rule.for_type(content_type) if rule else DEFAULT_BODY_LIMIT
        if length_header is not None and (
            not length_header.isdigit() or int(length_header) > limit
        ):
            await self._refuse(scope, receive, send, _too_large(limit, rule, content_type))
            return
        await self._limited(scope, receive, send, limit, _too_large(limit, rule, content_type))

    async def _limited(
        self, scope: Scope, receive: Receive, send: Send, limit: int, error: AppError
    ) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyRefused(error)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyRefused as refused:
            if started:
                raise
            await self._refuse(scope, receive, send, refused.error)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, error: AppError) -> None:
        response = error_response(Request(scope), error)
        if scope["method"] in UNSAFE_METHODS:
            # The body was not read: the connection cannot carry another request.
            response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _accepted_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip()
    return media_type in BODY_TYPES or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def install(app: Any) -> None:
    """Add the guard (call before the security headers, so that its refusals carry them)."""
    app.add_middleware(RequestGuard)
    app.add_exception_handler(BodyRefused, body_refused_handler)
