"""Public read models: reports, systems, sources, districts. No reporter data ever leaves here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from geodata.bbox import BBox
from geodata.errors import NotFound
from geodata.messages import shown
from geodata.models import (
    AdminArea,
    AreaLevel,
    DistrictIndicator,
    Measurement,
    Provider,
    Report,
    ReportCategory,
    ReportStatus,
    ReportUpdate,
    WaterSource,
    WaterStatus,
    WaterSystem,
)
from geodata.opendata.privacy import public_text
from geodata.reports import statuses
from geodata.reports.codes import normalize_tracking_code
from geodata.reports.errors import (
    DistrictNotFound,
    ReportNotFound,
    SourceNotFound,
    SystemNotFound,
)
from geodata.reports.indicators import provider_figures


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


def _page(session: Session, stmt: Select[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.execute(stmt.limit(limit).offset(offset)).all())
    return rows, int(total)


# --- reports -------------------------------------------------------------------------------

_district = aliased(AdminArea)
_original = aliased(Report)


def _report_select() -> Select[Any]:
    return (
        select(
            Report.id,
            Report.tracking_code,
            Report.category,
            Report.status,
            Report.description,
            Report.public_description,
            Report.language,
            func.ST_X(Report.geom).label("lon"),
            func.ST_Y(Report.geom).label("lat"),
            Report.location_code,
            Report.rejection_reason,
            Report.rejection_reason_msg,
            Report.received_at,
            Report.validated_at,
            Report.acknowledged_at,
            Report.resolved_at,
            Report.photo_path,
            _district.ubigeo_inei.label("district_ubigeo"),
            _district.name.label("district_name"),
            WaterSystem.code.label("system_code"),
            WaterSystem.name.label("system_name"),
            WaterSource.code.label("source_code"),
            Provider.name.label("provider_name"),
            _original.tracking_code.label("duplicate_of"),
        )
        .outerjoin(_district, _district.id == Report.district_id)
        .outerjoin(WaterSystem, WaterSystem.id == Report.system_id)
        .outerjoin(WaterSource, WaterSource.id == Report.source_id)
        .outerjoin(Provider, Provider.id == Report.provider_id)
        .outerjoin(_original, _original.id == Report.duplicate_of_id)
    )


def _report_item(row: Any, language: str = "es") -> dict[str, Any]:
    item = row._asdict()
    item.pop("id")
    item["rejection_reason"] = shown(
        item.pop("rejection_reason_msg"), item["rejection_reason"], language
    )
    # People type phone numbers and e-mails into descriptions; public views never show them.
    item["description"] = public_text(item["description"], item.pop("public_description"))
    # A photo is reachable only while its report is public (never a received or rejected one's).
    item["has_photo"] = item.pop("photo_path") is not None and item["status"] in statuses.PUBLIC
    return item


def list_reports(
    session: Session,
    *,
    bbox: BBox | None = None,
    status: ReportStatus | None = None,
    category: ReportCategory | None = None,
    district: str | None = None,
    since: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
    language: str = "es",
) -> Page:
    stmt = (
        _report_select()
        .where(Report.status.in_(statuses.PUBLIC))
        .order_by(Report.received_at.desc(), Report.id.desc())
    )
    if bbox is not None:
        stmt = stmt.where(Report.geom.intersects(bbox.envelope()))
    if status is not None:
        stmt = stmt.where(Report.status == status)
    if category is not None:
        stmt = stmt.where(Report.category == category)
    if district is not None:
        stmt = stmt.where(_district.ubigeo_inei == district)
    if since is not None:
        stmt = stmt.where(Report.received_at >= since)
    rows, total = _page(session, stmt, limit, offset)
    return Page([_report_item(r, language) for r in rows], total, limit, offset)


def report_by_code(session: Session, code: str, language: str = "es") -> dict[str, Any]:
    """One report by tracking code, with its public updates and readings; Yaku's own words
    (notes, the rejection reason, the explanation of readings) in ``language``."""
    row = session.execute(
        _report_select().where(Report.tracking_code == normalize_tracking_code(code))
    ).first()
    if row is None:
        raise ReportNotFound()
    item = _report_item(row, language)
    updates = session.execute(
        select(
            ReportUpdate.from_status,
            ReportUpdate.to_status,
            ReportUpdate.actor_kind,
            ReportUpdate.actor_name,
            ReportUpdate.note,
            ReportUpdate.note_msg,
            ReportUpdate.created_at,
        )
        .where(ReportUpdate.report_id == row.id, ReportUpdate.is_public.is_(True))
        .order_by(ReportUpdate.id)
    )
    item["updates"] = []
    for u in updates:
        update = u._asdict()
        update["note"] = shown(update.pop("note_msg"), update["note"], language)
        item["updates"].append(update)
    readings = session.execute(
        select(
            Measurement.parameter_code.label("parameter"),
            Measurement.value,
            Measurement.unit,
            Measurement.compliance,
            Measurement.explanation,
            Measurement.explanation_msg,
        )
        .where(Measurement.report_id == row.id)
        .order_by(Measurement.id)
    )
    item["measurements"] = []
    for m in readings:
        reading = m._asdict()
        reading["explanation"] = shown(
            reading.pop("explanation_msg"), reading["explanation"], language
        )
        item["measurements"].append(reading)
    return item


def public_photo_key(session: Session, code: str, thumbnail: bool) -> str:
    """The stored photo (or thumbnail) of a public report. A report that is not public
    (received, rejected) has no photo anyone can fetch: it answers as if it had none."""
    row = session.execute(
        select(Report.photo_path, Report.thumbnail_path, Report.status).where(
            Report.tracking_code == normalize_tracking_code(code)
        )
    ).first()
    if row is None:
        raise ReportNotFound()
    key = row.thumbnail_path if thumbnail else row.photo_path
    if key is None or row.status not in statuses.PUBLIC:
        raise NotFound()
    return str(key)


# --- systems and sources -------------------------------------------------------------------


def _status_columns(model: Any) -> list[Any]:
    return [
        model.status,
        model.status_evidence,
        model.status_evidence_at,
        model.status_reason,
        model.status_reason_msg,
        model.status_updated_at,
        model.alert_category,
        model.alert_since,
    ]


def _system_select() -> Select[Any]:
    return (
        select(
            WaterSystem.id,
            WaterSystem.code,
            WaterSystem.name,
            WaterSystem.system_type,
            func.ST_X(WaterSystem.geom).label("lon"),
            func.ST_Y(WaterSystem.geom).label("lat"),
            *_status_columns(WaterSystem),
            WaterSystem.population_served,
            WaterSystem.communities,
            WaterSystem.has_treatment,
            WaterSystem.surveyed_on,
            _district.ubigeo_inei.label("district_ubigeo"),
            _district.name.label("district_name"),
            Provider.name.label("provider_name"),
            Provider.kind.label("provider_kind"),
        )
        .outerjoin(_district, _district.id == WaterSystem.district_id)
        .outerjoin(Provider, Provider.id == WaterSystem.provider_id)
    )


def _source_select() -> Select[Any]:
    return (
        select(
            WaterSource.id,
            WaterSource.code,
            WaterSource.name,
            WaterSource.source_type,
            func.ST_X(WaterSource.geom).label("lon"),
            func.ST_Y(WaterSource.geom).label("lat"),
            *_status_columns(WaterSource),
            WaterSystem.code.label("system_code"),
            _district.ubigeo_inei.label("district_ubigeo"),
            _district.name.label("district_name"),
        )
        .outerjoin(WaterSystem, WaterSystem.id == WaterSource.system_id)
        .outerjoin(_district, _district.id == WaterSource.district_id)
    )


def _filtered(
    stmt: Select[Any],
    model: Any,
    bbox: BBox | None,
    status: WaterStatus | None,
    district: str | None,
) -> Select[Any]:
    if bbox is not None:
        stmt = stmt.where(model.geom.intersects(bbox.envelope()))
    if status is not None:
        stmt = stmt.where(model.status == status)
    if district is not None:
        stmt = stmt.where(_district.ubigeo_inei == district)
    return stmt.order_by(model.code)


def _without_id(row: Any, language: str = "es") -> dict[str, Any]:
    item = row._asdict()
    item.pop("id")
    if "status_reason_msg" in item:
        item["status_reason"] = shown(
            item.pop("status_reason_msg"), item["status_reason"], language
        )
    return item


def list_systems(
    session: Session,
    *,
    bbox: BBox | None = None,
    status: WaterStatus | None = None,
    district: str | None = None,
    limit: int = 100,
    offset: int = 0,
    language: str = "es",
) -> Page:
    stmt = _filtered(_system_select(), WaterSystem, bbox, status, district)
    rows, total = _page(session, stmt, limit, offset)
    return Page([_without_id(r, language) for r in rows], total, limit, offset)


def list_sources(
    session: Session,
    *,
    bbox: BBox | None = None,
    status: WaterStatus | None = None,
    district: str | None = None,
    limit: int = 100,
    offset: int = 0,
    language: str = "es",
) -> Page:
    stmt = _filtered(_source_select(), WaterSource, bbox, status, district)
    rows, total = _page(session, stmt, limit, offset)
    return Page([_without_id(r, language) for r in rows], total, limit, offset)


def system_by_code(session: Session, code: str, language: str = "es") -> dict[str, Any]:
    row = session.execute(_system_select().where(WaterSystem.code == code)).first()
    if row is None:
        raise SystemNotFound()
    item = _without_id(row, language)
    item["sources"] = list(
        session.scalars(
            select(WaterSource.code)
            .where(WaterSource.system_id == row.id)
            .order_by(WaterSource.code)
        )
    )
    item["open_reports"] = _open_reports(session, Report.system_id == row.id)
    return item


def source_by_code(session: Session, code: str, language: str = "es") -> dict[str, Any]:
    row = session.execute(_source_select().where(WaterSource.code == code)).first()
    if row is None:
        raise SourceNotFound()
    item = _without_id(row, language)
    item["open_reports"] = _open_reports(session, Report.source_id == row.id)
    return item


def _open_reports(session: Session, condition: Any) -> int:
    live = Report.status.in_(statuses.LIVE)
    return int(session.scalar(select(func.count()).where(condition, live)) or 0)


# --- districts -----------------------------------------------------------------------------


def district_indicators(session: Session, ubigeo: str) -> dict[str, Any]:
    province = aliased(AdminArea)
    row = session.execute(
        select(AdminArea, province.name.label("province"), DistrictIndicator)
        .join(province, province.id == AdminArea.parent_id)
        .outerjoin(DistrictIndicator, DistrictIndicator.district_id == AdminArea.id)
        .where(AdminArea.level == AreaLevel.DISTRICT, AdminArea.ubigeo_inei == ubigeo)
    ).first()
    if row is None:
        raise DistrictNotFound()
    area, province_name, indicator = row
    colours = (WaterStatus.GREEN, WaterStatus.YELLOW, WaterStatus.RED, WaterStatus.GREY)
    item: dict[str, Any] = {
        "ubigeo": area.ubigeo_inei,
        "ubigeo_reniec": area.ubigeo_reniec,
        "name": area.name,
        "province": province_name,
        "computed_at": indicator.computed_at if indicator else None,
        "systems": indicator.systems if indicator else 0,
        "population_served": indicator.population_served if indicator else 0,
        "open_reports": indicator.open_reports if indicator else 0,
        "median_hours_to_acknowledge": (
            indicator.median_hours_to_acknowledge if indicator else None
        ),
        "median_hours_to_resolve": indicator.median_hours_to_resolve if indicator else None,
        "overdue_reports": indicator.overdue_reports if indicator else 0,
        "counts": {c.value: getattr(indicator, c.value) if indicator else 0 for c in colours},
        "shares": {c.value: round(indicator.share(c), 4) if indicator else 0.0 for c in colours},
        # How each body of the district answers (bodies are public; no personal data).
        "providers": provider_figures(session, Provider.district_id == area.id),
    }
    return item
