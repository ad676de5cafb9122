"""Statuses of systems and sources, district and provider indicators: incremental and full,
same result.

Both paths run the same set-based computation from all the evidence (an incremental update just
passes fewer ids), so they cannot disagree. Concurrent workers serialise on the subjects' rows
(``SELECT ... FOR UPDATE``) and on per-district advisory locks, always taken in the same order
(systems, then sources, then districts, then providers, each by id), so they cannot deadlock
or interleave.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer

from geodata import jobs, messages
from geodata.evidence import compliance
from geodata.models import (
    AdminArea,
    AreaLevel,
    DistrictIndicator,
    Report,
    StatusChange,
    WaterSource,
    WaterStatus,
    WaterSystem,
)
from geodata.reports import statuses
from geodata.reports.evidence import Subject, findings_for, survey_finding
from geodata.reports.indicators import (
    district_answer_figures,
    providers_to_refresh,
    refresh_providers,
)
from geodata.reports.status_rules import decide
from geodata.settings import get_settings

DISTRICT_LOCK_NAMESPACE = 7301
COLOURS = (WaterStatus.GREEN, WaterStatus.YELLOW, WaterStatus.RED, WaterStatus.GREY)


@dataclass
class AggregationResult:
    changed_systems: list[int] = field(default_factory=list)
    changed_sources: list[int] = field(default_factory=list)
    districts: list[int] = field(default_factory=list)


def recompute_subjects(
    session: Session, model: Subject, ids: Sequence[int], now: datetime, max_age_days: int
) -> list[int]:
    """Recompute statuses from all their evidence; a StatusChange row when a colour moves.

    Returns the ids whose status, evidence, reason or unconfirmed citizen alert changed.
    """
    if not ids:
        return []
    columns: list[Any] = [
        model.id,
        model.status,
        model.status_evidence,
        model.status_evidence_at,
        model.status_reason,
        model.status_reason_msg,
        model.alert_category,
        model.alert_since,
    ]
    if model is WaterSystem:
        columns += [
            WaterSystem.surveyed_on,
            WaterSystem.water_in_dry_season,
            WaterSystem.has_treatment,
            WaterSystem.treatment_works,
        ]
    rows = session.execute(
        select(*columns).where(model.id.in_(sorted(ids))).order_by(model.id).with_for_update()
    ).all()
    since = now - timedelta(days=max_age_days)
    findings = findings_for(session, model, [r.id for r in rows], since)
    updates: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for row in rows:
        evidence = list(findings.get(row.id, []))
        if model is WaterSystem:
            survey = survey_finding(
                row.surveyed_on, row.water_in_dry_season, row.has_treatment, row.treatment_works
            )
            if survey is not None:
                evidence.append(survey)
        decision = decide(evidence, since)
        # The reason is kept twice: as messages (shown in the reader's language) and in
        # Spanish, the default, for the readers of the plain column (open data, the desk).
        reason_msg = messages.to_json(decision.reason)
        reason = messages.render(decision.reason, "es") if decision.reason else None
        current = (
            row.status,
            row.status_evidence,
            row.status_evidence_at,
            row.status_reason,
            row.status_reason_msg,
            row.alert_category,
            row.alert_since,
        )
        wanted = (
            decision.status,
            decision.evidence,
            decision.evidence_at,
            reason,
            reason_msg,
            decision.alert,
            decision.alert_since,
        )
        if current == wanted:
            continue
        updates.append(
            {
                "id": row.id,
                "status": decision.status,
                "status_evidence": decision.evidence,
                "status_evidence_at": decision.evidence_at,
                "status_reason": reason,
                "status_reason_msg": reason_msg,
                "alert_category": decision.alert,
                "alert_since": decision.alert_since,
                "status_updated_at": now,
            }
        )
        if row.status != decision.status:
            changes.append(
                {
                    "system_id": row.id if model is WaterSystem else None,
                    "source_id": row.id if model is WaterSource else None,
                    "status": decision.status,
                    "evidence": decision.evidence,
                    "evidence_at": decision.evidence_at,
                    "reason": reason,
                    "reason_msg": reason_msg,
                    "changed_at": now,
                }
            )
    if updates:
        session.execute(update(model), updates)
    if changes:
        changed = session.scalars(insert(StatusChange).returning(StatusChange.id), changes).all()
        if model is WaterSystem:  # subscribers hear of it after commit (geodata.notify)
            jobs.enqueue(session, jobs.NOTIFY_STATUS_CHANGES, list(changed))
    return [u["id"] for u in updates]


def refresh_districts(session: Session, district_ids: Sequence[int], now: datetime) -> None:
    """Rewrite the districts' indicators from the current statuses and reports."""
    ids = sorted(set(district_ids))
    if not ids:
        return
    session.execute(
        text(
            "SELECT pg_advisory_xact_lock(:ns, d) "
            "FROM (SELECT d FROM unnest(:ids) AS d ORDER BY d OFFSET 0) AS ordered"
        ).bindparams(bindparam("ids", type_=ARRAY(Integer))),
        {"ns": DISTRICT_LOCK_NAMESPACE, "ids": ids},
    )
    systems = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                WaterSystem.district_id,
                func.count(),
                func.coalesce(func.sum(WaterSystem.population_served), 0),
                *(func.count().filter(WaterSystem.status == c) for c in COLOURS),
            )
            .where(WaterSystem.district_id.in_(ids))
            .group_by(WaterSystem.district_id)
        )
    }
    open_reports = dict(
        session.execute(
            select(Report.district_id, func.count())
            .where(
                Report.district_id.in_(ids),
                Report.status.in_(statuses.LIVE),
                Report.duplicate_of_id.is_(None),
            )
            .group_by(Report.district_id)
        ).all()
    )
    answers = district_answer_figures(session, ids, now)
    values = []
    for district_id in ids:
        counts = systems.get(district_id, (0, 0, 0, 0, 0, 0))
        to_acknowledge, to_resolve, overdue = answers.get(district_id, (None, None, 0))
        values.append(
            {
                "district_id": district_id,
                "systems": counts[0],
                "population_served": int(counts[1] or 0),
                **{c.value: counts[2 + i] for i, c in enumerate(COLOURS)},
                "open_reports": int(open_reports.get(district_id, 0)),
                "median_hours_to_acknowledge": to_acknowledge,
                "median_hours_to_resolve": to_resolve,
                "overdue_reports": overdue,
                "computed_at": now,
            }
        )
    stmt = insert(DistrictIndicator).values(values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[DistrictIndicator.district_id],
            set_={k: stmt.excluded[k] for k in values[0] if k != "district_id"},
        )
    )


