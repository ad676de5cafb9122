"""Report intake shared by the adapters (REST, Open311): parse, store, enqueue after commit."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, Protocol

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api.schemas.reports import ReportIn
from geodata import jobs
from geodata.errors import UnsupportedMedia
from geodata.media import StoredPhoto, store_photo
from geodata.reports.intake import Accepted, NewReport, submit_report
from geodata.reports.intake_pool import IntakePool
from geodata.settings import get_settings
from geodata.storage import media_store

INTAKE_TYPES = ("application/json", "multipart/form-data")
FORM_FIELDS = (
    "category",
    "description",
    "contact",
    "device_id",
    "language",
    "idempotency_key",
    "notify",
)
KNOWN_PARTS = frozenset({*FORM_FIELDS, "lon", "lat", "location_code", "measurements", "photo"})


# --- intake ------------------------------------------------------------------------------------


def _invalid(exc: ValidationError) -> RequestValidationError:
    return RequestValidationError(exc.errors(include_url=False, include_context=False))


def parse_json(body: bytes) -> ReportIn:
    try:
        return ReportIn.model_validate_json(body)
    except ValidationError as exc:
        raise _invalid(exc) from None


async def parse_multipart(request: Request, max_bytes: int) -> tuple[ReportIn, bytes | None]:
    """The form's fields and photo. The body's size was bounded before (``api/guards.py``)."""
    async with request.form(max_files=1, max_fields=40) as form:
        unknown = sorted(set(form.keys()) - KNOWN_PARTS)
        if unknown:  # as the JSON body does (extra="forbid"): a misspelt field is not ignored
            raise RequestValidationError(
                [
                    {"loc": (name,), "msg": "unknown field", "type": "extra_forbidden"}
                    for name in unknown
                ]
            )
        fields: dict[str, Any] = {
            k: form.get(k) for k in FORM_FIELDS if form.get(k) not in (None, "")
        }
        location: dict[str, Any] = {}
        for name, key in (("lon", "lon"), ("lat", "lat"), ("location_code", "code")):
            value = form.get(name)
            if isinstance(value, str) and value != "":
                location[key] = value
        fields["location"] = location
        raw_measurements = form.get("measurements")
        if isinstance(raw_measurements, str) and raw_measurements.strip():
            try:
                fields["measurements"] = orjson.loads(raw_measurements)
            except orjson.JSONDecodeError:
                raise RequestValidationError(
                    [{"loc": ("measurements",), "msg": "not valid JSON", "type": "json_invalid"}]
                ) from None
        photo = form.get("photo")
        data: bytes | None = None
        if isinstance(photo, UploadFile):
            data = await photo.read(max_bytes + 1)
            if not data:
                data = None
    try:
        return ReportIn.model_validate(fields), data
    except ValidationError as exc:
        raise _invalid(exc) from None


def new_report(
    payload: ReportIn, stored: StoredPhoto | None, language: str, client: str | None
) -> NewReport:
    return NewReport(
        category=payload.category,
        description=payload.description,
        lon=payload.location.lon,
        lat=payload.location.lat,
        location_code=payload.location.code,
        measurements=payload.measurement_dicts(),
        language=payload.language or language,
        contact=payload.contact,
        notify=payload.notify,
        device_id=payload.device_id,
        client_address=client,
        idempotency_key=payload.idempotency_key,
        photo_sha256=stored.sha256 if stored else None,
        photo_path=stored.photo_path if stored else None,
        thumbnail_path=stored.thumbnail_path if stored else None,
    )


class IntakeContentType(UnsupportedMedia):
    code = "unsupported_content_type"
    message = "Send the report as application/json, or as multipart/form-data with a photo."


def intake_body_kind(content_type: str | None) -> str:
    """``json`` or ``multipart``; anything else (text/plain, none) is refused with 415, so a
    web page elsewhere cannot post a report as a "simple" cross-site request."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in INTAKE_TYPES:
        raise IntakeContentType()
    return "json" if media_type == "application/json" else "multipart"


def store_report_photo(photo: bytes | None) -> StoredPhoto | None:
    settings = get_settings()
    if not photo:
        return None
    return store_photo(
        photo,
        media_store(),
        settings.secret_key,
        settings.max_photo_bytes,
        settings.max_photo_pixels,
    )


@lru_cache
def _photo_pool() -> ThreadPoolExecutor:
    """Photos are decoded here, off the event loop and a few at a time: decoding is what
    costs memory (width x height x 4 bytes), so the pool's size bounds it."""
    return ThreadPoolExecutor(get_settings().photo_decode_workers, "yaku-photo")


async def store_report_photo_async(photo: bytes | None) -> StoredPhoto | None:
    if not photo:
        return None
    return await asyncio.get_running_loop().run_in_executor(
        _photo_pool(), store_report_photo, photo
    )


def accept_report(
    session: Session, payload: ReportIn, photo: bytes | None, language: str, client: str | None
) -> Accepted:
    """Intake on the request's session (other adapters): store; validation is enqueued when
    the request's transaction commits."""
    accepted = submit_report(
        session, new_report(payload, store_report_photo(photo), language, client)
    )
    if accepted.created:
        jobs.enqueue(session, jobs.VALIDATE_REPORTS, [accepted.id])
    return accepted


class Intake(Protocol):
    async def submit(self, report: NewReport) -> Accepted: ...


@lru_cache
def intake_pool() -> IntakePool:
    return IntakePool()


async def get_intake() -> Intake:
    """The hot path: an async autocommit pool, no thread hop, one round trip per report."""
    return intake_pool()
