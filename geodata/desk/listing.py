"""The desk's list of reports: the scope's reports, those needing attention first.

Order: overdue (not acknowledged in time) first, then urgent open ones, then the newest.
Duplicates are grouped under their original when the original is in the same list (a count
and their codes); one whose original the account cannot see is listed on its own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from geodata.accounts.errors import Forbidden
from geodata.accounts.scope import Scope
from geodata.models import (
    AdminArea,
    AreaLevel,
    Provider,
    Report,
    ReportCategory,
    ReportStatus,
    WaterSystem,
)
from geodata.opendata.privacy import mask_contacts
from geodata.reports import deadlines, statuses
from geodata.reports.validation import MAX_VALIDATION_ATTEMPTS

MAX_LIMIT = 200
MAX_OFFSET = 100_000
MAX_AGE_DAYS = 3650


@dataclass(frozen=True, slots=True)
class Filters:
    status: ReportStatus | None = None
    category: ReportCategory | None = None
    system: str | None = None  # public system code
    district: str | None = None  # INEI ubigeo
    min_age_days: int | None = None  # received at least this many days ago
    max_age_days: int | None = None  # received at most this many days ago
    overdue: bool | None = None
    failed: bool = False  # moderators: reports whose validation failed every time


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


def failed_validation() -> Any:
    return and_(
        Report.status == ReportStatus.RECEIVED,
        Report.validation_attempts >= MAX_VALIDATION_ATTEMPTS,
    )


def _conditions(session: Session, scope: Scope, filters: Filters, now: datetime) -> list[Any]:
    """Conditions on ``Report`` columns only, so the same list can filter a subquery."""
    conditions: list[Any] = [scope.reports_clause()]
    if filters.failed:
        if not scope.can_moderate():
            raise Forbidden()
        conditions.append(failed_validation())
    elif filters.status is not None:
        conditions.append(Report.status == filters.status)
    else:  # unchecked reports are not anyone's work yet (moderators see failed ones apart)
        conditions.append(Report.status != ReportStatus.RECEIVED)
    if filters.category is not None:
        conditions.append(Report.category == filters.category)
    if filters.system is not None:
        system_id = session.scalar(
            select(WaterSystem.id).where(WaterSystem.code == filters.system.strip())
        )
        conditions.append(Report.system_id == system_id if system_id is not None else false())
    if filters.district is not None:
        district_id = session.scalar(
            select(AdminArea.id).where(
                AdminArea.level == AreaLevel.DISTRICT,
                AdminArea.ubigeo_inei == filters.district.strip(),
            )
        )
        conditions.append(Report.district_id == district_id if district_id is not None else false())
    if filters.min_age_days is not None:
        conditions.append(Report.received_at <= now - timedelta(days=filters.min_age_days))
    if filters.max_age_days is not None:
        conditions.append(Report.received_at >= now - timedelta(days=filters.max_age_days))
    if filters.overdue is not None:
        overdue = deadlines.overdue_clause(now)
        conditions.append(overdue if filters.overdue else ~overdue)
    return conditions


def list_reports(
    session: Session,
    scope: Scope,
    filters: Filters,
    *,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> Page:
    now = now or datetime.now(UTC)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, min(offset, MAX_OFFSET))
    conditions = _conditions(session, scope, filters, now)
    # Hide a duplicate when its original is in this very list (it is shown inside it).
    listed = select(Report.id).where(*conditions).correlate(None)
    grouped = or_(Report.duplicate_of_id.is_(None), Report.duplicate_of_id.not_in(listed))
    live = Report.status.in_(statuses.LIVE)
    attention = (
        case((deadlines.overdue_clause(now), 0), else_=1),
        case((and_(live, Report.is_urgent), 0), else_=1),
    )
    total = session.scalar(select(func.count()).select_from(Report).where(*conditions, grouped))
    # Order and cut on narrow rows first (the backlog may be large), then read the page.
    page_ids = list(
        session.scalars(
            select(Report.id)
            .where(*conditions, grouped)
            .order_by(*attention, Report.received_at.desc(), Report.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    position = {report_id: index for index, report_id in enumerate(page_ids)}
    rows = sorted(
        session.execute(
            select(
                Report,
                func.ST_X(Report.geom).label("lon"),
                func.ST_Y(Report.geom).label("lat"),
                WaterSystem.code.label("system_code"),
                WaterSystem.name.label("system_name"),
                AdminArea.ubigeo_inei.label("district_ubigeo"),
                AdminArea.name.label("district_name"),
                Provider.name.label("provider_name"),
            )
            .outerjoin(WaterSystem, WaterSystem.id == Report.system_id)
            .outerjoin(AdminArea, AdminArea.id == Report.district_id)
            .outerjoin(Provider, Provider.id == Report.provider_id)
            .where(Report.id.in_(page_ids))
        ).all(),
        key=lambda row: position[row.Report.id],
    )
    groups = duplicates_of(session, scope, [row.Report.id for row in rows])
    originals = _visible_codes(session, scope, [row.Report.duplicate_of_id for row in rows])
    items = []
    for row in rows:
        report: Report = row.Report
        item = summary(scope, report, now)
        item.update(
            lon=row.lon,
            lat=row.lat,
            system_code=row.system_code,
            system_name=row.system_name,
            district_ubigeo=row.district_ubigeo,
            district_name=row.district_name,
            provider_name=row.provider_name,
            duplicate_of=originals.get(report.duplicate_of_id) if report.duplicate_of_id else None,
            duplicates={
                "count": len(groups.get(report.id, [])),
                "codes": groups.get(report.id, []),
            },
        )
        items.append(item)
    return Page(items, int(total or 0), limit, offset)


def summary(scope: Scope, report: Report, now: datetime) -> dict[str, Any]:
    """The fields of a report the desk shows everywhere (no reporter contact here)."""
    description = report.description or ""
    return {
        "tracking_code": report.tracking_code,
        "category": ReportCategory(report.category).value,
        "status": ReportStatus(report.status).value,
        # Reporters type phone numbers into descriptions: only those who may see the
        # reporter's contact see them unmasked.
        "description": description if scope.sees_private(report) else mask_contacts(description),
        "received_at": report.received_at,
        "validated_at": report.validated_at,
        "acknowledged_at": report.acknowledged_at,
        "resolved_at": report.resolved_at,
        "due_at": report.due_at,
        "overdue": deadlines.is_overdue(report, now),
        "overdue_at": report.overdue_at,
        "is_urgent": report.is_urgent,
        "confirmed_at": report.confirmed_at,
        "provider_id": report.provider_id,
        "has_photo": report.photo_path is not None,
    }


def duplicates_of(session: Session, scope: Scope, report_ids: list[int]) -> dict[int, list[str]]:
    """original id -> tracking codes of its duplicates this scope may see."""
    if not report_ids:
        return {}
    rows = session.execute(
        select(Report.duplicate_of_id, Report.tracking_code)
        .where(Report.duplicate_of_id.in_(report_ids), scope.reports_clause())
        .order_by(Report.received_at, Report.id)
    ).all()
    groups: dict[int, list[str]] = defaultdict(list)
    for original_id, code in rows:
        if original_id is not None:
            groups[original_id].append(code)
    return groups


def _visible_codes(session: Session, scope: Scope, ids: list[int | None]) -> dict[int, str]:
    """Tracking codes of the given reports, only of those this scope may know of."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = session.execute(
        select(Report.id, Report.tracking_code).where(Report.id.in_(wanted), scope.reports_clause())
    ).all()
    return {report_id: code for report_id, code in rows}


def visible_code(session: Session, scope: Scope, report_id: int | None) -> str | None:
    if report_id is None:
        return None
    return _visible_codes(session, scope, [report_id]).get(report_id)
