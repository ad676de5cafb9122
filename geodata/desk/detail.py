"""One report as the desk sees it: every update (public and internal), measurements, photo
links, the reporter's contact only for those the scope lets see it, and what may be done."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.accounts.scope import Scope
from geodata.desk.listing import duplicates_of, summary, visible_code
from geodata.desk.rules import allowed_actions
from geodata.models import AdminArea, Measurement, Provider, Report, ReportUpdate, WaterSystem


def report_detail(
    session: Session, scope: Scope, report: Report, now: datetime | None = None
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    item = summary(scope, report, now)
    lon, lat = (
        session.execute(
            select(func.ST_X(Report.geom), func.ST_Y(Report.geom)).where(Report.id == report.id)
        ).one()
        if report.geom is not None
        else (None, None)
    )
    system = session.get(WaterSystem, report.system_id) if report.system_id else None
    district = session.get(AdminArea, report.district_id) if report.district_id else None
    provider = session.get(Provider, report.provider_id) if report.provider_id else None
    item.update(
        language=report.language,
        lon=lon,
        lat=lat,
        location_code=report.location_code,
        closed_at=report.closed_at,
        rejection_reason=report.rejection_reason,
        validation_notes=list(report.validation_notes or []),
        system=(
            {"code": system.code, "name": system.name, "status": system.status.value}
            if system
            else None
        ),
        district={"ubigeo": district.ubigeo_inei, "name": district.name} if district else None,
        provider={"id": provider.id, "name": provider.name} if provider else None,
        duplicate_of=visible_code(session, scope, report.duplicate_of_id),
        duplicates=duplicates_of(session, scope, [report.id]).get(report.id, []),
        # The desk's own photo routes: staff see the photo of a report in their scope even
        # while it is not public (received, rejected); the public routes never serve those.
        photo_url=f"/api/v1/desk/reports/{report.tracking_code}/photo"
        if report.photo_path
        else None,
        thumbnail_url=f"/api/v1/desk/reports/{report.tracking_code}/thumbnail"
        if report.photo_path
        else None,
        updates=updates_of(session, report.id),
        measurements=measurements_of(session, report.id),
        allowed_actions=[a.value for a in allowed_actions(scope, report)],
    )
    if scope.sees_private(report):
        item["reporter_contact"] = report.reporter_contact
    if scope.can_moderate():
        item["validation_attempts"] = report.validation_attempts
        item["validation_error"] = report.validation_error
    return item


def updates_of(session: Session, report_id: int) -> list[dict[str, Any]]:
    """The whole timeline, internal notes included (the desk only; never the person's id)."""
    return [
        row._asdict()
        for row in session.execute(
            select(
                ReportUpdate.from_status,
                ReportUpdate.to_status,
                ReportUpdate.actor_kind,
                ReportUpdate.actor_name,
                ReportUpdate.actor_role,
                ReportUpdate.channel,
                ReportUpdate.note,
                ReportUpdate.is_public,
                ReportUpdate.created_at,
            )
            .where(ReportUpdate.report_id == report_id)
            .order_by(ReportUpdate.created_at, ReportUpdate.id)
        )
    ]


def measurements_of(session: Session, report_id: int) -> list[dict[str, Any]]:
    return [
        row._asdict()
        for row in session.execute(
            select(
                Measurement.parameter_code.label("parameter"),
                Measurement.value,
                Measurement.unit,
                Measurement.compliance,
                Measurement.explanation,
            )
            .where(Measurement.report_id == report_id)
            .order_by(Measurement.id)
        )
    ]
