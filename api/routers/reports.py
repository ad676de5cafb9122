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
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.routing import Route

from api import contract
from api.deps import BBoxQuery, LanguageDep, OffsetQuery, SessionDep
from api.errors import request_language
from api.intake import (
    Intake,
    get_intake,
    intake_body_kind,
    intake_pool,
    new_report,
    parse_json,
    parse_multipart,
    store_report_photo_async,
)
from api.queue import enqueue_validation
from api.ratelimit import intake_limiter
from api.schemas.reports import (
    CODE_PATTERN,
    IDEMPOTENCY_KEY_PATTERN,
    NO_NUL,
    ReportAccepted,
    ReportIn,
)
from api.schemas.responses import JSON
from api.stored import photo_response
from geodata.bbox import parse_bbox
from geodata.errors import InvalidInput
from geodata.models import ReportCategory, ReportStatus
from geodata.reports import queries
from geodata.reports.intake import reporter_identity
from geodata.settings import get_settings
from geodata.storage import media_store

log = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    yield
    await intake_pool().close()


router = APIRouter(prefix="/api/v1/reports", tags=["reports"], lifespan=_lifespan)
contract.register_model(ReportIn)
ACCEPTED = contract.register_model(ReportAccepted)
_FIELD = {"type": "string", "maxLength": 200, "pattern": NO_NUL}
# The same report as form fields: location split in lon/lat or location_code, measurements as
# a JSON part, an optional photo.
MULTIPART_REPORT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["category"],
    "properties": {
        "category": {"type": "string", "enum": [c.value for c in ReportCategory]},
        "description": {"type": "string", "maxLength": 4000, "pattern": NO_NUL},
        "contact": _FIELD,
        "device_id": _FIELD,
        "language": {"type": "string", "enum": ["es", "en", "qu"]},
        "idempotency_key": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "location_code": {
            "type": "string",
            "minLength": 1,
            "maxLength": 40,
            "pattern": CODE_PATTERN,
        },
        "measurements": {
            "type": "array",
            "maxItems": 20,
            "items": {"$ref": "#/components/schemas/MeasurementIn"},
        },
        "photo": {"type": "string", "format": "binary"},
    },
    "oneOf": [
        {"required": ["lon", "lat"], "not": {"required": ["location_code"]}},
        {
            "required": ["location_code"],
            "not": {"anyOf": [{"required": ["lon"]}, {"required": ["lat"]}]},
        },
    ],
}


@router.post(
    "",
    summary="Send a report (JSON, or multipart/form-data with an optional photo)",
    status_code=201,
    response_class=JSON,
    responses={
        201: {"description": "Stored.", "content": {"application/json": {"schema": ACCEPTED}}},
        200: {
            "description": "Same idempotency key and content: the stored report.",
            "content": {"application/json": {"schema": ACCEPTED}},
        },
        409: {"description": "Idempotency key already used for a different report."},
        413: {"description": "Body or photo too large, or a photo with too many pixels."},
        415: {"description": "Not JSON nor multipart, or a photo that is not an image."},
        429: {"description": "Too many reports from this device or contact, or this address."},
    },
    openapi_extra={
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                "description": "Client-generated key: a retry with the same key and content "
                "returns the stored report; different content gives 409. When the body also "
                "has an idempotency_key, both must be equal.",
            }
        ],
        "requestBody": {
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ReportIn"}},
                "multipart/form-data": {
                    "schema": MULTIPART_REPORT,
                    "encoding": {
                        "measurements": {"contentType": "application/json"},
                        "photo": {"contentType": "image/png, image/jpeg"},
                    },
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
    if intake_body_kind(request.headers.get("content-type")) == "multipart":
        payload, photo = await parse_multipart(request, settings.max_photo_bytes)
    else:
        payload = parse_json(await request.body())
    if idempotency_key is not None:
        if payload.idempotency_key not in (None, idempotency_key):
            raise InvalidInput("The Idempotency-Key header and the body's key differ.")
        if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, idempotency_key):
            raise InvalidInput("The idempotency key must be 8 to 100 letters, digits or ._:-")
        payload = payload.model_copy(update={"idempotency_key": idempotency_key})
    client = request.client.host if request.client else None
    reporter = reporter_identity(payload.device_id, payload.contact)
    await intake_limiter().check(reporter, client, with_photo=photo is not None)
    stored = await store_report_photo_async(photo)
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


# The intake is served by this plain Starlette route, placed before the routers (create_app):
# no dependency injection, no response model, 0.1 ms less per report on the hot path. The
# FastAPI declaration above is what documents it (and what answers if this one is not mounted).
FAST_ROUTES = [Route("/api/v1/reports", create_report, methods=["POST"], include_in_schema=False)]


# --- reading -----------------------------------------------------------------------------------


@router.get("", summary="Public list of reports", response_class=JSON)
def list_reports(
    session: SessionDep,
    language: LanguageDep,
    bbox: BBoxQuery = None,
    status: ReportStatus | None = None,
    category: ReportCategory | None = None,
    district: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: OffsetQuery = 0,
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


def _media_file(request: Request, session: Session, code: str, thumbnail: bool) -> Response:
    key = queries.public_photo_key(session, code, thumbnail)
    return photo_response(request, media_store(), key)


IMAGE: dict[int | str, Any] = {
    200: contract.media("The JPEG image.", "image/jpeg"),
    304: {"description": "Not modified (If-None-Match)."},
    307: {"description": "Stored in object storage: a short-lived signed URL of the image."},
}


@router.get(
    "/{code}/photo",
    summary="The report's photo (metadata stripped)",
    response_class=Response,
    responses=IMAGE,
)
def get_photo(code: str, request: Request, session: SessionDep) -> Response:
    return _media_file(request, session, code, thumbnail=False)


@router.get(
    "/{code}/thumbnail",
    summary="The report's thumbnail",
    response_class=Response,
    responses=IMAGE,
)
def get_thumbnail(code: str, request: Request, session: SessionDep) -> Response:
    return _media_file(request, session, code, thumbnail=True)
