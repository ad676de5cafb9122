"""Validated citizen reports, without any personal data of the reporter."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import aliased

from geodata.models import (
    AdminArea,
    Report,
    ReportCategory,
    WaterSource,
    WaterSystem,
)
from geodata.opendata.collections.base import (
    AREA_TYPES,
    Collection,
    Filter,
    SQLExpression,
    area_filters,
    values_of,
)
from geodata.opendata.licences import PROJECT_ATTRIBUTION, UBIGEO_ATTRIBUTION
from geodata.opendata.privacy import public_description_sql
from geodata.reports import statuses


def reports() -> Collection:
    district = aliased(AdminArea, name="report_district")
    province = aliased(AdminArea, name="report_province")
    system = aliased(WaterSystem, name="report_system")
    source = aliased(WaterSource, name="report_source")
    original = aliased(Report, name="report_original")
    from_clause = (
        Report.__table__.outerjoin(system, Report.system_id == system.id)
        .outerjoin(source, Report.source_id == source.id)
        .outerjoin(district, Report.district_id == district.id)
        .outerjoin(province, district.parent_id == province.id)
        .outerjoin(original, Report.duplicate_of_id == original.id)
    )
    properties: dict[str, SQLExpression] = {
        "tracking_code": Report.tracking_code,
        "category": Report.category,
        "status": Report.status,
        "description": public_description_sql(Report.public_description),
        "received_at": Report.received_at,
        "validated_at": Report.validated_at,
        "acknowledged_at": Report.acknowledged_at,
        "resolved_at": Report.resolved_at,
        "system_code": system.code,
        "source_code": source.code,
        "duplicate_of": original.tracking_code,
        "district_ubigeo": district.ubigeo_inei,
        "district": district.name,
        "province_ubigeo": province.ubigeo_inei,
        "province": province.name,
    }
    types = {
        "tracking_code": "string",
        "category": "string",
        "status": "string",
        "description": "string",
        "received_at": "date-time",
        "validated_at": "date-time",
        "acknowledged_at": "date-time",
        "resolved_at": "date-time",
        "system_code": "string",
        "source_code": "string",
        "duplicate_of": "string",
        **AREA_TYPES,
    }
    public = tuple(statuses.values(statuses.PUBLIC))
    return Collection(
        id="reports",
        title="Citizen reports (validated)",
        description=(
            "Citizens' reports about their water (no water, bad taste, broken pipes...) once "
            "validated, with their public status. Reports still unchecked or rejected are not "
            "published, and no personal data of the reporter ever is."
        ),
        keywords=("citizen reports", "water", "La Libertad", "Peru"),
        licence="CC-BY-4.0",
        attribution=f"{PROJECT_ATTRIBUTION}; {UBIGEO_ATTRIBUTION}",
        from_clause=from_clause,
        key=Report.id,
        feature_id=Report.tracking_code,
        geometry=func.coalesce(Report.geom, system.geom, source.geom),
        geometry_type="Point",
        temporal=Report.received_at,
        temporal_description="received_at",
        properties=properties,
        property_types=types,
        where=(Report.status.in_(public),),
        filters={
            "category": Filter(
                "category", Report.category, "Report category", values_of(ReportCategory)
            ),
            "status": Filter("status", Report.status, "Public status", public),
            "system": Filter("system", system.code, "Code of the linked water system"),
            **area_filters(district, province),
        },
        points=False,
    )
