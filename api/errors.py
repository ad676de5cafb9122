"""One place renders every error: translated message, stable code, never a stack trace."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route, compile_path

from geodata.errors import AppError, DatabaseUnavailable, UnstorableInput
from geodata.i18n import normalize_language, translate

log = logging.getLogger(__name__)


def request_language(request: Request) -> str:
    return normalize_language(
        request.query_params.get("lang") or request.headers.get("accept-language")
    )


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def error_response(request: Request, exc: AppError) -> JSONResponse:
    """The one rendering of an AppError. Routes that must commit before failing (a failed
    sign-in is counted) return it instead of raising."""
    language = request_language(request)
    return JSONResponse(
        error_body(exc.code, exc.localized(language)),
        status_code=exc.status_code,
        headers=exc.response_headers() or None,
    )


async def app_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(request, exc)


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    language = request_language(request)
    details = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
            "message": str(err.get("msg", "")),
        }
        for err in exc.errors()
    ]
    message = translate("Some fields are missing or invalid.", language)
    # A malformed payload is 422; a bad query, path or header parameter is a bad request (400),
    # as the OGC and Open311 routes answer it.
    parameters = ("query", "path", "header", "cookie")
    in_body = any((err.get("loc") or ("body",))[0] not in parameters for err in exc.errors())
    return JSONResponse(
        error_body("invalid_input", message, details=details), status_code=422 if in_body else 400
    )


def _route_table(routes: list[Any], prefix: str = "") -> Iterator[tuple[re.Pattern[str], set[str]]]:
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _route_table(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Route) and route.methods:
            yield compile_path(prefix + route.path)[0], set(route.methods)


@lru_cache(maxsize=8)
def _routes_of(app: Any) -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    return tuple((regex, frozenset(methods)) for regex, methods in _route_table(app.routes))


def allowed_methods(request: Request) -> str:
    """Every method some route takes on this path (Starlette names only the first route's,
    where a GET and a POST on one path are two routes)."""
    methods = {m for regex, ms in _routes_of(request.app) if regex.match(request.url.path)
               for m in ms}  # fmt: skip
    return ", ".join(sorted(methods))


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    language = request_language(request)
    text = {404: "Not found.", 405: "Method not allowed."}.get(exc.status_code, str(exc.detail))
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request)
    return JSONResponse(
        error_body("http_error", translate(text, language)),
        status_code=exc.status_code,
        headers=headers or None,
    )


# Errors of the database that mean "not now" (unreachable, restarting, shutting down, a pool
# exhausted, a lock or serialization failure): 503 with Retry-After, never a 500. SQLAlchemy
# invalidates its pool on a disconnect, so the next request reconnects.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    PoolTimeout,
)
# Input PostgreSQL refuses as data (NUL in text, numbers out of range): the client's fault.
UNSTORABLE = (sa_exc.DataError, psycopg.DataError)


async def database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, UNSTORABLE):
        log.info("refused unstorable input on %s: %s", request.url.path, exc)
        return error_response(request, UnstorableInput())
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return error_response(request, DatabaseUnavailable())


async def unexpected_error_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    language = request_language(request)
    message = translate("Internal error. It was logged; please try again later.", language)
    return JSONResponse(error_body("internal_error", message), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    for error in (*DATABASE_UNAVAILABLE, *UNSTORABLE):
        app.add_exception_handler(error, database_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
