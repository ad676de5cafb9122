"""The one way official readings become ``Measurement`` rows.

Every official reading carries a natural key (``record_key``): a laboratory's sample id and
parameter, or an operator's system, sample point, time and parameter. Delivering the same
reading twice (a retried round, a file imported again) stores it once; delivering another value
under a key already stored is a conflict the caller reports, and then nothing is stored.

Rows travel by COPY into a temporary table, then one INSERT ... SELECT: a laboratory's file of
100,000 rows costs a few round trips, not 100,000 (see ``bench/bench_lab_import.py``). Official
writes take one transaction-level advisory lock, so that the conflict check and the insert see
the same table even when two uploads race.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.models import Compliance, MeasuredBy, MeasurementMethod, SamplePoint
from geodata.reports.quality import Classified, Limits, check_measurement, classify

OFFICIAL_LOCK = 7302  # pg_advisory_xact_lock key of official writes

STAGING = "incoming_official_reading"
COLUMNS = (
    "row_number",
    "record_key",
    "parameter_code",
    "value",
    "unit",
    "method",
    "measured_by",
    "sample_point",
    "sampled_at",
    "system_id",
    "source_id",
    "sample_id",
    "record_source",
    "compliance",
    "explanation",
)
CREATE_STAGING = f"""
CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} (
    row_number integer NOT NULL,
    record_key text NOT NULL,
    parameter_code text NOT NULL,
    value double precision NOT NULL,
    unit text NOT NULL,
    method text NOT NULL,
    measured_by text NOT NULL,
    sample_point text NOT NULL,
    sampled_at timestamptz NOT NULL,
    system_id integer,
    source_id integer,
    sample_id text,
    record_source text NOT NULL,
    compliance text NOT NULL,
    explanation text
) ON COMMIT DROP
"""
NULLABLE = ("system_id", "source_id", "sample_id", "explanation")
COPY_SQL = (
    f"COPY {STAGING} ({', '.join(COLUMNS)}) FROM STDIN "
    f"WITH (FORMAT csv, FORCE_NULL ({', '.join(NULLABLE)}))"
)
# A stored row differs when its value, subject or time differs (the parameter is in the key).
CONFLICTS = f"""
SELECT i.row_number, m.value, m.unit
FROM {STAGING} i JOIN measurement m ON m.record_key = i.record_key
WHERE abs(m.value - i.value) > 1e-9 * greatest(abs(m.value), 1)
   OR m.system_id IS DISTINCT FROM i.system_id
   OR m.source_id IS DISTINCT FROM i.source_id
   OR m.sampled_at <> i.sampled_at
ORDER BY i.row_number
LIMIT 1000
"""
INSERT = f"""
INSERT INTO measurement (
    parameter_code, value, unit, method, sample_point, measured_by, sampled_at, compliance,
    explanation, system_id, source_id, record_source, batch_id, record_key, sample_id
)
SELECT parameter_code, value, unit, method, sample_point, measured_by, sampled_at, compliance,
       explanation, system_id, source_id, record_source, :batch_id, record_key, sample_id
FROM {STAGING}
ON CONFLICT (record_key) DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class OfficialReading:
    """One classified official reading, ready to store."""

    row: int  # the line of the file, or the reading's place in the round (1-based)
    record_key: str
    parameter: str
    value: float
    unit: str
    method: MeasurementMethod
    measured_by: MeasuredBy
    sample_point: SamplePoint
    sampled_at: datetime
    system_id: int | None
    source_id: int | None
    record_source: str
    compliance: Compliance
    explanation: str
    sample_id: str | None = None

    def copy_row(self) -> tuple[object, ...]:
        return (
            self.row,
            self.record_key,
            self.parameter,
            self.value,
            self.unit,
            self.method.value,
            self.measured_by.value,
            self.sample_point.value,
            self.sampled_at,
            self.system_id,
            self.source_id,
            self.sample_id,
            self.record_source,
            self.compliance.value,
            self.explanation,
        )


@dataclass(frozen=True, slots=True)
class Conflict:
    row: int
    stored_value: float
    stored_unit: str


@dataclass(frozen=True, slots=True)
class Stored:
    inserted: int
    already: int  # the same reading was stored before: nothing to do
    conflicts: tuple[Conflict, ...] = ()


def operator_key(system_id: int, point: SamplePoint, at: datetime, parameter: str) -> str:
    """An operator's reading is the one of its system, sample point, minute and parameter."""
    minute = at.astimezone(UTC).strftime("%Y%m%dT%H%M")
    return f"op:{system_id}:{point.value}:{minute}:{parameter}"


def lab_key(sample_id: str, parameter: str) -> str:
    return f"lab:{sample_id.strip().upper()}:{parameter}"


def official_reading(
    raw: dict[str, object],
    catalogue: dict[str, Limits],
    *,
    row: int,
    record_key: str,
    measured_by: MeasuredBy,
    sample_point: SamplePoint,
    sampled_at: datetime,
    system_id: int | None,
    source_id: int | None,
    record_source: str,
    sample_id: str | None = None,
    memo: dict[tuple[str, float], Classified] | None = None,
) -> OfficialReading:
    """Check (ImplausibleReading) and classify one reading already in the catalogue's unit.
    ``memo`` keeps the classifications of a file: its values repeat."""
    reading = check_measurement({**raw, "unit": None}, catalogue)
    verdict = memo.get((reading.parameter, reading.value)) if memo is not None else None
    if verdict is None:
        verdict = classify(reading.parameter, reading.value, catalogue)
        if memo is not None:
            memo[(reading.parameter, reading.value)] = verdict
    method = MeasurementMethod.LAB if measured_by is MeasuredBy.LAB else MeasurementMethod.KIT
    return OfficialReading(
        row=row,
        record_key=record_key,
        parameter=reading.parameter,
        value=reading.value,
        unit=reading.unit,
        method=method,
        measured_by=measured_by,
        sample_point=sample_point,
        sampled_at=sampled_at,
        system_id=system_id,
        source_id=source_id,
        record_source=record_source,
        compliance=verdict.compliance,
        explanation=verdict.explanation,
        sample_id=sample_id,
    )


def lock_official_writes(session: Session) -> None:
    """Serialise deliveries of official readings until the transaction ends: a retry racing
    its original (a phone's queue and its service worker) then finds it stored, instead of
    colliding with it."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": OFFICIAL_LOCK})


def store(session: Session, readings: Sequence[OfficialReading], batch_id: int) -> Stored:
    """Insert the readings not stored yet. With any conflict, insert nothing and say which
    rows conflict (the caller refuses the delivery and its transaction rolls back)."""
    if not readings:
        return Stored(0, 0)
    lock_official_writes(session)
    connection = session.connection()
    connection.exec_driver_sql(CREATE_STAGING)
    connection.exec_driver_sql(f"TRUNCATE {STAGING}")
    # CSV written by the C csv module in one buffer: every field quoted, and the quoted empty
    # fields of the columns that may be NULL read as NULL (an empty unit stays empty).
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
        reading.copy_row() for reading in readings
    )
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
        copy.write(buffer.getvalue())
    conflicts = tuple(
        Conflict(r[0], r[1], r[2]) for r in connection.exec_driver_sql(CONFLICTS).all()
    )
    if conflicts:
        return Stored(0, 0, conflicts)
    inserted = connection.execute(text(INSERT), {"batch_id": batch_id}).rowcount
    connection.exec_driver_sql(f"TRUNCATE {STAGING}")
    return Stored(inserted, len(readings) - inserted)
