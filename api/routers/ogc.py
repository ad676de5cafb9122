"""OGC API - Features, mounted under ``/ogc`` (the map owns ``/``); see ``api.ogc``."""

from api.ogc.routes import router

__all__ = ["router"]
