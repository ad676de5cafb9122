"""The ASGI application: routers of the API, the open-data endpoints and the web pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from api import queue
from api.errors import install_error_handlers
from api.routers import (
    accounts,
    admin_accounts,
    auth,
    catalog,
    desk,
    downloads,
    health,
    ogc,
    open311,
    readings,
    reports,
)
from web import accounts as web_accounts
from web import admin_accounts as web_admin_accounts
from web import answer_link as web_answer_link
from web import desk as web_desk
from web import evidence as web_evidence
from web import my_account as web_my_account
from web import routes as web_routes


def create_app() -> FastAPI:
    app = FastAPI(
        title="Yaku API",
        version="0.1.0",
        description=(
            "Mapa ciudadano del agua de La Libertad: sistemas y fuentes de agua, prestadores, "
            "reportes ciudadanos y datos abiertos. / Citizen water map of La Libertad, Peru."
        ),
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        openapi_url="/api/openapi.json",
    )
    queue.install()
    install_error_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.include_router(health.router)
    app.include_router(reports.router)
    app.include_router(readings.router)
    app.include_router(auth.router)
    app.include_router(accounts.router)
    app.include_router(admin_accounts.router)
    app.include_router(desk.router)
    app.include_router(catalog.router)
    app.include_router(ogc.router)
    app.include_router(downloads.router)
    app.include_router(open311.router)
    app.include_router(web_evidence.router)
    app.include_router(web_routes.router)
    app.include_router(web_accounts.router)
    app.include_router(web_my_account.router)
    app.include_router(web_admin_accounts.router)
    app.include_router(web_desk.router)
    app.include_router(web_answer_link.router)
    app.mount("/static", web_routes.static_app(), name="static")
    return app


app = create_app()
