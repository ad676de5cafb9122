"""Open311 GeoReport v2 (``/open311/v2``): discovery, services, requests, tokens; JSON and XML.

Reports sent here enter the same intake as ``POST /api/v1/reports`` (committed, then
validated by a worker). Personal data given to Open311 (name, e-mail, phone, device) is kept
private with the report and never returned.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from api.contract import JSON_OR_XML, media
from api.deps import LanguageDep, SessionDep
from api.intake import accept_report
from api.open311_format import errors, render
from api.ratelimit import intake_limiter
from api.schemas.reports import IDEMPOTENCY_KEY_PATTERN, ReportIn
from geodata import open311
from geodata.errors import AppError
from geodata.i18n import translate
from geodata.models import ReportCategory
from geodata.reports.intake import reporter_identity
from geodata.settings import get_settings

router = APIRouter(prefix="/open311/v2", tags=["open311"])
ANSWERS: dict[int | str, Any] = {200: media("The GeoReport v2 document.", *JSON_OR_XML)}
CODES = [c.value for c in ReportCategory]
CODE_LIST = f"^(({'|'.join(CODES)})(,({'|'.join(CODES)}))*)?$"  # empty: no filter
DATE_TIME_OR_EMPTY = {"anyOf": [{"type": "string", "format": "date-time"}, {"enum": [""]}]}
# The routes check their parameters themselves, to answer in GeoReport's error format; the
# document states the same rules (json_schema_extra) without FastAPI enforcing them.
NO_NUL = "^[^\\x00]*$"
_TEXT = {"type": "string", "maxLength": 200, "pattern": NO_NUL}
# GeoReport v2 POST /requests as this service takes it (form fields; lat/long required here,
# or attribute[water_system] with a system code instead: an extension).
REQUEST_FORM: dict[str, Any] = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["service_code", "lat", "long"],
                "properties": {
                    "service_code": {"type": "string", "enum": CODES},
                    "lat": {"type": "number", "minimum": -90, "maximum": 90},
                    "long": {"type": "number", "minimum": -180, "maximum": 180},
                    "description": {"type": "string", "maxLength": 4000, "pattern": NO_NUL},
                    "first_name": _TEXT,
                    "last_name": _TEXT,
                    "email": _TEXT,
                    "phone": _TEXT,
                    "device_id": _TEXT,
                    **{
                        f"attribute[{code}]": {"type": "number"}
                        for code in open311.ATTRIBUTE_PARAMETERS
                    },
                },
            }
        }
    },
}
Format = Annotated[str, Path(pattern="^(json|xml)$", description="json or xml")]
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _category(code: str) -> ReportCategory | None:
    try:
        return ReportCategory(code)
    except ValueError:
        return None


@router.get(
    "/discovery.{fmt}",
    summary="GeoReport v2 discovery",
    response_class=Response,
    responses=ANSWERS,
)
def discovery(fmt: Format) -> Response:
    base = f"{get_settings().base_url}/open311/v2/"
    body = {
        "changeset": "2026-11-23T00:00:00Z",
        "contact": "Yaku - mapa ciudadano del agua de La Libertad",
        "key_service": "No API key needed.",
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base,
                "changeset": "2026-11-23T00:00:00Z",
                "type": "production",
                "formats": ["application/json", "application/xml"],
            }
        ],
    }
    return render(fmt, body, "discovery")


@router.get(
    "/services.{fmt}",
    summary="Report categories as GeoReport services",
    response_class=Response,
    responses=ANSWERS,
)
def services(fmt: Format, language: LanguageDep) -> Response:
    body = [
        {
            "service_code": s.code,
            "service_name": s.name,
            "description": s.description,
            "metadata": s.metadata,
            "type": "realtime",
            "keywords": "agua,water",
            "group": s.group,
        }
        for s in open311.services(language)
    ]
    return render(fmt, body, "services", "service")


@router.get(
    "/services/{service_code}.{fmt}",
    summary="Attributes of one service",
    response_class=Response,
    responses=ANSWERS,
)
def service_definition(
    service_code: str, fmt: Format, session: SessionDep, language: LanguageDep
) -> Response:
    category = _category(service_code)
    if category is None:
        return errors(fmt, 404, translate("Unknown service_code.", language))
    attributes = [
        {
            "variable": True,
            "code": a.code,
            "datatype": a.datatype,
            "required": False,
            "datatype_description": a.unit,
            "order": a.order,
            "description": a.description,
        }
        for a in open311.service_attributes(session, category, language)
    ]
    return render(
        fmt, {"service_code": category.value, "attributes": attributes}, "service_definition"
    )


def _public(request: open311.PublicRequest, language: str) -> dict[str, Any]:
    """A request as GeoReport v2 writes it: a field without a value is left out (the schemas
    type every field as a string or a number; none of them allows null)."""
    base = get_settings().base_url
    item = {
        "service_request_id": request.service_request_id,
        "status": request.status,
        "status_notes": request.status_notes,
        "service_name": translate(
            open311.SERVICE_NAMES[ReportCategory(request.service_code)], language
        ),
        "service_code": request.service_code,
        "description": request.description,
        "agency_responsible": request.agency_responsible,
        "service_notice": None,
        "requested_datetime": _iso(request.requested_datetime),
        "updated_datetime": _iso(request.updated_datetime),
        "expected_datetime": None,
        "address": request.address,
        "address_id": None,
        "zipcode": None,
        "lat": request.lat,
        "long": request.lon,
        "media_url": (
            f"{base}/api/v1/reports/{request.service_request_id}/photo"
            if request.has_photo
            else None
        ),
    }
    return {key: value for key, value in item.items() if value is not None}


def _parse_datetime(value: str | None) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@router.get(
    "/requests.{fmt}",
    summary="Public service requests (reports)",
    response_class=Response,
    responses=ANSWERS,
)
def list_requests(
    fmt: Format,
    session: SessionDep,
    language: LanguageDep,
    service_request_id: Annotated[str | None, Query(description="Codes, comma-separated")] = None,
    service_code: Annotated[str | None, Query(json_schema_extra={"pattern": CODE_LIST})] = None,
    start_date: Annotated[str | None, Query(json_schema_extra=DATE_TIME_OR_EMPTY)] = None,
    end_date: Annotated[str | None, Query(json_schema_extra=DATE_TIME_OR_EMPTY)] = None,
    status: Annotated[str | None, Query(json_schema_extra={"enum": ["open", "closed"]})] = None,
) -> Response:
    codes = [c for c in (service_code or "").split(",") if c]
    if any(_category(c) is None for c in codes):
        return errors(fmt, 400, translate("Unknown service_code.", language))
    if status not in (None, "open", "closed"):
        return errors(fmt, 400, translate("status must be open or closed.", language))
    try:
        start, end = _parse_datetime(start_date), _parse_datetime(end_date)
    except (ValueError, OverflowError):
        return errors(fmt, 400, translate("Dates must be ISO 8601 (w3c) date-times.", language))
    filters = open311.RequestFilters(
        ids=[i for i in (service_request_id or "").split(",") if i] or None,
        service_codes=codes or None,
        start=start,
        end=end,
        status=status,
    )
    found = open311.find_requests(session, filters, datetime.now(UTC))
    return render(fmt, [_public(r, language) for r in found], "service_requests", "request")


@router.get(
    "/requests/{service_request_id}.{fmt}",
    summary="One service request",
    response_class=Response,
    responses=ANSWERS,
)
def get_request(
    service_request_id: str, fmt: Format, session: SessionDep, language: LanguageDep
) -> Response:
    found = open311.find_request(session, service_request_id)
    if found is None:
        return errors(fmt, 404, translate("No report has this tracking code.", language))
    return render(fmt, [_public(found, language)], "service_requests", "request")


@router.get(
    "/tokens/{token}.{fmt}",
    summary="Service request id for a token",
    response_class=Response,
    responses=ANSWERS,
)
def get_token(token: str, fmt: Format, session: SessionDep, language: LanguageDep) -> Response:
    # Requests get their public id at once, so the token is that id.
    found = open311.find_request(session, token)
    if found is None:
        return errors(fmt, 404, translate("No report has this tracking code.", language))
    body = [{"service_request_id": found.service_request_id, "token": token}]
    return render(fmt, body, "service_requests", "request")


def _private_contact(form: dict[str, str]) -> str | None:
    parts = [
        " ".join(p for p in (form.get("first_name"), form.get("last_name")) if p),
        form.get("email", ""),
        form.get("phone", ""),
    ]
    contact = " | ".join(p for p in parts if p)
    return contact[:200] or None


def _report_from_form(form: dict[str, str]) -> ReportIn:
    attributes = {
        m.group(1): v for k, v in form.items() if (m := re.fullmatch(r"attribute\[(\w+)\]", k))
    }
    measurements = [
        {"parameter": code, "value": attributes[code]}
        for code in open311.ATTRIBUTE_PARAMETERS
        if attributes.get(code) not in (None, "")
    ]
    location: dict[str, Any] = {}
    if form.get("lat") or form.get("long"):
        location = {"lat": form.get("lat"), "lon": form.get("long")}
    elif attributes.get("water_system"):
        location = {"code": attributes["water_system"]}
    return ReportIn.model_validate(
        {
            "location": location,
            "category": form.get("service_code"),
            "description": form.get("description", ""),
            "measurements": measurements,
            "contact": _private_contact(form),
            "device_id": form.get("device_id") or None,
        }
    )


@router.post(
    "/requests.{fmt}",
    summary="Create a service request (a citizen report)",
    status_code=201,
    response_class=Response,
    responses={
        201: media("Stored: its service_request_id (the tracking code).", *JSON_OR_XML),
        200: media("The same Idempotency-Key and content again: the stored request.", *JSON_OR_XML),
        409: {"description": "The Idempotency-Key was used for a different request."},
        429: {"description": "Too many reports from this device or network address."},
    },
    openapi_extra={"requestBody": REQUEST_FORM},
)
async def create_request(
    fmt: Format,
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", json_schema_extra={"pattern": IDEMPOTENCY_KEY_PATTERN}),
    ] = None,
) -> Response:
    async with request.form(max_files=0, max_fields=60) as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if _category(fields.get("service_code", "")) is None:
        return errors(fmt, 400, translate("Unknown service_code.", language))
    located = (fields.get("lat") and fields.get("long")) or fields.get("attribute[water_system]")
    if not located and fields.get("address_string", "").strip():
        # GeoReport v2: lat/long or address_string. An address that names a water system or a
        # community it serves locates the report at that system.
        code = await run_in_threadpool(open311.locate_address, session, fields["address_string"])
        if code is None:
            message = "address_string names no known water system or community; send lat and long."
            return errors(fmt, 400, translate(message, language))
        fields["attribute[water_system]"] = code
        located = code
    if not located:
        return errors(fmt, 400, translate("lat and long are required.", language))
    try:
        payload = _report_from_form(fields)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return errors(fmt, 400, f"{translate('Invalid input.', language)} {where}: {first['msg']}")
    if idempotency_key is not None:
        if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, idempotency_key):
            return errors(fmt, 400, translate("Invalid input.", language))
        payload = payload.model_copy(update={"idempotency_key": idempotency_key})
    client = request.client.host if request.client else None
    try:
        reporter = reporter_identity(payload.device_id, payload.contact)
        await intake_limiter().check(reporter, client)
        accepted = await run_in_threadpool(accept_report, session, payload, None, language, client)
    except AppError as exc:
        response = errors(fmt, exc.status_code, exc.localized(language))
        response.headers.update(exc.response_headers())
        return response
    notice = translate("Keep this code to follow your report: {code}", language).format(
        code=accepted.tracking_code
    )
    # GeoReport v2: a request gets either its service_request_id at once or a token to ask for
    # it later; it gets its id at once here. account_id is optional and there are no accounts.
    body = [{"service_request_id": accepted.tracking_code, "service_notice": notice}]
    # As the REST intake: 201 when stored now, 200 with the same request for a replayed key.
    return render(fmt, body, "service_requests", "request", 201 if accepted.created else 200)
