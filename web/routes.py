"""Map and citizen pages: `/`, `/map/*` data for the viewport, `/buscar`, `/reportar`,
`/seguimiento`, `/sistemas/{code}`, the service worker, and the static files (own and from
``node_modules``)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Cookie, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Router
from starlette.staticfiles import StaticFiles

from api.deps import ReadSessionDep, SessionDep
from api.security import content_security_policy
from geodata import search
from geodata.bbox import BBox, parse_bbox
from geodata.models import WaterSource, WaterSystem
from geodata.reports.errors import SystemOrSourceNotFound
from geodata.settings import get_settings
from web import queries, records
from web.i18n import LANGUAGE_COOKIE, choose_language
from web.pages import (
    STATIC_DIR,
    category_labels,
    colour_labels,
    find_strings,
    map_cache,
    render,
    status_labels,
)

WEB_DIR = Path(__file__).resolve().parent
LEAFLET_DIST = WEB_DIR / "node_modules" / "leaflet" / "dist"
SWAGGER_UI_DIST = WEB_DIR / "node_modules" / "swagger-ui-dist"
DATA_MAX_AGE = 60
TRACKING_REFRESH_SECONDS = 10
OUTBOX_REFRESH_SECONDS = 15  # "my reports" on the form asks for their outcome this often

router = APIRouter(include_in_schema=False)

LangQuery = Annotated[str | None, Query(alias="lang", pattern="^(es|en)$")]
LangCookie = Annotated[str | None, Cookie(alias=LANGUAGE_COOKIE)]


class CachedStaticFiles(StaticFiles):
    """Static files with a day of browser caching (they also carry ETag/Last-Modified)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def static_app() -> Router:
    """``/static``: the pages' own assets, and Leaflet as installed by npm (never a CDN)."""
    return Router(
        routes=[
            Mount(
                "/vendor/leaflet",
                app=CachedStaticFiles(directory=LEAFLET_DIST, check_dir=False),
                name="leaflet",
            ),
            Mount(
                "/vendor/swagger-ui",
                app=CachedStaticFiles(directory=SWAGGER_UI_DIST, check_dir=False),
                name="swagger-ui",
            ),
            Mount("/", app=CachedStaticFiles(directory=STATIC_DIR), name="own"),
        ]
    )


def html_page(
    body: str, language: str, remember: bool, status_code: int = 200, etag: str | None = None
) -> HTMLResponse:
    response = HTMLResponse(body, status_code=status_code)
    response.headers["Vary"] = "Cookie"
    response.headers["Cache-Control"] = "no-cache"
    if etag:
        response.headers["ETag"] = etag
    if remember:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


