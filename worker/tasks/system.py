"""Housekeeping tasks."""

from __future__ import annotations

from worker.app import celery_app


@celery_app.task(name="system.ping")
def ping() -> str:
    return "pong"
