"""Water Point Data Exchange (WPdx) rows for systems and sources.

WPdx CSVs carry two header rows: human-readable names, then the HXL hashtags. ``#status_id``
answers "was there any water on the report date?": red (which covers "no water") -> No,
green/yellow -> Yes; with no current evidence (grey) the report date is the survey's, and the
survey's answer for the season of that date decides (water in the rainy season, December to April
in the Andes of La Libertad, or in the dry season, May to November), else Unknown.
``#report_date`` is the date of the evidence behind the status, else the survey date.

Every coded field uses WPdx's own terms (the cleaned vocabularies of WPdx+: ``#water_source``,
``#water_tech``, ``#management``, ``#fecal_coliform_presence`` Yes/No); a value we do not hold is
left empty, never guessed (SIASAR's technology answers are all "NO", so ``#water_tech`` is known
only where a system's type is).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, null, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from geodata.models import (
    AdminArea,
    Dataset,
    Measurement,
    Provider,
    WaterSource,
    WaterStatus,
    WaterSystem,
)
from geodata.opendata.licences import PROJECT_ATTRIBUTION

COLUMNS: tuple[tuple[str, str], ...] = (
    ("Water point ID", "#row_id"),
    ("Latitude", "#lat_deg"),
    ("Longitude", "#lon_deg"),
    ("Report date", "#report_date"),
    ("Water available (status)", "#status_id"),
    ("Status detail", "#status"),
    ("Water source", "#water_source"),
    ("Water technology", "#water_tech"),
    ("Facility type", "#facility_type"),
    ("Management", "#management"),
    ("Pay", "#pay"),
    ("Install year", "#install_year"),
    ("Fecal coliform presence", "#fecal_coliform_presence"),
    ("Fecal coliform value (CFU/100 mL)", "#fecal_coliform_value"),
    ("Subjective quality", "#subjective_quality"),
    ("Source", "#source"),
    ("Scheme ID", "#scheme_id"),
    ("Water point name", "#water_point_name"),
    ("Population served", "#water_point_population"),
    ("Water source category", "#water_source_category"),
    ("Installer", "#installer"),
    ("Rehabilitation year", "#rehab_year"),
    ("Rehabilitator", "#rehabilitator"),
    ("Original record link", "#orig_lnk"),
    ("Photo link", "#photo_lnk"),
    ("Activity ID", "#activity_id"),
    ("Notes", "#notes"),
    ("Admin 1", "#adm1"),
    ("Admin 2", "#adm2"),
    ("Admin 3", "#adm3"),
    ("Country ID", "#country_id"),
    ("Country", "#country_name"),
    ("Data link", "#data_lnk"),
)
HASHTAGS = tuple(tag for _, tag in COLUMNS)
NAMES = tuple(name for name, _ in COLUMNS)

# SIASAR says whether a catchment is a spring or a well, not whether it is protected: WPdx's
# "undefined" terms say exactly that.
WATER_SOURCE = {
    "spring": "Undefined Spring",
    "well": "Undefined Shallow Well",
    "river": "Surface Water (River/Stream/Lake/Pond/Dam)",
    "lake": "Surface Water (River/Stream/Lake/Pond/Dam)",
    "rainwater": "Rainwater Harvesting",
}
WATER_SOURCE_CATEGORY = {
    "Undefined Spring": "Spring",
    "Undefined Shallow Well": "Well",
    "Surface Water (River/Stream/Lake/Pond/Dam)": "Surface Water",
    "Rainwater Harvesting": "Rainwater Harvesting",
}
# A gravity system delivers at taps; a pumped one lifts with a motor.
WATER_TECH = {
    "gravity": "Tapstand",
    "pumped": "Mechanized Pump",
    "hand_well": "Hand Pump",
}
# JASS are community boards; municipalities and EPS (municipally owned utilities) are government.
MANAGEMENT = {
    "jass": "Community Management",
    "municipality": "Direct Government Operation",
    "eps": "Direct Government Operation",
}
RAINY_MONTHS = (12, 1, 2, 3, 4)
FAECAL_PARAMETERS = ("e_coli", "thermotolerant_coliforms")


def status_id(
    status: str, water_dry: bool | None, water_rainy: bool | None, on: date | None
) -> str:
    """Water on the report date ``on``: from the evidence, else the survey's seasonal answer."""
    if status == WaterStatus.RED:
        return "No"
    if status in (WaterStatus.GREEN, WaterStatus.YELLOW):
        return "Yes"
    if on is None:
        return "Unknown"
    answer = water_rainy if on.month in RAINY_MONTHS else water_dry
    if answer is None:
        return "Unknown"
    return "Yes" if answer else "No"


def report_date(evidence_at: datetime | None, surveyed_on: date | None) -> str:
    if evidence_at is not None:
        return evidence_at.date().isoformat()
    return surveyed_on.isoformat() if surveyed_on else ""


