"""The ASGI application: routers of the API, the open-data endpoints and the web pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api import contract, guards, queue, security
from api.errors import install_error_handlers
from api.ogc import tiles as ogc_tiles
from api.routers import (
    accounts,
    admin_accounts,
    auth,
    catalog,
    citizen,
    desk,
    docs,
    downloads,
    health,
    inbound,
    notify,
    ogc,
    open311,
    opendata_catalogue,
    readings,
    reports,
)
from web import accounts as web_accounts
from web import admin_accounts as web_admin_accounts
from web import answer_link as web_answer_link
from web import dashboards as web_dashboards
from web import desk as web_desk
from web import evidence as web_evidence
from web import my_account as web_my_account
from web import notices as web_notices
from web import routes as web_routes
from web import subscriptions as web_subscriptions


class ReadCompression:
    """gzip for what is read (pages, map data, open data); writes answer a few bytes, and
    skipping the compressor's wrapper saves their hot path (intake) a little time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=1000)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def create_app() -> FastAPI:
    app = FastAPI(
        title="Yaku API",
        version="0.1.0",
        description=(
            "Mapa ciudadano del agua de La Libertad: sistemas y fuentes de agua, prestadores, "
            "reportes ciudadanos y datos abiertos. / Citizen water map of La Libertad, Peru."
        ),
        docs_url=None,  # api/routers/docs.py: Swagger UI from the service, no CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    queue.install()
    install_error_handlers(app)
    # Middleware added last runs first: security headers on every response, then the request
    # guard (control characters, cross-site writes, body types and sizes), then compression.
    app.add_middleware(ReadCompression)
    guards.install(app)
    security.install(app)
    app.router.routes[:0] = reports.FAST_ROUTES  # the intake's hot path, before any router
    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(reports.router)
    app.include_router(readings.router)
    app.include_router(auth.router)
    app.include_router(accounts.router)
    app.include_router(admin_accounts.router)
    app.include_router(desk.router)
    app.include_router(catalog.router)
    app.include_router(citizen.router)
    app.include_router(ogc.router)
    app.include_router(ogc_tiles.router)
    app.include_router(downloads.router)
    app.include_router(opendata_catalogue.router)
    app.include_router(open311.router)
    app.include_router(inbound.router)
    app.include_router(web_evidence.router)
    app.include_router(web_dashboards.router)
    app.include_router(web_routes.router)
    app.include_router(web_accounts.router)
    app.include_router(web_my_account.router)
    app.include_router(web_admin_accounts.router)
    app.include_router(web_desk.router)
    app.include_router(web_answer_link.router)
    app.include_router(notify.router)
    app.include_router(web_notices.router)
    app.include_router(web_subscriptions.router)
    app.mount("/static", web_routes.static_app(), name="static")
    contract.install(app)
    return app


app = create_app()
