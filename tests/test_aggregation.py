"""Statuses and district indicators: the rule on real seeded systems, incremental == full."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from geodata.models import (
    Compliance,
    DistrictIndicator,
    EvidenceKind,
    MeasuredBy,
    Measurement,
    MeasurementMethod,
    Report,
    ReportCategory,
    StatusChange,
    WaterSource,
    WaterStatus,
    WaterSystem,
)
from geodata.reports.aggregation import aggregate_for_report, aggregate_for_reports, recompute_all
from geodata.reports.validation import validate_report
from tests import report_factories as make


def snapshot(session: Session) -> dict[str, Any]:
    """Everything aggregation writes, minus the timestamps of when it wrote it."""
    session.expire_all()
    status_cols = (
        "status, status_evidence, status_evidence_at, status_reason, alert_category, alert_since"
    )
    return {
        "systems": session.execute(
            text(f"SELECT id, {status_cols} FROM water_system ORDER BY id")
        ).all(),
        "sources": session.execute(
            text(f"SELECT id, {status_cols} FROM water_source ORDER BY id")
        ).all(),
        "districts": session.execute(
            text(
                "SELECT district_id, systems, population_served, green, yellow, red, grey, "
                "open_reports, median_hours_to_acknowledge FROM district_indicator "
                "ORDER BY district_id"
            )
        ).all(),
    }


def validated(session: Session, place: make.Place | None, **fields: Any) -> int:
    accepted = make.report(session, place, **fields)
    outcome = validate_report(session, accepted.id)
    assert outcome is not None and outcome.status == "validated", outcome
    return accepted.id


def official(session: Session, system_id: int, parameter: str, value: float, days_ago: float):
    session.add(
        Measurement(
            parameter_code=parameter,
            value=value,
            unit="mg/L",
            method=MeasurementMethod.LAB,
            measured_by=MeasuredBy.LAB,
            sampled_at=datetime.now(UTC) - timedelta(days=days_ago),
            compliance=Compliance.WITHIN if value >= 0.5 else Compliance.VIOLATION,
            explanation=f"cloro {value}",
            system_id=system_id,
            record_source="DIRESA lab sheet",
        )
    )
    session.flush()


def system(session: Session, system_id: int) -> WaterSystem:
    session.expire_all()
    return session.get_one(WaterSystem, system_id)


def test_full_recompute_uses_the_siasar_survey_as_old_official_evidence(session: Session) -> None:
    recompute_all(session)
    surveyed = session.scalars(select(WaterSystem).where(WaterSystem.surveyed_on.is_not(None)))
    rows = surveyed.all()
    assert len(rows) > 300
    assert {(s.status, s.status_evidence) for s in rows} == {
        (WaterStatus.YELLOW, EvidenceKind.OFFICIAL)
    }
    assert all((s.status_reason or "").startswith("Evidencia antigua") for s in rows)
    assert "encuesta SIASAR" in (rows[0].status_reason or "")
    sources = session.scalars(select(WaterSource)).all()
    assert {s.status for s in sources} == {WaterStatus.GREY}
    indicators = session.scalars(select(DistrictIndicator)).all()
    assert len(indicators) == 84
    assert sum(i.systems for i in indicators) == session.query(WaterSystem).count()
    assert all(i.green + i.yellow + i.red + i.grey == i.systems for i in indicators)


def test_no_water_from_two_neighbours_turns_its_system_red_and_is_recorded(
    session: Session,
) -> None:
    recompute_all(session)
    place = make.systems(session)[0]
    first = validated(session, place, device_id="p1", client_address="10.1.1.1")
    second = validated(session, place, device_id="p2", client_address="10.2.2.2")
    result = aggregate_for_reports(session, [first, second])
    assert result.changed_systems == [place.id]
    row = system(session, place.id)
    assert (row.status, row.status_evidence) == (WaterStatus.RED, EvidenceKind.CITIZEN)
    assert row.status_reason == "Reporte ciudadano: no hay agua"
    change = session.scalars(
        select(StatusChange).where(StatusChange.system_id == place.id).order_by(StatusChange.id)
    ).all()[-1]
    assert change.status is WaterStatus.RED
    indicator = session.get_one(DistrictIndicator, place.district_id)
    assert indicator.red >= 1 and indicator.open_reports >= 1


def test_recent_official_evidence_outranks_and_one_citizen_never_greens(session: Session) -> None:
    place, other = make.systems(session, 2)
    report_id = validated(
        session,
        other,
        category=ReportCategory.OTHER,
        measurements=[{"parameter": "free_chlorine", "value": 1.0}],
    )
    aggregate_for_report(session, report_id)
    assert system(session, other.id).status is WaterStatus.YELLOW  # one reading is not enough
    report_id = validated(
        session,
        other,
        category=ReportCategory.OTHER,
        device_id="second-phone",
        measurements=[{"parameter": "free_chlorine", "value": 0.8}],
    )
    aggregate_for_report(session, report_id)
    assert system(session, other.id).status is WaterStatus.GREEN

    official(session, place.id, "free_chlorine", 0.1, days_ago=1)
    recompute_all(session)
    row = system(session, place.id)
    assert (row.status, row.status_evidence) == (WaterStatus.RED, EvidenceKind.OFFICIAL)
    assert row.status_reason == "Medición de laboratorio: cloro 0.1"


def test_incremental_equals_full_recompute(session: Session) -> None:
    recompute_all(session)
    places = make.systems(session, 4)
    src = make.source(session)
    scenario: list[tuple[make.Place | None, dict[str, Any]]] = [
        (places[0], {"category": ReportCategory.NO_WATER}),
        (places[0], {"category": ReportCategory.NO_WATER, "device_id": "b"}),
        (places[1], {"category": ReportCategory.INTERMITTENT_SUPPLY}),
        (
            places[2],
            {
                "category": ReportCategory.OTHER,
                "measurements": [{"parameter": "ph", "value": 7.1}],
                "device_id": "c",
            },
        ),
        (
            places[2],
            {
                "category": ReportCategory.OTHER,
                "measurements": [{"parameter": "ph", "value": 7.3}],
                "device_id": "d",
            },
        ),
        (places[3], {"category": ReportCategory.LEAK}),
        (None, {"location_code": src.code, "category": ReportCategory.TURBID_WATER}),
    ]
    for place, fields in scenario:
        aggregate_for_report(session, validated(session, place, **fields))
    incremental = snapshot(session)
    recompute_all(session)
    assert snapshot(session) == incremental
    source_row = session.get_one(WaterSource, src.id)
    # one citizen's report: an unconfirmed alert, not a colour
    assert (source_row.status, source_row.alert_category) == (WaterStatus.GREY, "turbid_water")


def test_aggregation_is_idempotent(session: Session) -> None:
    place = make.systems(session)[0]
    report_id = validated(session, place)
    aggregate_for_report(session, report_id)
    changes = session.query(StatusChange).count()
    assert aggregate_for_report(session, report_id).changed_systems == []
    assert session.query(StatusChange).count() == changes


def test_concurrent_incremental_workers_cannot_corrupt(engine: Engine) -> None:
    """Eight workers aggregate reports of the same system at once, in committed transactions."""
    with Session(engine) as setup:
        place = make.systems(setup, 1, offset=5)[0]
        ids = [
            make.report(setup, place, device_id=f"conc-{i}", description=f"c{i}").id
            for i in range(8)
        ]
        setup.commit()
    try:
        for report_id in ids:
            with Session(engine) as s:
                validate_report(s, report_id)
                s.commit()

        def work(report_id: int) -> None:
            with Session(engine) as s:
                aggregate_for_report(s, report_id)
                s.commit()

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(work, ids))
        with Session(engine) as s:
            after = snapshot(s)
            aggregate_for_report(s, ids[0])  # recomputes the same subject and district
            assert snapshot(s) == after
            row = s.get_one(WaterSystem, place.id)
            assert row.status is WaterStatus.RED
            changes = s.scalars(
                select(StatusChange.status).where(StatusChange.system_id == place.id)
            ).all()
            assert changes.count(WaterStatus.RED) == 1
    finally:
        with Session(engine) as s:
            s.execute(delete(Report).where(Report.id.in_(ids)))
            s.execute(delete(StatusChange).where(StatusChange.system_id == place.id))
            s.execute(delete(DistrictIndicator))
            s.execute(
                text(
                    "UPDATE water_system SET status='grey', status_evidence='none', "
                    "status_evidence_at=NULL, status_reason=NULL, status_updated_at=NULL"
                )
            )
            s.commit()
