"""Liveness and dependencies: database, PostGIS, Redis and whether a Celery worker answers."""

from __future__ import annotations

from typing import Any

import redis
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api import queue
from api.contract import media
from geodata.database import get_sessionmaker, postgis_version
from geodata.settings import get_settings

router = APIRouter(tags=["health"])
HEALTH = {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}


def _database() -> dict[str, Any]:
    try:
        with get_sessionmaker()() as session:
            session.execute(text("SELECT 1"))
            return {"ok": True, "postgis": postgis_version(session)}
    except SQLAlchemyError as exc:
        return {"ok": False, "error": type(exc).__name__}


def _redis() -> dict[str, Any]:
    try:
        client = redis.Redis.from_url(str(get_settings().redis_url), socket_timeout=1)
        client.ping()
        return {"ok": True, "version": client.info("server").get("redis_version")}
    except redis.RedisError as exc:
        return {"ok": False, "error": type(exc).__name__}


def _worker(redis_ok: bool) -> dict[str, Any]:
    if not redis_ok:
        return {"ok": False, "workers": []}
    try:
        names = queue.workers_answering(timeout=1.0)
    except Exception as exc:  # any broker failure means no worker answered
        return {"ok": False, "workers": [], "error": type(exc).__name__}
    return {"ok": bool(names), "workers": names}


@router.get(
    "/health",
    summary="Service health",
    responses={
        200: media("Every dependency answers.", "application/json", schema=HEALTH),
        503: media(
            "The database or Redis is down (the body says which).",
            "application/json",
            schema=HEALTH,
        ),
    },
)
def health() -> JSONResponse:
    database = _database()
    redis_state = _redis()
    worker = _worker(redis_state["ok"])
    healthy = database["ok"] and redis_state["ok"]
    body = {
        "status": "ok" if healthy and worker["ok"] else ("degraded" if healthy else "down"),
        "database": database,
        "redis": redis_state,
        "worker": worker,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
