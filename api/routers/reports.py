"""Citizen reports: intake (JSON or multipart with a photo), tracking, public listing.

Intake commits first (one autocommitted INSERT) and enqueues validation after, through an
in-process outbox that batches ids and sends them from a background thread: the request never
waits on Redis. If Redis is down the send fails fast, the reports stay ``received`` and the
periodic sweep (``reports.sweep``) hands them to a worker later. Nothing is lost either way.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from api.deps import LanguageDep, SessionDep
from api.errors import request_language
from api.intake import (
    FORM_FIELDS,
    Intake,
    get_intake,
    intake_pool,
    new_report,
    parse_json,
    parse_multipart,
    store_report_photo,
)
from api.queue import enqueue_validation
from api.schemas.reports import IDEMPOTENCY_KEY_PATTERN, ReportIn
from api.schemas.responses import JSON
from geodata.bbox import parse_bbox
from geodata.errors import InvalidInput, NotFound
from geodata.models import ReportCategory, ReportStatus
from geodata.reports import queries
from geodata.settings import get_settings

log = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    yield
    await intake_pool().close()


router = APIRouter(prefix="/api/v1/reports", tags=["reports"], lifespan=_lifespan)


@router.post(
    "",
    summary="Send a report (JSON, or multipart/form-data with an optional photo)",
    status_code=201,
    response_class=JSON,
    responses={
        200: {"description": "Same idempotency key and content: the stored report."},
        409: {"description": "Idempotency key already used for a different report."},
        413: {"description": "Photo too large."},
        415: {"description": "The photo is not an image."},
    },
    openapi_extra={
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                "description": "Client-generated key: a retry with the same key and content "
                "returns the stored report; different content gives 409.",
            }
        ],
        "requestBody": {
            "content": {
                "application/json": {"schema": ReportIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            **{f: {"type": "string"} for f in FORM_FIELDS},
                            "lon": {"type": "number"},
                            "lat": {"type": "number"},
                            "location_code": {"type": "string"},
                            "measurements": {"type": "string", "description": "JSON list"},
                            "photo": {"type": "string", "format": "binary"},
                        },
                        "required": ["category"],
                    }
                },
            },
            "required": True,
        },
    },
)
async def create_report(request: Request) -> JSON:
    """Committed first (status ``received``), then handed to validation.

    The hot path takes no FastAPI dependencies (each costs time per request); the intake is
    looked up here so tests can still swap it through ``dependency_overrides[get_intake]``.
    """
    settings = get_settings()
    found = request.app.dependency_overrides.get(get_intake, get_intake)()
    intake: Intake = await found if inspect.isawaitable(found) else found
    idempotency_key = request.headers.get("idempotency-key")
    photo: bytes | None = None
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        payload, photo = await parse_multipart(request, settings.max_photo_bytes)
    else:
        payload = parse_json(await request.body())
    if idempotency_key is not None:
        if payload.idempotency_key not in (None, idempotency_key):
            raise InvalidInput("The Idempotency-Key header and the body's key differ.")
        if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, idempotency_key):
            raise InvalidInput("The idempotency key must be 8 to 100 letters, digits or ._:-")
        payload = payload.model_copy(update={"idempotency_key": idempotency_key})
    stored = await run_in_threadpool(store_report_photo, photo) if photo else None
    client = request.client.host if request.client else None
    accepted = await intake.submit(new_report(payload, stored, request_language(request), client))
    if accepted.created:
        enqueue_validation(accepted.id)
    url = f"/api/v1/reports/{accepted.tracking_code}"
    return JSON(
        {
            "tracking_code": accepted.tracking_code,
            "status": accepted.status.value,
            "received_at": accepted.received_at.isoformat(),
            "url": url,
        },
        status_code=201 if accepted.created else 200,
        headers={"Location": url},
    )


# --- reading -----------------------------------------------------------------------------------


@router.get("", summary="Public list of reports", response_class=JSON)
def list_reports(
    session: SessionDep,
    language: LanguageDep,
    bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat")] = None,
    status: ReportStatus | None = None,
    category: ReportCategory | None = None,
    district: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSON:
    page = queries.list_reports(
        session,
        bbox=parse_bbox(bbox),
        status=status,
        category=category,
        district=district,
        since=since,
        limit=limit,
        offset=offset,
        language=language,
    )
    for item in page.items:
        _add_photo_urls(item)
    return JSON(
        {"items": page.items, "total": page.total, "limit": page.limit, "offset": page.offset}
    )


def _add_photo_urls(item: dict[str, Any]) -> None:
    base = f"/api/v1/reports/{item['tracking_code']}"
    has_photo = item.pop("has_photo")
    item["photo_url"] = f"{base}/photo" if has_photo else None
    item["thumbnail_url"] = f"{base}/thumbnail" if has_photo else None


@router.get("/{code}", summary="Public status of one report", response_class=JSON)
def get_report(code: str, session: SessionDep, language: LanguageDep) -> JSON:
    item = queries.report_by_code(session, code, language)
    _add_photo_urls(item)
    return JSON(item)


def _media_file(session: Session, code: str, thumbnail: bool) -> FileResponse:
    photo, thumb = queries.report_photo_paths(session, code)
    relative = thumb if thumbnail else photo
    if relative is None:
        raise NotFound()
    path = (get_settings().media_dir / relative).resolve()
    if not path.is_file():
        raise NotFound()
    return FileResponse(path, media_type="image/jpeg")


@router.get("/{code}/photo", summary="The report's photo (metadata stripped)")
def get_photo(code: str, session: SessionDep) -> FileResponse:
    return _media_file(session, code, thumbnail=False)


@router.get("/{code}/thumbnail", summary="The report's thumbnail")
def get_thumbnail(code: str, session: SessionDep) -> FileResponse:
    return _media_file(session, code, thumbnail=True)