def aggregate_for_reports(
    session: Session, report_ids: Sequence[int], now: datetime | None = None
) -> AggregationResult:
    """Incremental: the statuses and districts some reports touch."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(
            Report.system_id,
            Report.source_id,
            Report.district_id,
            WaterSystem.district_id,
            Report.provider_id,
        )
        .outerjoin(WaterSystem, WaterSystem.id == Report.system_id)
        .where(Report.id.in_(list(report_ids)))
    ).all()
    systems = {r[0] for r in rows if r[0] is not None}
    sources = {r[1] for r in rows if r[1] is not None}
    districts = {d for r in rows for d in (r[2], r[3]) if d is not None}
    providers = {r[4] for r in rows if r[4] is not None}
    return _aggregate(session, systems, sources, districts, now, providers)


def aggregate_for_report(
    session: Session, report_id: int, now: datetime | None = None
) -> AggregationResult:
    return aggregate_for_reports(session, [report_id], now)


def aggregate_for_subjects(
    session: Session,
    system_ids: Sequence[int],
    source_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> AggregationResult:
    """Incremental: the statuses and districts that new official readings touch."""
    now = now or datetime.now(UTC)
    districts = set(
        session.scalars(
            select(WaterSystem.district_id).where(
                WaterSystem.id.in_(list(system_ids)), WaterSystem.district_id.is_not(None)
            )
        )
    ) | set(
        session.scalars(
            select(WaterSource.district_id).where(
                WaterSource.id.in_(list(source_ids)), WaterSource.district_id.is_not(None)
            )
        )
    )
    return _aggregate(session, system_ids, source_ids, {d for d in districts if d}, now, ())


def recompute_all(session: Session, now: datetime | None = None) -> AggregationResult:
    """Full recompute of every status and every district's indicators."""
    now = now or datetime.now(UTC)
    systems = session.scalars(select(WaterSystem.id)).all()
    sources = session.scalars(select(WaterSource.id)).all()
    districts = session.scalars(
        select(AdminArea.id).where(AdminArea.level == AreaLevel.DISTRICT)
    ).all()
    return _aggregate(session, systems, sources, districts, now, providers=None)


def _aggregate(
    session: Session,
    systems: Iterable[int],
    sources: Iterable[int],
    districts: Iterable[int],
    now: datetime,
    providers: Iterable[int] | None,
) -> AggregationResult:
    """``providers`` None: every provider's answer figures (the full recompute)."""
    max_age = get_settings().evidence_max_age_days
    session.flush()
    result = AggregationResult()
    result.changed_systems = recompute_subjects(session, WaterSystem, sorted(systems), now, max_age)
    result.changed_sources = recompute_subjects(session, WaterSource, sorted(sources), now, max_age)
    result.districts = sorted(set(districts))
    compliance.refresh_systems(session, sorted(systems), now)
    refresh_districts(session, result.districts, now)
    compliance.refresh_districts(session, result.districts, now)
    wanted = providers_to_refresh(session) if providers is None else sorted(set(providers))
    refresh_providers(session, wanted, now)
    session.expire_all()
    return result
