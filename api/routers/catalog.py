"""Water systems and sources with their traffic light, district indicators, vocabularies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from api.deps import BBoxQuery, LanguageDep, OffsetQuery, ReadSessionDep
from api.schemas.responses import JSON
from geodata.bbox import parse_bbox
from geodata.models import Parameter, ReportCategory, WaterStatus
from geodata.reports import queries
from geodata.reports.status_rules import rule_text
from geodata.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["catalog"])

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = OffsetQuery
District = Annotated[str | None, Query(pattern=r"^[0-9]{6}$", description="INEI ubigeo")]


def _page(page: queries.Page) -> JSON:
    return JSON(
        {"items": page.items, "total": page.total, "limit": page.limit, "offset": page.offset}
    )


@router.get("/systems", summary="Water systems with their status", response_class=JSON)
def list_systems(
    session: ReadSessionDep,
    language: LanguageDep,
    bbox: BBoxQuery = None,
    status: WaterStatus | None = None,
    district: District = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> JSON:
    return _page(
        queries.list_systems(
            session,
            bbox=parse_bbox(bbox),
            status=status,
            district=district,
            limit=limit,
            offset=offset,
            language=language,
        )
    )


@router.get("/systems/{code}", summary="One water system", response_class=JSON)
def get_system(code: str, session: ReadSessionDep, language: LanguageDep) -> JSON:
    return JSON(queries.system_by_code(session, code, language))


@router.get("/sources", summary="Water sources with their status", response_class=JSON)
def list_sources(
    session: ReadSessionDep,
    language: LanguageDep,
    bbox: BBoxQuery = None,
    status: WaterStatus | None = None,
    district: District = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> JSON:
    return _page(
        queries.list_sources(
            session,
            bbox=parse_bbox(bbox),
            status=status,
            district=district,
            limit=limit,
            offset=offset,
            language=language,
        )
    )


@router.get("/sources/{code}", summary="One water source", response_class=JSON)
def get_source(code: str, session: ReadSessionDep, language: LanguageDep) -> JSON:
    return JSON(queries.source_by_code(session, code, language))


@router.get("/districts/{ubigeo}", summary="District indicators", response_class=JSON)
def get_district(ubigeo: str, session: ReadSessionDep) -> JSON:
    return JSON(queries.district_indicators(session, ubigeo))


@router.get("/status-rule", summary="The traffic-light rule in plain Spanish")
def status_rule() -> dict[str, str]:
    return {"es": rule_text(get_settings().evidence_max_age_days)}


@router.get("/report-categories", summary="Report categories")
def report_categories() -> list[str]:
    return [c.value for c in ReportCategory]


@router.get("/parameters", summary="Water-quality parameters and Peru limits")
def parameters(session: ReadSessionDep) -> list[dict[str, object]]:
    rows = session.scalars(select(Parameter).order_by(Parameter.code))
    return [
        {
            "code": p.code,
            "name_es": p.name_es,
            "name_en": p.name_en,
            "unit": p.unit,
            "peru_min": p.peru_min,
            "peru_max": p.peru_max,
        }
        for p in rows
    ]
