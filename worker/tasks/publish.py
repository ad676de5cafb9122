"""Publish the open-data downloads (GeoJSON, CSV, GeoPackage, WPdx CSV, metadata.json).

Runs on the beat schedule and after every full aggregation (``aggregate.recompute_all`` enqueues
it). Idempotent: unchanged collections keep their files; every write is temp file + rename. The
same work is available without Celery as ``geodata.opendata.publish.publish_downloads``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import OperationalError

from geodata import jobs
from geodata.database import session_scope
from geodata.opendata.publish import publish_downloads
from geodata.settings import get_settings
from geodata.storage import publish_store
from worker.app import celery_app


@celery_app.task(
    name=jobs.PUBLISH_DOWNLOADS,
    acks_late=True,
    autoretry_for=(OperationalError,),  # database restarting: try again shortly
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=5,
)
def publish_downloads_task() -> dict[str, Any]:
    settings = get_settings()
    with session_scope() as session:
        result = publish_downloads(
            session, settings.publish_dir, settings.base_url, store=publish_store()
        )
    return {
        "directory": str(result.directory),
        "written": result.written,
        "unchanged": len(result.unchanged),
    }
