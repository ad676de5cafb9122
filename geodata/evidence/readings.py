"""An operator's round of readings of one system (the desk form, the API).

All or nothing: every reading is checked (scope, parameter, unit, plausibility, date) before
anything is stored, and one bad reading refuses the whole round with its place and reason. A
round sent again with the same idempotency key and content returns the stored round; the same
key with other content is refused. Readings become ``Measurement`` rows measured by the
operator with a field kit, classified against DS 031-2010-SA as citizens' readings are; the
system's colour is recomputed by the aggregation worker after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.accounts import audit
from geodata.accounts.errors import Forbidden
from geodata.accounts.scope import Scope
from geodata.evidence import fields
from geodata.evidence.errors import (
    IdempotencyKeyReused,
    ReadingAlreadyRecorded,
    ReadingRefused,
    SystemNotFound,
)
from geodata.evidence.store import (
    OfficialReading,
    lock_official_writes,
    official_reading,
    operator_key,
    store,
)
from geodata.evidence.units import to_catalogue_unit
from geodata.io.rows import RowInvalid
from geodata.models import (
    MeasuredBy,
    Measurement,
    Parameter,
    ReadingBatch,
    SamplePoint,
    WaterSystem,
)
from geodata.reports.codes import content_hash
from geodata.reports.quality import (
    FREE_CHLORINE,
    PRESENCE_PARAMETERS,
    ImplausibleReading,
    Limits,
    load_catalogue,
)

MAX_READINGS = 50
OPERATOR_RECORD_SOURCE = "operator round"


@dataclass(frozen=True, slots=True)
class ReadingIn:
    """One sample: where and when, and what was measured in it."""

    sample_point: SamplePoint
    sampled_at: datetime
    measurements: list[dict[str, Any]]  # {"parameter", "value" | "present", "unit"?}


@dataclass(frozen=True, slots=True)
class RoundIn:
    system_code: str
    readings: list[ReadingIn]
    idempotency_key: str | None = None

    def content(self) -> dict[str, Any]:
        """What a retry with the same key must say again."""
        return {
            "system": self.system_code,
            "readings": [
                {
                    "sample_point": r.sample_point.value,
                    "sampled_at": r.sampled_at.astimezone(UTC).isoformat(),
                    "measurements": sorted(r.measurements, key=lambda m: str(m["parameter"])),
                }
                for r in self.readings
            ],
        }


@dataclass
class RoundResult:
    batch_id: int | None
    system_code: str
    created: bool
    readings: list[dict[str, Any]] = field(default_factory=list)


def operator_parameters(
    catalogue: dict[str, Limits], field_tests: dict[str, str | None]
) -> set[str]:
    """What an operator measures with a field kit (the catalogue's ``field_test``), and the
    presence/absence bacteria tests."""
    kit = {code for code, test in field_tests.items() if test == "operator_kit"}
    return (kit | set(PRESENCE_PARAMETERS)) & set(catalogue)


def field_tests(session: Session) -> dict[str, str | None]:
    rows = session.execute(select(Parameter.code, Parameter.field_test)).all()
    return {code: test for code, test in rows}


def _system_in_scope(session: Session, scope: Scope, code: str) -> WaterSystem:
    system = session.scalars(
        select(WaterSystem).where(WaterSystem.code == code, scope.systems_clause())
    ).first()
    if system is None:
        raise SystemNotFound(code=code)
    if not scope.can_record_readings(system):
        raise Forbidden()
    return system


def require_chlorine(codes: list[str], point: SamplePoint) -> None:
    """Free chlorine is what a logbook is kept for; only the source (untreated) may lack it."""
    if FREE_CHLORINE not in codes and point is not SamplePoint.SOURCE:
        raise ImplausibleReading("free chlorine is required (except at the source)")


def operator_measurement(
    raw: dict[str, Any],
    catalogue: dict[str, Limits],
    allowed: set[str],
    *,
    system_id: int,
    point: SamplePoint,
    at: datetime,
    row: int,
    record_source: str,
) -> OfficialReading:
    """One measurement of an operator's sample, in the catalogue's unit, checked and
    classified (ImplausibleReading otherwise)."""
    code = str(raw.get("parameter", ""))
    if code in catalogue and code not in allowed:
        raise ImplausibleReading(
            "{name} is measured in a laboratory; upload it with the laboratory results",
            name=catalogue[code].name_es,
        )
    value = raw.get("value")
    if value is not None and code in catalogue:
        value = to_catalogue_unit(float(value), raw.get("unit"), catalogue[code])
    return official_reading(
        {"parameter": code, "value": value, "present": raw.get("present")},
        catalogue,
        row=row,
        record_key=operator_key(system_id, point, at, code),
        measured_by=MeasuredBy.OPERATOR,
        sample_point=point,
        sampled_at=at,
        system_id=system_id,
        source_id=None,
        record_source=record_source,
    )


def check_round(
    session: Session, system: WaterSystem, readings: list[ReadingIn], now: datetime
) -> list[OfficialReading]:
    """Every reading checked and classified, or ReadingRefused for the first bad one."""
    catalogue = load_catalogue(session)
    allowed = operator_parameters(catalogue, field_tests(session))
    checked: list[OfficialReading] = []
    seen: set[str] = set()
    for index, reading in enumerate(readings, start=1):
        try:
            at = fields.check_sampled_at(reading.sampled_at, now)
        except RowInvalid as exc:
            raise ReadingRefused(index, exc.reason, **exc.params) from None
        try:
            require_chlorine(
                [str(m.get("parameter")) for m in reading.measurements], reading.sample_point
            )
            for raw in reading.measurements:
                measured = operator_measurement(
                    raw,
                    catalogue,
                    allowed,
                    system_id=system.id,
                    point=reading.sample_point,
                    at=at,
                    row=index,
                    record_source=OPERATOR_RECORD_SOURCE,
                )
                if measured.record_key in seen:
                    raise ImplausibleReading(
                        "{parameter} appears twice for the same sample point and time",
                        parameter=catalogue[measured.parameter].name_es,
                    )
                seen.add(measured.record_key)
                checked.append(measured)
        except ImplausibleReading as exc:
            raise ReadingRefused(index, exc.msgid, **exc.params) from None
    return checked


def record_round(
    session: Session,
    scope: Scope,
    round_in: RoundIn,
    *,
    actor: str,
    account_id: int | None,
    now: datetime | None = None,
) -> RoundResult:
    """Check and store a round; the system's aggregation runs after the commit. Flushes."""
    now = now or datetime.now(UTC)
    digest = content_hash(round_in.content())
    lock_official_writes(session)
    if round_in.idempotency_key is not None:
        earlier = session.scalars(
            select(ReadingBatch).where(ReadingBatch.idempotency_key == round_in.idempotency_key)
        ).first()
        if earlier is not None:
            if earlier.content_hash != digest:
                raise IdempotencyKeyReused()
            return stored_round(session, earlier, round_in.system_code)
    system = _system_in_scope(session, scope, round_in.system_code)
    checked = check_round(session, system, round_in.readings, now)
    batch = ReadingBatch(
        kind="round",
        idempotency_key=round_in.idempotency_key,
        content_hash=digest,
        rows=len(round_in.readings),
        loaded=0,
        system_id=system.id,
        account_id=account_id,
        actor=actor,
    )
    session.add(batch)
    session.flush()
    result = store(session, checked, batch.id)
    if result.conflicts:
        first = result.conflicts[0]
        reading = next(r for r in checked if r.row == first.row)
        raise ReadingAlreadyRecorded(
            index=first.row,
            parameter=reading.parameter,
            value=f"{first.stored_value:g} {first.stored_unit}".strip(),
        )
    batch.loaded = result.inserted
    audit.record(
        session,
        "readings.round",
        actor,
        account_id=account_id,
        subject_type="water_system",
        subject_id=system.code,
        batch=batch.id,
        readings=len(checked),
        stored=result.inserted,
    )
    if result.inserted:
        jobs.enqueue(session, jobs.AGGREGATE_SYSTEMS, [system.id])
    session.flush()
    keys = [r.record_key for r in checked]
    return stored_round(session, batch, system.code, created=result.inserted > 0, keys=keys)


def stored_round(
    session: Session,
    batch: ReadingBatch,
    system_code: str,
    created: bool = False,
    keys: list[str] | None = None,
) -> RoundResult:
    """The round's readings as stored (by their keys: some may have been stored before)."""
    which = Measurement.record_key.in_(keys) if keys else Measurement.batch_id == batch.id
    rows = session.execute(
        select(Measurement).where(which).order_by(Measurement.sampled_at, Measurement.id)
    ).scalars()
    readings = [
        {
            "parameter": m.parameter_code,
            "value": m.value,
            "unit": m.unit,
            "sample_point": m.sample_point.value if m.sample_point else None,
            "sampled_at": m.sampled_at.isoformat(),
            "compliance": m.compliance.value,
            "explanation": m.explanation,
        }
        for m in rows
    ]
    return RoundResult(batch.id, system_code, created, readings)
