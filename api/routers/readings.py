"""Official evidence: operators' rounds of readings, laboratory results files, compliance.

Thin: parse, call one function of ``geodata.evidence``, map the result. Writes need a signed-in
account whose scope allows them (``geodata.accounts.scope``); the compliance figures and the
monthly district report are aggregated and public.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import select

from api.auth import PrincipalDep
from api.deps import ReadSessionDep, SessionDep
from api.errors import error_body, request_language
from api.schemas.readings import RoundRequest
from api.schemas.reports import IDEMPOTENCY_KEY_PATTERN
from api.schemas.responses import JSON
from geodata.accounts.errors import Forbidden
from geodata.errors import InvalidInput, NotFound, PayloadTooLarge
from geodata.evidence import compliance, monthly
from geodata.evidence.delivery import Delivery
from geodata.evidence.errors import FileRefused
from geodata.evidence.labfile import upload_lab_file
from geodata.evidence.overview import desk_systems
from geodata.evidence.readings import RoundResult, record_round
from geodata.models import WaterSystem
from geodata.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["official evidence"])

MonthQuery = Annotated[
    str | None, Query(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM (Peru time)")
]


def round_body(result: RoundResult) -> dict[str, Any]:
    return {
        "round": result.batch_id,
        "system": result.system_code,
        "created": result.created,
        "readings": result.readings,
        "url": f"/sistemas/{result.system_code}",
    }


@router.post(
    "/readings",
    summary="A round of operator readings of one system (all or nothing)",
    status_code=201,
    response_class=JSON,
    responses={
        200: {"description": "Same idempotency key and content, or all already recorded."},
        403: {"description": "The role may not record readings."},
        404: {"description": "No such system on the caller's desk."},
        409: {"description": "Key reused for other content, or a reading already recorded."},
        422: {"description": "A reading is implausible, in a unit not accepted, or future."},
    },
)
def post_readings(
    payload: RoundRequest,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Client-generated key of the round: a retry returns the stored round.",
        ),
    ] = None,
) -> JSON:
    """A plain (threadpool) route: waiting for a racing retry's lock must not stall the
    server's event loop."""
    if idempotency_key is not None:
        if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, idempotency_key):
            raise InvalidInput("The idempotency key must be 8 to 100 letters, digits or ._:-")
        if payload.idempotency_key not in (None, idempotency_key):
            raise InvalidInput("The Idempotency-Key header and the body's key differ.")
    result = record_round(
        session,
        principal.scope,
        payload.to_round(idempotency_key),
        actor=principal.label,
        account_id=principal.account.id,
    )
    return JSON(round_body(result), status_code=201 if result.created else 200)


def delivery_body(delivery: Delivery) -> dict[str, Any]:
    return {
        "file": delivery.file_name,
        "sha256": delivery.digest,
        "rows": delivery.rows,
        "loaded": delivery.loaded,
        "already_recorded": delivery.already,
        "batch": delivery.batch_id,
        "uploaded_before": (
            delivery.delivered_before.isoformat() if delivery.delivered_before else None
        ),
    }


async def read_upload(file: UploadFile) -> bytes:
    limit = get_settings().max_lab_file_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge("The file is larger than {mb} MB.", mb=f"{limit / 2**20:g}")
    if not data:
        raise InvalidInput("The file is empty.")
    return data


def refusal(request: Request, session: SessionDep, exc: FileRefused) -> JSON:
    """Every bad row in the answer; the request's transaction is rolled back first."""
    session.rollback()
    language = request_language(request)
    body = error_body(exc.code, exc.localized(language), rows=exc.rendered_rows(language))
    return JSON(body, status_code=exc.status_code)


@router.post(
    "/lab-results",
    summary="Upload a laboratory's results file (CSV or XLSX), all or nothing",
    status_code=201,
    response_class=JSON,
    responses={
        200: {"description": "Nothing new: the file, or all its results, were stored before."},
        403: {"description": "Only health staff (DIRESA) and administrators upload results."},
        413: {"description": "File too large."},
        422: {"description": "Bad rows, each with its line and reason; nothing was loaded."},
    },
)
async def post_lab_results(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="CSV or XLSX, one row per sample and parameter")],
) -> JSON:
    if not principal.scope.can_upload_lab_results():
        raise Forbidden()
    data = await read_upload(file)
    try:
        delivery = await run_in_threadpool(
            upload_lab_file,
            session,
            principal.scope,
            data,
            file.filename or "laboratorio.csv",
            actor=principal.label,
            account_id=principal.account.id,
        )
    except FileRefused as exc:
        return refusal(request, session, exc)
    return JSON(delivery_body(delivery), status_code=201 if delivery.loaded else 200)


@router.get(
    "/desk/compliance",
    summary="My systems: monthly compliance (DS 031-2010-SA Art. 66) and last official reading",
    response_class=JSON,
)
def my_compliance(session: SessionDep, principal: PrincipalDep, month: MonthQuery = None) -> JSON:
    if not principal.scope.is_staff:
        raise Forbidden()
    now = datetime.now(UTC)
    chosen = monthly.parse_month(month) if month else compliance.last_complete_month(now)
    rows = desk_systems(session, principal.scope, chosen, now)
    return JSON({"month": chosen.strftime("%Y-%m"), "items": rows, "total": len(rows)})


@router.get(
    "/systems/{code}/compliance",
    summary="A system's monthly compliance with DS 031-2010-SA (aggregated, public)",
    response_class=JSON,
)
def system_compliance(code: str, session: ReadSessionDep) -> JSON:
    system_id = session.scalar(select(WaterSystem.id).where(WaterSystem.code == code))
    if system_id is None:
        raise NotFound()
    now = datetime.now(UTC)
    last = compliance.last_official(session, [system_id]).get(system_id)
    fresh = compliance.freshness(last, now)
    months = compliance.system_months(session, system_id)
    return JSON(
        {
            "system": code,
            "last_official_reading_at": last.isoformat() if last else None,
            "official_reading_max_age_days": fresh.max_age_days,
            "stale": fresh.stale,
            "min_samples_per_month": get_settings().compliance_min_samples,
            "months": [compliance.figures_dict(m) for m in months],
        }
    )


@router.get(
    "/districts/{ubigeo}/monthly-report",
    summary="A district's monthly report for its ATM (JSON, or CSV with format=csv)",
    response_model=None,
)
def district_monthly_report(
    ubigeo: str,
    request: Request,
    session: ReadSessionDep,
    month: MonthQuery = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Response:
    now = datetime.now(UTC)
    chosen = monthly.parse_month(month) if month else compliance.last_complete_month(now)
    report = monthly.monthly_report(session, ubigeo, chosen, now)
    if format == "csv":
        name = f"informe-{ubigeo}-{chosen:%Y-%m}.csv"
        return Response(
            "\ufeff" + monthly.monthly_csv(report, request_language(request)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return JSON(monthly.report_dict(report))