def etag_of(*parts: object) -> str:
    """A strong ETag from already-parsed values, hashed: no header is ever built from raw
    request text (a bbox ending in CR/LF once broke the response)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def json_response(data: Any, request: Request, etag: str, max_age: int = DATA_MAX_AGE) -> Response:
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(orjson.dumps(data), media_type="application/json", headers=headers)


@router.get("/", response_class=HTMLResponse)
def map_page(
    request: Request, session: SessionDep, lang: LangQuery = None, cookie: LangCookie = None
) -> Response:
    language = choose_language(lang, cookie)
    rendered = map_cache.get_or_render(session, language)
    etag = f'"map-{rendered.version}-{language}"'
    # The page's inline scripts are allowed by hash; a 304 repeats the policy, since a
    # browser updates the cached page's headers from it.
    csp = {"Content-Security-Policy": content_security_policy(script_hashes=rendered.script_hashes)}
    if request.headers.get("if-none-match") == etag and lang is None:
        return Response(status_code=304, headers={"ETag": etag, "Vary": "Cookie", **csp})
    response = html_page(rendered.html, language, remember=lang is not None, etag=etag)
    response.headers.update(csp)
    return response


def _viewport(text: str) -> BBox:
    box = parse_bbox(text, clamp=True)
    assert box is not None
    return box


@router.get("/map/data")
def map_data(
    request: Request,
    session: ReadSessionDep,
    bbox: Annotated[str, Query(max_length=120)],
    zoom: Annotated[int, Query(ge=0, le=22)],
    layer: Annotated[str, Query(pattern="^(systems|sources)$")] = "systems",
) -> Response:
    """Systems or sources in the viewport: server-side clusters with colour counts, or points."""
    box = _viewport(bbox)
    version = queries.data_version(session)
    etag = etag_of(version, layer, zoom, box)
    if request.headers.get("if-none-match") == etag:
        return json_response(None, request, etag)
    model = WaterSystem if layer == "systems" else WaterSource
    return json_response(queries.viewport_features(session, model, box, zoom), request, etag)


@router.get("/map/reports")
def map_reports(
    request: Request, session: ReadSessionDep, bbox: Annotated[str, Query(max_length=120)]
) -> Response:
    box = _viewport(bbox)
    etag = etag_of(queries.data_version(session), "reports", box)
    return json_response(queries.open_reports_in(session, box), request, etag)


@router.get("/map/districts")
def map_districts(request: Request, session: ReadSessionDep) -> Response:
    """Simplified district outlines with colour counts (the base of the report form's map)."""
    etag = etag_of(queries.data_version(session), "districts")
    if request.headers.get("if-none-match") == etag:
        return json_response(None, request, etag)
    return json_response(queries.district_layer(session), request, etag, max_age=3600)


@router.get("/map/popup/{code}")
def map_popup(
    request: Request,
    session: ReadSessionDep,
    code: str,
    lang: LangQuery = None,
    cookie: LangCookie = None,
) -> Response:
    language = choose_language(lang, cookie)
    data = queries.popup_data(session, code, language)
    if data is None:
        raise SystemOrSourceNotFound()
    return json_response(
        data, request, etag_of(queries.data_version(session), code, language), max_age=30
    )


@router.get("/map/places")
def map_places(request: Request, session: ReadSessionDep) -> Response:
    """Provincial capitals and district label points: place names for a map without tiles."""
    etag = etag_of(queries.data_version(session), "places")
    if request.headers.get("if-none-match") == etag:
        return json_response(None, request, etag)
    return json_response(queries.map_places(session), request, etag, max_age=3600)


@router.get("/buscar", response_class=HTMLResponse)
def search_page(
    session: SessionDep,
    lang: LangQuery = None,
    cookie: LangCookie = None,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The search without JavaScript (the map's search box answers in place when it can)."""
    language = choose_language(lang, cookie)
    query = " ".join(q.split())
    found = search.search(session, query, 25) if len(query) >= 2 else search.Results([], False)
    body = render(
        "search.html",
        language,
        path="/buscar",
        query=query,
        items=found.items,
        more=found.more,
        colours=colour_labels(language),
        kinds=find_strings(language)["kinds"],
    )
    return html_page(body, language, remember=lang is not None)


@router.get("/reportar", response_class=HTMLResponse)
def report_form(
    session: SessionDep,
    lang: LangQuery = None,
    cookie: LangCookie = None,
    code: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    language = choose_language(lang, cookie)
    bounds = queries.region_bounds(session)
    body = render(
        "report.html",
        language,
        path="/reportar",
        code=code or "",
        categories=category_labels(language),
        statuses=status_labels(language),
        refresh_seconds=OUTBOX_REFRESH_SECONDS,
        bounds=bounds,
        tile_url=get_settings().tile_url,
        tile_attribution=get_settings().tile_attribution,
    )
    return html_page(body, language, remember=lang is not None)


@router.get("/seguimiento", response_class=HTMLResponse)
def tracking_lookup(
    lang: LangQuery = None,
    cookie: LangCookie = None,
    code: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    if code:
        target = f"/seguimiento/{records.normalize_code(code)}"
        return RedirectResponse(target, status_code=303)
    language = choose_language(lang, cookie)
    body = render("tracking.html", language, path="/seguimiento", report=None, code="")
    return html_page(body, language, remember=lang is not None)


@router.get("/seguimiento/{code}", response_class=HTMLResponse)
def tracking_page(
    request: Request,
    session: SessionDep,
    code: str,
    lang: LangQuery = None,
    cookie: LangCookie = None,
) -> Response:
    """The whole public timeline of one report; ``static/tracking.js`` asks again now and
    then (a 304 while nothing changed) so an answer appears by itself."""
    language = choose_language(lang, cookie)
    report = records.report_tracking(session, code, language)
    version = f"{report['updated_at'].timestamp():.6f}-{len(report['timeline'])}" if report else ""
    etag = f'"track-{version}-{language}"' if report else None
    if etag and request.headers.get("if-none-match") == etag and lang is None:
        return Response(status_code=304, headers={"ETag": etag, "Vary": "Cookie"})
    body = render(
        "tracking.html",
        language,
        path=f"/seguimiento/{code}",
        report=report,
        code=code,
        version=version,
        refresh_seconds=TRACKING_REFRESH_SECONDS,
        statuses=status_labels(language),
        categories=category_labels(language),
    )
    status = 200 if report else 404
    return html_page(body, language, lang is not None, status_code=status, etag=etag)


@router.get("/sistemas/{code}", response_class=HTMLResponse)
def system_page(
    session: SessionDep, code: str, lang: LangQuery = None, cookie: LangCookie = None
) -> Response:
    language = choose_language(lang, cookie)
    detail = records.system_detail(session, code, language)
    segments = records.history_segments(detail["history"]) if detail else []
    from web.evidence import system_compliance  # official evidence block (web/evidence.py)

    body = render(
        "system.html",
        language,
        path=f"/sistemas/{code}",
        detail=detail,
        compliance=system_compliance(session, detail["system"].id, language) if detail else None,
        code=code,
        segments=segments,
        statuses=status_labels(language),
        categories=category_labels(language),
    )
    return html_page(body, language, lang is not None, status_code=200 if detail else 404)


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """Served from the root so its scope covers every page."""
    return FileResponse(
        STATIC_DIR / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )
