"""Water systems and water sources: points with their traffic-light status."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import aliased

from geodata import catalog
from geodata.models import (
    AdminArea,
    Dataset,
    Provider,
    ProviderKind,
    SourceType,
    SystemType,
    WaterSource,
    WaterSystem,
)
from geodata.opendata.collections.base import (
    AREA_TYPES,
    STATUS_TYPES,
    Collection,
    Filter,
    SQLExpression,
    area_filters,
    status_filters,
    status_properties,
    utc_midnight,
    values_of,
)
from geodata.opendata.collections.evidence import (
    SYSTEM_TYPES,
    system_month_join,
    system_properties,
)
from geodata.opendata.licences import PROJECT_ATTRIBUTION, UBIGEO_ATTRIBUTION


def water_systems() -> Collection:
    district = aliased(AdminArea, name="system_district")
    province = aliased(AdminArea, name="system_province")
    from_clause = system_month_join(
        WaterSystem.__table__.outerjoin(Provider, WaterSystem.provider_id == Provider.id)
        .outerjoin(district, WaterSystem.district_id == district.id)
        .outerjoin(province, district.parent_id == province.id)
        .outerjoin(Dataset, WaterSystem.dataset_id == Dataset.id)
    )
    properties: dict[str, SQLExpression] = {
        "code": WaterSystem.code,
        "name": WaterSystem.name,
        "system_type": WaterSystem.system_type,
        **status_properties(WaterSystem),
        "has_treatment": WaterSystem.has_treatment,
        "treatment_type": WaterSystem.treatment_type,
        "treatment_works": WaterSystem.treatment_works,
        "population_served": WaterSystem.population_served,
        "dwellings_served": WaterSystem.dwellings_served,
        "communities": WaterSystem.communities,
        "water_in_dry_season": WaterSystem.water_in_dry_season,
        "water_in_rainy_season": WaterSystem.water_in_rainy_season,
        "altitude_m": WaterSystem.altitude_m,
        "built_year": WaterSystem.built_year,
        "surveyed_on": WaterSystem.surveyed_on,
        "provider": Provider.name,
        "provider_kind": Provider.kind,
        "district_ubigeo": district.ubigeo_inei,
        "district": district.name,
        "province_ubigeo": province.ubigeo_inei,
        "province": province.name,
        "dataset": Dataset.name,
        "updated_at": WaterSystem.updated_at,
        **system_properties(),
    }
    types = {
        "code": "string",
        "name": "string",
        "system_type": "string",
        **STATUS_TYPES,
        "has_treatment": "boolean",
        "treatment_type": "string",
        "treatment_works": "boolean",
        "population_served": "integer",
        "dwellings_served": "integer",
        "communities": "array",
        "water_in_dry_season": "boolean",
        "water_in_rainy_season": "boolean",
        "altitude_m": "integer",
        "built_year": "integer",
        "surveyed_on": "date",
        "provider": "string",
        "provider_kind": "string",
        **AREA_TYPES,
        "dataset": "string",
        "updated_at": "date-time",
        **SYSTEM_TYPES,
    }
    return Collection(
        id="water-systems",
        title="Water systems of La Libertad",
        description=(
            "Rural and urban drinking-water systems with their provider, population served and "
            "traffic-light status (green/yellow/red/grey) with the evidence it rests on."
        ),
        keywords=("water", "drinking water", "SIASAR", "La Libertad", "Peru"),
        licence="CC-BY-4.0",
        attribution=f"{PROJECT_ATTRIBUTION}; {catalog.SIASAR}; {UBIGEO_ATTRIBUTION}",
        from_clause=from_clause,
        key=WaterSystem.id,
        feature_id=WaterSystem.code,
        geometry=WaterSystem.geom,
        geometry_type="Point",
        temporal=func.coalesce(
            WaterSystem.status_evidence_at, utc_midnight(WaterSystem.surveyed_on)
        ),
        temporal_description="status_evidence_at, else the survey date (surveyed_on)",
        properties=properties,
        property_types=types,
        filters={
            **status_filters(WaterSystem),
            "system_type": Filter(
                "system_type", WaterSystem.system_type, "Technology", values_of(SystemType)
            ),
            "provider_kind": Filter(
                "provider_kind", Provider.kind, "Kind of provider", values_of(ProviderKind)
            ),
            **area_filters(district, province),
        },
        wpdx=True,
    )


def water_sources() -> Collection:
    district = aliased(AdminArea, name="source_district")
    province = aliased(AdminArea, name="source_province")
    system = aliased(WaterSystem, name="source_system")
    from_clause = (
        WaterSource.__table__.outerjoin(system, WaterSource.system_id == system.id)
        .outerjoin(district, WaterSource.district_id == district.id)
        .outerjoin(province, district.parent_id == province.id)
        .outerjoin(Dataset, WaterSource.dataset_id == Dataset.id)
    )
    properties: dict[str, SQLExpression] = {
        "code": WaterSource.code,
        "name": WaterSource.name,
        "source_type": WaterSource.source_type,
        **status_properties(WaterSource),
        "system_code": system.code,
        "system_name": system.name,
        "district_ubigeo": district.ubigeo_inei,
        "district": district.name,
        "province_ubigeo": province.ubigeo_inei,
        "province": province.name,
        "dataset": Dataset.name,
        "updated_at": WaterSource.updated_at,
    }
    types = {
        "code": "string",
        "name": "string",
        "source_type": "string",
        **STATUS_TYPES,
        "system_code": "string",
        "system_name": "string",
        **AREA_TYPES,
        "dataset": "string",
        "updated_at": "date-time",
    }
    return Collection(
        id="water-sources",
        title="Water sources (captaciones) of La Libertad",
        description="Springs, wells, rivers and other sources feeding the water systems.",
        keywords=("water", "source", "spring", "well", "La Libertad", "Peru"),
        licence="CC-BY-4.0",
        attribution=f"{PROJECT_ATTRIBUTION}; {catalog.SIASAR}; {UBIGEO_ATTRIBUTION}",
        from_clause=from_clause,
        key=WaterSource.id,
        feature_id=WaterSource.code,
        geometry=WaterSource.geom,
        geometry_type="Point",
        temporal=WaterSource.status_evidence_at,
        temporal_description="status_evidence_at (sources without evidence have no date)",
        properties=properties,
        property_types=types,
        filters={
            **status_filters(WaterSource),
            "source_type": Filter(
                "source_type", WaterSource.source_type, "Kind of source", values_of(SourceType)
            ),
            "system": Filter("system", system.code, "Code of the system it feeds"),
            **area_filters(district, province),
        },
        wpdx=True,
    )
