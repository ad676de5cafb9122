"""The notices a body's desk lists: the ones about its reports that could not be delivered
(and the last ones sent), recipients masked. ATM staff see those of their district's reports;
moderators, health staff and administrators every one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from geodata.accounts.scope import Scope
from geodata.models import Delivery, DeliveryStatus, Report
from geodata.notify.base import mask_address

LIMIT = 100


def notices(
    session: Session,
    scope: Scope,
    status: DeliveryStatus = DeliveryStatus.FAILED,
    limit: int = LIMIT,
) -> list[dict[str, Any]]:
    stmt = (
        select(Delivery, Report.tracking_code)
        .outerjoin(Report, Report.id == Delivery.report_id)
        .where(Delivery.status == status)
        .order_by(Delivery.updated_at.desc(), Delivery.id.desc())
        .limit(limit)
    )
    if not scope.sees_everything:
        clauses = []
        if scope.provider_ids:
            clauses.append(Delivery.provider_id.in_(sorted(scope.provider_ids)))
        if scope.district_ids:
            clauses.append(Report.district_id.in_(sorted(scope.district_ids)))
        if not clauses:
            return []
        stmt = stmt.where(Delivery.provider_id.is_not(None), or_(*clauses))
    return [
        {
            "id": row.id,
            "event": row.event_key,
            "report": code,
            "recipient": mask_address(row.recipient),
            "channel": row.channel.value,
            "subject": row.subject,
            "status": row.status.value,
            "attempts": row.attempts,
            "error": row.error,
            "updated_at": row.updated_at,
        }
        for row, code in session.execute(stmt)
    ]
