"""Citizen measurements of validated reports become classified ``Measurement`` rows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.orm import Session

from geodata.models import MeasuredBy, Measurement, MeasurementMethod, Report, SamplePoint
from geodata.reports.quality import Reading, classify, load_catalogue

CITIZEN_METHODS = {MeasurementMethod.KIT.value, MeasurementMethod.SENSE.value}
SAMPLE_POINTS = {p.value for p in SamplePoint}


def record_measurements(
    session: Session, reports: Sequence[tuple[Report, Sequence[Reading]]]
) -> int:
    """Replace the reports' measurement rows (so a rerun writes the same rows once)."""
    with_readings = [(report, readings) for report, readings in reports if readings]
    if not with_readings:
        return 0
    session.execute(
        delete(Measurement).where(Measurement.report_id.in_([r.id for r, _ in with_readings]))
    )
    catalogue = load_catalogue(session)
    count = 0
    for report, readings in with_readings:
        for reading in readings:
            verdict = classify(reading.parameter, reading.value, catalogue)
            method = reading.method if reading.method in CITIZEN_METHODS else "kit"
            sample_point = reading.sample_point if reading.sample_point in SAMPLE_POINTS else "tap"
            session.add(
                Measurement(
                    parameter_code=reading.parameter,
                    value=reading.value,
                    unit=reading.unit,
                    method=MeasurementMethod(method),
                    sample_point=SamplePoint(sample_point),
                    measured_by=MeasuredBy.CITIZEN,
                    sampled_at=report.received_at,
                    compliance=verdict.compliance,
                    explanation=verdict.explanation,
                    explanation_msg=verdict.message.to_json(),
                    system_id=report.system_id,
                    source_id=report.source_id,
                    report_id=report.id,
                    record_source="citizen report",
                )
            )
            count += 1
    return count