def fecal_presence(value: float | None) -> str:
    if value is None:
        return ""
    return "Yes" if value > 0 else "No"


def _latest_faecal(column: ColumnElement[Any]) -> Any:
    return (
        select(Measurement.value)
        .where(column, Measurement.parameter_code.in_(FAECAL_PARAMETERS))
        .order_by(Measurement.sampled_at.desc(), Measurement.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _attribution(dataset_attribution: str | None) -> str:
    if dataset_attribution:
        return f"{PROJECT_ATTRIBUTION}; {dataset_attribution}"
    return PROJECT_ATTRIBUTION


def systems_statement() -> Select[Any]:
    district = aliased(AdminArea)
    province = aliased(AdminArea)
    first_source = (
        select(WaterSource.source_type)
        .where(WaterSource.system_id == WaterSystem.id)
        .order_by(WaterSource.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            WaterSystem.code,
            func.ST_Y(WaterSystem.geom),
            func.ST_X(WaterSystem.geom),
            WaterSystem.status,
            WaterSystem.status_reason,
            WaterSystem.status_evidence_at,
            WaterSystem.surveyed_on,
            WaterSystem.water_in_dry_season,
            WaterSystem.water_in_rainy_season,
            first_source,
            WaterSystem.system_type,
            Provider.kind,
            WaterSystem.built_year,
            _latest_faecal(Measurement.system_id == WaterSystem.id),
            Dataset.attribution,
            WaterSystem.code,
            WaterSystem.name,
            WaterSystem.population_served,
            province.name,
            district.name,
        )
        .outerjoin(Provider, WaterSystem.provider_id == Provider.id)
        .outerjoin(district, WaterSystem.district_id == district.id)
        .outerjoin(province, district.parent_id == province.id)
        .outerjoin(Dataset, WaterSystem.dataset_id == Dataset.id)
        .order_by(WaterSystem.id)
    )


def sources_statement() -> Select[Any]:
    district = aliased(AdminArea)
    province = aliased(AdminArea)
    system = aliased(WaterSystem)
    return (
        select(
            WaterSource.code,
            func.ST_Y(WaterSource.geom),
            func.ST_X(WaterSource.geom),
            WaterSource.status,
            WaterSource.status_reason,
            WaterSource.status_evidence_at,
            system.surveyed_on,
            system.water_in_dry_season,
            system.water_in_rainy_season,
            WaterSource.source_type,
            system.system_type,
            Provider.kind,
            system.built_year,
            _latest_faecal(Measurement.source_id == WaterSource.id),
            Dataset.attribution,
            system.code,
            WaterSource.name,
            null(),
            province.name,
            district.name,
        )
        .outerjoin(system, WaterSource.system_id == system.id)
        .outerjoin(Provider, system.provider_id == Provider.id)
        .outerjoin(district, WaterSource.district_id == district.id)
        .outerjoin(province, district.parent_id == province.id)
        .outerjoin(Dataset, WaterSource.dataset_id == Dataset.id)
        .order_by(WaterSource.id)
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def wpdx_rows(session: Session, collection_id: str, feature_url: str) -> Iterator[tuple[str, ...]]:
    """Data rows in ``COLUMNS`` order; ``feature_url`` has a ``{code}`` placeholder."""
    statement = systems_statement() if collection_id == "water-systems" else sources_statement()
    facility = "Piped water system" if collection_id == "water-systems" else "Water source"
    for row in session.execute(statement):
        (
            code,
            lat,
            lon,
            status,
            reason,
            evidence_at,
            surveyed_on,
            dry,
            rainy,
            source_type,
            system_type,
            provider_kind,
            built_year,
            faecal,
            attribution,
            scheme,
            name,
            population,
            province,
            district,
        ) = row
        day = evidence_at.date() if evidence_at is not None else surveyed_on
        water_source = WATER_SOURCE.get(_text(source_type), "")
        yield (
            code,
            f"{lat:.6f}",
            f"{lon:.6f}",
            report_date(evidence_at, surveyed_on),
            status_id(status, dry, rainy, day),
            f"traffic light: {status}",
            water_source,
            WATER_TECH.get(_text(system_type), ""),
            facility,
            MANAGEMENT.get(_text(provider_kind), ""),
            "",
            _text(built_year),
            fecal_presence(faecal),
            "" if faecal is None else f"{faecal:g}",
            "",
            _attribution(attribution),
            _text(scheme),
            _text(name),
            _text(population),
            WATER_SOURCE_CATEGORY.get(water_source, ""),
            "",  # installer: not recorded by SIASAR
            "",  # rehabilitation year: not recorded
            "",  # rehabilitator: not recorded
            "",  # original record link: SIASAR's export has none per system
            "",  # photos of citizens' reports are private
            f"{code}-{report_date(evidence_at, surveyed_on)}",
            _text(reason),
            "La Libertad",
            _text(province),
            _text(district),
            "PE",
            "Peru",
            feature_url.format(code=code),
        )
