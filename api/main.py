"""The ASGI application: routers of the API, the open-data endpoints and the web pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from api import queue
from api.errors import install_error_handlers
from api.routers import auth, catalog, citizen, downloads, health, ogc, open311, reports
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
    app.include_router(auth.router)
    app.include_router(catalog.router)
    app.include_router(citizen.router)
    app.include_router(ogc.router)
    app.include_router(downloads.router)
    app.include_router(open311.router)
    app.include_router(web_routes.router)
    app.mount("/static", web_routes.static_app(), name="static")
    return app


app = create_app()
