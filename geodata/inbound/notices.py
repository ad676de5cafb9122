"""Which report a provider's numbered reply without a tracking code answers: the last one
whose notice went to that phone. The outbound notice calls ``remember_notice`` when it sends."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geodata.inbound.gateways import phone_of
from geodata.models import NoticeTarget


def remember_notice(
    session: Session, phone: str, report_id: int, now: datetime | None = None
) -> None:
    """``report_id`` is now the report a bare ``3`` from ``phone`` answers. Flushes nothing
    beyond the one upsert; the caller's transaction commits it."""
    number = phone_of(phone)
    noticed = now or datetime.now(UTC)
    stmt = insert(NoticeTarget).values(phone=number, report_id=report_id, noticed_at=noticed)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[NoticeTarget.phone],
            set_={"report_id": stmt.excluded.report_id, "noticed_at": stmt.excluded.noticed_at},
        )
    )


def last_noticed(session: Session, phone: str) -> int | None:
    return session.scalar(select(NoticeTarget.report_id).where(NoticeTarget.phone == phone))
