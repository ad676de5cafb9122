"""The validation of a report, called directly on the rolled-back test session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.messages import render
from geodata.models import (
    Compliance,
    MeasuredBy,
    Measurement,
    Provider,
    ProviderKind,
    Report,
    ReportCategory,
    ReportStatus,
    ReportUpdate,
    WaterSource,
)
from geodata.reports.validation import validate_report, validate_reports
from geodata.settings import get_settings
from tests import report_factories as make


def stored(session: Session, report_id: int) -> Report:
    session.expire_all()
    return session.get_one(Report, report_id)


def test_a_report_near_a_system_is_validated_linked_and_routed(session: Session) -> None:
    place = make.systems(session)[0]
    accepted = make.report(session, place, lon=place.lon + 0.001, description="sin agua")
    outcome = validate_report(session, accepted.id)
    assert outcome is not None and outcome.status is ReportStatus.VALIDATED
    report = stored(session, accepted.id)
    assert report.system_id == place.id
    assert report.district_id == place.district_id
    assert report.provider_id is not None
    assert report.validated_at is not None and report.validation_attempts == 1
    update = session.scalars(select(ReportUpdate).where(ReportUpdate.report_id == report.id)).one()
    assert (update.from_status, update.to_status) == (ReportStatus.RECEIVED, ReportStatus.VALIDATED)


def test_validation_is_idempotent(session: Session) -> None:
    place = make.systems(session)[0]
    accepted = make.report(session, place, measurements=[{"parameter": "ph", "value": 7}])
    assert validate_report(session, accepted.id) is not None
    assert validate_report(session, accepted.id) is None
    rows = session.scalars(select(Measurement).where(Measurement.report_id == accepted.id)).all()
    assert len(rows) == 1
    updates = session.scalars(select(ReportUpdate).where(ReportUpdate.report_id == accepted.id))
    assert len(updates.all()) == 1


def test_a_report_by_code_takes_the_system_point(session: Session) -> None:
    place = make.systems(session)[0]
    accepted = make.report(session, location_code=place.code)
    validate_report(session, accepted.id)
    report = stored(session, accepted.id)
    assert report.status is ReportStatus.VALIDATED
    assert report.system_id == place.id and report.location_code == place.code
    assert report.geom is not None


def test_a_report_by_source_code_links_source_and_its_system(session: Session) -> None:
    src = make.source(session)
    accepted = make.report(session, location_code=src.code)
    validate_report(session, accepted.id)
    report = stored(session, accepted.id)
    parent = session.scalar(select(WaterSource.system_id).where(WaterSource.id == src.id))
    assert (report.source_id, report.system_id) == (src.id, parent)


def test_unknown_code_is_rejected_with_a_reason(session: Session) -> None:
    accepted = make.report(session, location_code="SIASAR-NOPE")
    outcome = validate_report(session, accepted.id)
    assert outcome is not None and outcome.status is ReportStatus.REJECTED
    report = stored(session, accepted.id)
    assert report.rejection_reason == (
        "Ningún sistema ni fuente de agua tiene el código SIASAR-NOPE. Revisa el código en el "
        "mapa o en el reservorio, o elige el lugar en el mapa."
    )
    # kept as a message too, so a reader in English gets it in English
    assert render(report.rejection_reason_msg, "en").startswith(
        "No water system or source has the code SIASAR-NOPE."
    )


def test_swapped_coordinates_are_detected_and_explained(session: Session) -> None:
    place = make.systems(session)[0]
    accepted = make.report(session, lon=place.lat, lat=place.lon)
    validate_report(session, accepted.id)
    report = stored(session, accepted.id)
    assert report.status is ReportStatus.REJECTED
    assert "parecen invertidas" in (report.rejection_reason or "")


def test_outside_la_libertad_is_rejected_in_the_reporters_language(session: Session) -> None:
    accepted = make.report(session, lon=-77.03, lat=-12.05, language="en")  # Lima
    validate_report(session, accepted.id)
    report = stored(session, accepted.id)
    assert report.status is ReportStatus.REJECTED
    assert report.rejection_reason == (
        "This place is outside La Libertad (more than 2 km away). "
        "Choose a place inside La Libertad."
    )


def test_just_outside_the_border_within_tolerance_is_accepted(session: Session) -> None:
    # The Pacific coast west of Trujillo: a few hundred metres off the polygon.
    accepted = make.report(session, lon=-79.0620, lat=-8.1100)
    validate_report(session, accepted.id)
    assert stored(session, accepted.id).status is ReportStatus.VALIDATED


def test_impossible_measurement_rejects_with_a_readable_reason(session: Session) -> None:
    place = make.systems(session)[0]
    accepted = make.report(session, place, measurements=[{"parameter": "ph", "value": 19}])
    validate_report(session, accepted.id)
    report = stored(session, accepted.id)
    assert report.status is ReportStatus.REJECTED
    assert report.rejection_reason == (
        "pH: 19 pH no es una lectura posible (como máximo 14). Revisa el número."
    )
    readings = select(Measurement).where(Measurement.report_id == report.id)
    assert session.scalars(readings).all() == []


def test_measurements_become_classified_citizen_rows(session: Session) -> None:
    place = make.systems(session)[0]
    accepted = make.report(
        session,
        place,
        category=ReportCategory.SUSPECTED_CONTAMINATION,
        measurements=[
            {"parameter": "free_chlorine", "value": 0.1, "unit": "mg/L"},
            {"parameter": "e_coli", "present": True},
        ],
    )
    validate_report(session, accepted.id)
    rows = session.scalars(
        select(Measurement).where(Measurement.report_id == accepted.id).order_by(Measurement.id)
    ).all()
    assert [(m.parameter_code, m.compliance, m.measured_by) for m in rows] == [
        ("free_chlorine", Compliance.VIOLATION, MeasuredBy.CITIZEN),
        ("e_coli", Compliance.VIOLATION, MeasuredBy.CITIZEN),
    ]
    assert all(m.system_id == place.id for m in rows)
    assert "por debajo de 0.3" in (rows[0].explanation or "")


def test_a_nearby_report_of_the_same_problem_corroborates(session: Session) -> None:
    place = make.systems(session)[0]
    first = make.report(session, place, device_id="phone-1")
    second = make.report(session, place, lon=place.lon + 0.001, device_id="phone-2")
    other = make.report(
        session, place, category=ReportCategory.LEAK, lon=place.lon + 0.001, device_id="phone-3"
    )
    for accepted in (first, second, other):
        validate_report(session, accepted.id)
    assert stored(session, second.id).duplicate_of_id == first.id
    assert stored(session, second.id).status is ReportStatus.VALIDATED
    assert stored(session, other.id).duplicate_of_id is None


def test_far_reports_link_to_nothing_and_route_to_the_district_atm(session: Session) -> None:
    # A point in the sea-side desert of Trujillo province, far from rural systems.
    accepted = make.report(session, lon=-79.02, lat=-8.11)
    validate_report(session, accepted.id)
    report = stored(session, accepted.id)
    assert report.status is ReportStatus.VALIDATED
    assert report.system_id is None and report.source_id is None
    provider = session.get_one(Provider, report.provider_id)
    assert provider.kind is ProviderKind.MUNICIPALITY and provider.district_id == report.district_id


def test_rate_limit_per_reporter(session: Session) -> None:
    place = make.systems(session)[0]
    limit = get_settings().reporter_rate_limit_per_hour
    ids = [
        make.report(session, place, description=f"n{i}", device_id="same-phone").id
        for i in range(limit + 1)
    ]
    for report_id in reversed(ids):  # processing order must not matter
        validate_report(session, report_id)
    statuses = [stored(session, i).status for i in ids]
    assert statuses[:limit] == [ReportStatus.VALIDATED] * limit
    assert statuses[limit] is ReportStatus.REJECTED
    assert "demasiados reportes" in (stored(session, ids[-1]).rejection_reason or "")


def test_a_batch_decides_like_one_by_one(session: Session) -> None:
    """Duplicates inside one batch are found too; the worker's backlog claim takes them along."""
    place = make.systems(session)[0]
    first = make.report(session, place, device_id="phone-a")
    second = make.report(session, place, lon=place.lon + 0.001, device_id="phone-b")
    lima = make.report(session, lon=-77.03, lat=-12.05, device_id="phone-c")
    outcomes = validate_reports(session, [first.id], backlog=10)
    assert {o.report_id for o in outcomes} >= {first.id, second.id, lima.id}
    assert stored(session, second.id).duplicate_of_id == first.id
    assert stored(session, lima.id).status is ReportStatus.REJECTED
    assert validate_reports(session, [first.id, second.id], backlog=10) == []


def test_validation_fixes_the_public_text_of_a_raw_intake_report(session: Session) -> None:
    """The raw intake stores no public text (it costs time on the hot path); validation, when
    a report may become public, stores it with the one masking rule."""
    place = make.systems(session)[0]
    accepted = make.report(session, place, description="llamen al (044) 123-456")
    assert stored(session, accepted.id).public_description is None
    validate_report(session, accepted.id)
    assert stored(session, accepted.id).public_description == (
        "llamen al [dato de contacto retirado]"
    )
