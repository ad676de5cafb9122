"""District indicators with the district polygons (mapsPERU, GPL-3.0)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Numeric, and_, cast, func
from sqlalchemy.orm import aliased, outerjoin
from sqlalchemy.sql import ColumnElement

from geodata import catalog
from geodata.models import (
    AdminArea,
    AreaLevel,
    DashboardArea,
    DashboardComplianceMonth,
    DistrictIndicator,
)
from geodata.opendata.collections.base import (
    Collection,
    Filter,
    SQLExpression,
)
from geodata.opendata.collections.evidence import (
    DISTRICT_TYPES,
    LAST_COMPLETE_MONTH,
    district_properties,
)
from geodata.opendata.licences import GPL_3, PROJECT_ATTRIBUTION, UBIGEO_ATTRIBUTION


def dashboard_properties() -> dict[str, SQLExpression]:
    """The district's dashboard figures (``geodata.dashboards``): the same numbers as
    ``/tablero/distrito/{ubigeo}``. Times are of the reports of the last 12 months."""
    a, c = DashboardArea, DashboardComplianceMonth

    def ratio(part: Any, whole: Any) -> ColumnElement[Any]:
        return func.round(cast(part, Numeric) / func.nullif(whole, 0), 3)

    return {
        "share_yellow": ratio(a.yellow, a.systems),
        "share_grey": ratio(a.grey, a.systems),
        "overdue_reports": func.coalesce(a.overdue_reports, 0),
        "reports_received_12m": func.coalesce(a.received_reports, 0),
        "hours_to_acknowledge_median_12m": func.round(
            cast(a.hours_to_acknowledge_median, Numeric), 3
        ),
        "hours_to_acknowledge_p90_12m": func.round(cast(a.hours_to_acknowledge_p90, Numeric), 3),
        "hours_to_resolve_median_12m": func.round(cast(a.hours_to_resolve_median, Numeric), 3),
        "hours_to_resolve_p90_12m": func.round(cast(a.hours_to_resolve_p90, Numeric), 3),
        "chlorine_readings_last_month": func.coalesce(c.chlorine_samples, 0),
        "chlorine_share_at_least_05_last_month": ratio(c.chlorine_at_least_05, c.chlorine_samples),
        "dashboard_computed_at": a.computed_at,
    }


DASHBOARD_TYPES = {
    "share_yellow": "number",
    "share_grey": "number",
    "overdue_reports": "integer",
    "reports_received_12m": "integer",
    "hours_to_acknowledge_median_12m": "number",
    "hours_to_acknowledge_p90_12m": "number",
    "hours_to_resolve_median_12m": "number",
    "hours_to_resolve_p90_12m": "number",
    "chlorine_readings_last_month": "integer",
    "chlorine_share_at_least_05_last_month": "number",
    "dashboard_computed_at": "date-time",
}


def districts() -> Collection:
    district = AdminArea
    province = aliased(AdminArea, name="district_province")
    indicator = DistrictIndicator
    from_clause = (
        outerjoin(district, indicator, indicator.district_id == district.id)
        .outerjoin(province, district.parent_id == province.id)
        .outerjoin(DashboardArea, DashboardArea.area_id == district.id)
        .outerjoin(
            DashboardComplianceMonth,
            and_(
                DashboardComplianceMonth.area_id == district.id,
                DashboardComplianceMonth.month == LAST_COMPLETE_MONTH,
            ),
        )
    )
    systems = func.coalesce(indicator.systems, 0)

    def share(colour: Any) -> ColumnElement[Any]:
        return func.round(cast(func.coalesce(colour, 0), Numeric) / func.nullif(systems, 0), 3)

    properties: dict[str, SQLExpression] = {
        "ubigeo": district.ubigeo_inei,
        "ubigeo_reniec": district.ubigeo_reniec,
        "name": district.name,
        "capital": district.capital,
        "province_ubigeo": province.ubigeo_inei,
        "province": province.name,
        "systems": systems,
        "population_served": func.coalesce(indicator.population_served, 0),
        "green": func.coalesce(indicator.green, 0),
        "yellow": func.coalesce(indicator.yellow, 0),
        "red": func.coalesce(indicator.red, 0),
        "grey": func.coalesce(indicator.grey, 0),
        "share_green": share(indicator.green),
        "share_red": share(indicator.red),
        "open_reports": func.coalesce(indicator.open_reports, 0),
        "median_hours_to_acknowledge": indicator.median_hours_to_acknowledge,
        "computed_at": indicator.computed_at,
        **district_properties(),
        **dashboard_properties(),
    }
    types = {
        "ubigeo": "string",
        "ubigeo_reniec": "string",
        "name": "string",
        "capital": "string",
        "province_ubigeo": "string",
        "province": "string",
        "systems": "integer",
        "population_served": "integer",
        "green": "integer",
        "yellow": "integer",
        "red": "integer",
        "grey": "integer",
        "share_green": "number",
        "share_red": "number",
        "open_reports": "integer",
        "median_hours_to_acknowledge": "number",
        "computed_at": "date-time",
        **DISTRICT_TYPES,
        **DASHBOARD_TYPES,
    }
    return Collection(
        id="districts",
        title="District indicators of La Libertad",
        description=(
            "The 84 districts with the number of water systems by traffic-light colour, the "
            "population they serve, open and overdue citizen reports, the median and 90th "
            "percentile of the time to acknowledge and to resolve one (last 12 months) and the "
            "official chlorine readings of the last complete month, as on the dashboards."
        ),
        keywords=("districts", "indicators", "La Libertad", "Peru"),
        # One licence a portal can store: the polygons are mapsPERU's (GPL-3.0), and the CC BY 4.0
        # indicators joined to them may be redistributed under the GPL (CC BY 4.0 is one-way
        # compatible with GPLv3), so the whole layer is GPL-3.0-only.
        licence=GPL_3,
        attribution=(
            f"{PROJECT_ATTRIBUTION}; boundaries: {catalog.MAPSPERU}, GPL-3.0; {UBIGEO_ATTRIBUTION}"
        ),
        from_clause=from_clause,
        key=district.id,
        feature_id=district.ubigeo_inei,
        geometry=district.geom,
        geometry_type="MultiPolygon",
        temporal=indicator.computed_at,
        temporal_description="computed_at of the indicators",
        properties=properties,
        property_types=types,
        where=(district.level == AreaLevel.DISTRICT,),
        filters={
            "province": Filter("province", province.ubigeo_inei, "Province INEI ubigeo"),
            "ubigeo": Filter("ubigeo", district.ubigeo_inei, "District INEI ubigeo"),
        },
        points=False,
    )
