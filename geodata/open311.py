"""Open311 GeoReport v2 semantics on the report model: services, statuses, public requests.

The adapter in ``api/routers/open311.py`` only parses and renders; what a service is, which of
our statuses are "open", and what of a report is public live here. Reporter contact, fingerprint
and device never leave this module: the select below does not read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from geodata.i18n import translate
from geodata.models import (
    AdminArea,
    Parameter,
    Provider,
    Report,
    ReportCategory,
    ReportStatus,
    ReportUpdate,
)
from geodata.opendata.privacy import public_text
from geodata.reports import statuses
from geodata.search import search_systems

# Service names, as msgids translated by the catalogue (Spanish by default).
SERVICE_NAMES: dict[ReportCategory, str] = {
    ReportCategory.NO_WATER: "No water",
    ReportCategory.INTERMITTENT_SUPPLY: "Intermittent supply",
    ReportCategory.BAD_TASTE_SMELL_COLOUR: "Bad taste, smell or colour",
    ReportCategory.TURBID_WATER: "Turbid water",
    ReportCategory.SUSPECTED_CONTAMINATION: "Suspected contamination",
    ReportCategory.BROKEN_INFRASTRUCTURE: "Broken infrastructure",
    ReportCategory.LEAK: "Leak",
    ReportCategory.NEW_SOURCE: "New water source",
    ReportCategory.SUGGESTION: "Suggestion",
    ReportCategory.OTHER: "Other",
}
SERVICE_GROUPS: dict[ReportCategory, str] = {
    ReportCategory.NO_WATER: "Supply",
    ReportCategory.INTERMITTENT_SUPPLY: "Supply",
    ReportCategory.BAD_TASTE_SMELL_COLOUR: "Water quality",
    ReportCategory.TURBID_WATER: "Water quality",
    ReportCategory.SUSPECTED_CONTAMINATION: "Water quality",
    ReportCategory.BROKEN_INFRASTRUCTURE: "Infrastructure",
    ReportCategory.LEAK: "Infrastructure",
    ReportCategory.NEW_SOURCE: "Map",
    ReportCategory.SUGGESTION: "Other",
    ReportCategory.OTHER: "Other",
}
# Readings a citizen can take with a field kit, offered as optional service attributes.
ATTRIBUTE_PARAMETERS = ("free_chlorine", "turbidity", "ph")
QUALITY_SERVICES = {
    ReportCategory.BAD_TASTE_SMELL_COLOUR,
    ReportCategory.TURBID_WATER,
    ReportCategory.SUSPECTED_CONTAMINATION,
}
MAX_REQUESTS = 1000  # GeoReport v2: "the default should be 1000 requests"
DEFAULT_WINDOW_DAYS = 90  # GeoReport v2: "the default should be the past 90 days"


def open311_status(status: ReportStatus | str) -> str:
    """GeoReport v2 knows only 'open' and 'closed'; rejected reports are closed."""
    return "open" if statuses.is_open(status) else "closed"


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    name: str
    group: str
    metadata: bool
    description: str


@dataclass(frozen=True, slots=True)
class Attribute:
    code: str
    description: str
    datatype: str
    order: int
    unit: str


def services(language: str) -> list[Service]:
    return [
        Service(
            code=category.value,
            name=translate(SERVICE_NAMES[category], language),
            group=translate(SERVICE_GROUPS[category], language),
            metadata=category in QUALITY_SERVICES,
            description=translate(SERVICE_NAMES[category], language),
        )
        for category in ReportCategory
    ]


def service_attributes(
    session: Session, category: ReportCategory, language: str
) -> list[Attribute]:
    if category not in QUALITY_SERVICES:
        return []
    parameters = {
        p.code: p
        for p in session.scalars(select(Parameter).where(Parameter.code.in_(ATTRIBUTE_PARAMETERS)))
    }
    return [
        Attribute(
            code=code,
            description=(
                parameters[code].name_es if language == "es" else parameters[code].name_en
            ),
            datatype="number",
            order=index,
            unit=parameters[code].unit,
        )
        for index, code in enumerate(ATTRIBUTE_PARAMETERS, start=1)
        if code in parameters
    ]


@dataclass(frozen=True, slots=True)
class PublicRequest:
    service_request_id: str
    status: str
    status_notes: str | None
    service_code: str
    description: str
    agency_responsible: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    address: str | None
    lat: float | None
    lon: float | None
    has_photo: bool


@dataclass(frozen=True, slots=True)
class RequestFilters:
    ids: list[str] | None = None
    service_codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: str | None = None


def _latest_public_note() -> Any:
    return (
        select(ReportUpdate.note)
        .where(
            ReportUpdate.report_id == Report.id,
            ReportUpdate.is_public.is_(True),
            ReportUpdate.note.is_not(None),
        )
        .order_by(ReportUpdate.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _public_select() -> Select[Any]:
    return (
        select(
            Report.tracking_code,
            Report.status,
            Report.rejection_reason,
            _latest_public_note().label("note"),
            Report.category,
            Report.description,
            Report.public_description,
            Provider.name.label("agency"),
            Report.received_at,
            Report.updated_at,
            AdminArea.name.label("district"),
            func.ST_Y(Report.geom).label("lat"),
            func.ST_X(Report.geom).label("lon"),
            Report.photo_path.is_not(None).label("has_photo"),
        )
        .outerjoin(Provider, Provider.id == Report.provider_id)
        .outerjoin(AdminArea, AdminArea.id == Report.district_id)
    )


def _to_public(row: Any) -> PublicRequest:
    return PublicRequest(
        service_request_id=row.tracking_code,
        status=open311_status(row.status),
        status_notes=row.rejection_reason if row.status == ReportStatus.REJECTED else row.note,
        service_code=str(ReportCategory(row.category).value),
        description=public_text(row.description, row.public_description),
        agency_responsible=row.agency,
        requested_datetime=row.received_at,
        updated_datetime=row.updated_at,
        address=f"{row.district}, La Libertad" if row.district else None,
        lat=row.lat,
        lon=row.lon,
        has_photo=bool(row.has_photo),
    )


def find_requests(session: Session, filters: RequestFilters, now: datetime) -> list[PublicRequest]:
    stmt = _public_select()
    stmt = stmt.where(Report.status.in_(statuses.PUBLIC))
    if filters.ids:
        stmt = stmt.where(Report.tracking_code.in_(filters.ids))
    else:
        start = filters.start or now - timedelta(days=DEFAULT_WINDOW_DAYS)
        stmt = stmt.where(Report.received_at >= start)
        if filters.end:
            stmt = stmt.where(Report.received_at <= filters.end)
        if filters.service_codes:
            stmt = stmt.where(Report.category.in_(filters.service_codes))
        if filters.status:
            wanted = [s for s in ReportStatus if open311_status(s) == filters.status]
            stmt = stmt.where(Report.status.in_(wanted))
    stmt = stmt.order_by(Report.received_at.desc(), Report.id.desc()).limit(MAX_REQUESTS)
    return [_to_public(row) for row in session.execute(stmt)]


def find_request(session: Session, code: str) -> PublicRequest | None:
    row = session.execute(_public_select().where(Report.tracking_code == code)).first()
    return _to_public(row) if row is not None else None


def locate_address(session: Session, address: str) -> str | None:
    """The code of the water system an ``address_string`` names (its name or a community it
    serves, forgiving of accents and small typos), or ``None``."""
    text = address[:200]
    # The whole address first, then each comma-separated part ("Sistema X, Poroto, Trujillo").
    for query in (text, *(part for part in text.split(",") if part.strip())):
        found, _ = search_systems(session, query, 1)
        if found:
            return str(found[0]["code"])
    return None
