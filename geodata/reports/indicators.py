"""How bodies answer, in SQL: per provider and per district, refreshed by aggregation.

Counted reports are the validated ones, each problem once (a duplicate counts with its
original). Times run from when the citizen sent the report: to the first answer
(acknowledged) and to the solution (resolved). Overdue: validated, not acknowledged, and past
the due time (``deadlines.overdue_clause``). No personal data: these figures are public.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select, text, union
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer

from geodata.models import Provider, ProviderIndicator, Report
from geodata.reports import statuses
from geodata.reports.deadlines import overdue_clause

PROVIDER_LOCK_NAMESPACE = 7302

HOURS_TO_ACKNOWLEDGE = func.extract("epoch", Report.acknowledged_at - Report.received_at) / 3600.0
HOURS_TO_RESOLVE = func.extract("epoch", Report.resolved_at - Report.received_at) / 3600.0
COUNTED = and_(Report.validated_at.is_not(None), Report.duplicate_of_id.is_(None))


def median(hours: Any) -> Any:
    """The median of an hours expression (NULLs, not yet reached, are left out)."""
    return func.percentile_cont(0.5).within_group(hours)


def district_answer_figures(
    session: Session, district_ids: Sequence[int], now: datetime
) -> dict[int, tuple[float | None, float | None, int]]:
    """district id -> (median hours to acknowledge, median hours to resolve, overdue now)."""
    rows = session.execute(
        select(
            Report.district_id,
            median(HOURS_TO_ACKNOWLEDGE),
            median(HOURS_TO_RESOLVE),
            func.count().filter(overdue_clause(now)),
        )
        .where(Report.district_id.in_(list(district_ids)), COUNTED)
        .group_by(Report.district_id)
    ).all()
    return {
        d: (_hours(ack), _hours(res), int(overdue))
        for d, ack, res, overdue in rows
        if d is not None
    }


def _hours(value: Any) -> float | None:
    return float(value) if value is not None else None


def providers_to_refresh(session: Session) -> list[int]:
    """Every provider that holds a report or already has figures (the full recompute)."""
    held = select(Report.provider_id).where(Report.provider_id.is_not(None)).distinct()
    known = select(ProviderIndicator.provider_id)
    return sorted(i for i in session.scalars(union(held, known)) if i is not None)


def refresh_providers(session: Session, provider_ids: Sequence[int], now: datetime) -> None:
    """Rewrite the figures of these providers (zeros for one that holds nothing any more)."""
    ids = sorted(set(provider_ids))
    if not ids:
        return
    session.execute(
        text(
            "SELECT pg_advisory_xact_lock(:ns, p) "
            "FROM (SELECT p FROM unnest(:ids) AS p ORDER BY p OFFSET 0) AS ordered"
        ).bindparams(bindparam("ids", type_=ARRAY(Integer))),
        {"ns": PROVIDER_LOCK_NAMESPACE, "ids": ids},
    )
    rows = session.execute(
        select(
            Report.provider_id,
            func.count(),
            func.count().filter(Report.status.in_(statuses.LIVE)),
            func.count().filter(overdue_clause(now)),
            func.count().filter(Report.acknowledged_at <= Report.due_at),
            func.count().filter(Report.resolved_at.is_not(None)),
            median(HOURS_TO_ACKNOWLEDGE),
            median(HOURS_TO_RESOLVE),
        )
        .where(Report.provider_id.in_(ids), COUNTED)
        .group_by(Report.provider_id)
    ).all()
    figures = {row[0]: row[1:] for row in rows}
    values = []
    for provider_id in ids:
        received, open_, overdue, in_time, resolved, ack, res = figures.get(
            provider_id, (0, 0, 0, 0, 0, None, None)
        )
        values.append(
            {
                "provider_id": provider_id,
                "received_reports": int(received),
                "open_reports": int(open_),
                "overdue_reports": int(overdue),
                "acknowledged_in_time": int(in_time),
                "resolved_reports": int(resolved),
                "median_hours_to_acknowledge": _hours(ack),
                "median_hours_to_resolve": _hours(res),
                "computed_at": now,
            }
        )
    existing = set(session.scalars(select(Provider.id).where(Provider.id.in_(ids))))
    values = [v for v in values if v["provider_id"] in existing]
    if not values:
        return
    stmt = insert(ProviderIndicator).values(values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[ProviderIndicator.provider_id],
            set_={k: stmt.excluded[k] for k in values[0] if k != "provider_id"},
        )
    )


FIGURES = (
    "received_reports",
    "open_reports",
    "overdue_reports",
    "acknowledged_in_time",
    "resolved_reports",
    "median_hours_to_acknowledge",
    "median_hours_to_resolve",
)


def provider_figures(session: Session, condition: Any, limit: int = 500) -> list[dict[str, Any]]:
    """Public figures of the providers matching ``condition`` (on ``Provider``), with zeros
    for those not computed yet; most overdue first."""
    rows = session.execute(
        select(
            Provider.id, Provider.name, Provider.kind, Provider.is_district_atm, ProviderIndicator
        )
        .outerjoin(ProviderIndicator, ProviderIndicator.provider_id == Provider.id)
        .where(condition)
        .order_by(
            func.coalesce(ProviderIndicator.overdue_reports, 0).desc(),
            func.coalesce(ProviderIndicator.received_reports, 0).desc(),
            Provider.name,
        )
        .limit(limit)
    ).all()
    items = []
    for provider_id, name, kind, is_atm, indicator in rows:
        item: dict[str, Any] = {
            "provider_id": provider_id,
            "name": name,
            "kind": kind.value,
            "is_district_atm": is_atm,
            "computed_at": indicator.computed_at if indicator else None,
        }
        for figure in FIGURES:
            default = None if figure.startswith("median") else 0
            item[figure] = getattr(indicator, figure) if indicator else default
        items.append(item)
    return items
