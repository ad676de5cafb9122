"""What is known about systems or sources, as findings for ``status_rules.decide``.

Set-based: one query per kind of evidence for any number of subjects, so an incremental update
(a few subjects) and the full recompute (all of them) run the very same code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from geodata.messages import Listing, Message, from_json, message
from geodata.models import (
    Compliance,
    MeasuredBy,
    Measurement,
    Report,
    ReportCategory,
    WaterSource,
    WaterStatus,
    WaterSystem,
)
from geodata.reports import statuses
from geodata.reports.quality import colour_of
from geodata.reports.status_rules import Finding

Subject = type[WaterSystem] | type[WaterSource]

CATEGORY_FINDINGS: dict[ReportCategory, tuple[WaterStatus, Message]] = {
    ReportCategory.NO_WATER: (WaterStatus.RED, message("Citizen report: no water")),
    ReportCategory.INTERMITTENT_SUPPLY: (
        WaterStatus.YELLOW,
        message("Citizen report: intermittent supply"),
    ),
    ReportCategory.BAD_TASTE_SMELL_COLOUR: (
        WaterStatus.YELLOW,
        message("Citizen report: bad taste, smell or colour"),
    ),
    ReportCategory.TURBID_WATER: (WaterStatus.YELLOW, message("Citizen report: turbid water")),
    ReportCategory.SUSPECTED_CONTAMINATION: (
        WaterStatus.YELLOW,
        message("Citizen report: possible contamination"),
    ),
    ReportCategory.BROKEN_INFRASTRUCTURE: (
        WaterStatus.YELLOW,
        message("Citizen report: damaged infrastructure"),
    ),
}

OFFICIAL_MEASURERS = (MeasuredBy.OPERATOR, MeasuredBy.LAB)


def findings_for(
    session: Session, model: Subject, subject_ids: Sequence[int], since: datetime
) -> dict[int, list[Finding]]:
    """Official readings (newest per parameter) and live citizen reports, per subject id."""
    findings: dict[int, list[Finding]] = defaultdict(list)
    for subject_id, finding in _official(session, model, subject_ids):
        findings[subject_id].append(finding)
    for subject_id, finding in _citizen(session, model, subject_ids, since):
        findings[subject_id].append(finding)
    return findings


def survey_finding(
    surveyed_on: date | None,
    water_in_dry_season: bool | None,
    has_treatment: bool | None,
    treatment_works: bool | None,
) -> Finding | None:
    """The SIASAR survey (2015-16) as official evidence of how the system worked then.

    ``water_in_dry_season`` is SIASAR's "are there enough water resources at the source to meet
    the demand in the dry season?"; None where the survey did not record it (see
    ``geodata.seed.siasar.season_answers``), and then it says nothing about the colour.
    """
    if surveyed_on is None:
        return None
    notes: list[Message] = []
    if water_in_dry_season is False:
        notes.append(message("the source fell short of the demand in the dry season"))
    if has_treatment and treatment_works is False:
        notes.append(message("the treatment did not work"))
    if has_treatment is False:
        notes.append(message("no treatment"))
    colour = WaterStatus.YELLOW if notes else WaterStatus.GREEN
    detail: Message | Listing = Listing(notes) if notes else message("it worked")
    observed = datetime.combine(surveyed_on, time(), tzinfo=UTC)
    return Finding(colour, observed, message("SIASAR survey: {detail}", detail=detail), True)


def _subject_column(model: Subject, table: type[Measurement] | type[Report]) -> Any:
    return table.system_id if model is WaterSystem else table.source_id


def _official(
    session: Session, model: Subject, subject_ids: Sequence[int]
) -> list[tuple[int, Finding]]:
    subject = _subject_column(model, Measurement)
    rows = session.execute(
        select(
            subject.label("subject"),
            Measurement.parameter_code,
            Measurement.value,
            Measurement.compliance,
            Measurement.sampled_at,
            Measurement.explanation,
            Measurement.explanation_msg,
            Measurement.measured_by,
        )
        .where(subject.in_(subject_ids), Measurement.measured_by.in_(OFFICIAL_MEASURERS))
        .ext(distinct_on(subject, Measurement.parameter_code))
        .order_by(
            subject,
            Measurement.parameter_code,
            Measurement.sampled_at.desc(),
            Measurement.id.desc(),
        )
    ).all()
    found = []
    for row in rows:
        colour = colour_of(row.parameter_code, row.value, Compliance(row.compliance))
        if colour is None:
            continue
        msgid = (
            "Laboratory measurement: {explanation}"
            if row.measured_by == MeasuredBy.LAB
            else "Operator measurement: {explanation}"
        )
        what = _explanation(row.explanation_msg, row.explanation or row.parameter_code)
        reason = message(msgid, explanation=what)
        found.append((row.subject, Finding(colour, row.sampled_at, reason, official=True)))
    return found


def _citizen(
    session: Session, model: Subject, subject_ids: Sequence[int], since: datetime
) -> list[tuple[int, Finding]]:
    """Live citizen reports and readings, each with who sent it (phone/contact and network
    fingerprints) so that ``decide`` can tell one citizen from two, and whether the body
    confirmed it."""
    subject = _subject_column(model, Report)
    live = (
        subject.in_(subject_ids),
        Report.status.in_(statuses.LIVE),
        Report.received_at >= since,
    )
    found = []
    categories = session.execute(
        select(
            subject.label("subject"),
            Report.id,
            Report.category,
            Report.received_at,
            Report.reporter_fingerprint,
            Report.network_fingerprint,
            Report.confirmed_at,
        ).where(*live, Report.category.in_(list(CATEGORY_FINDINGS)))
    ).all()
    for row in categories:
        category = ReportCategory(row.category)
        colour, reason = CATEGORY_FINDINGS[category]
        finding = Finding(
            colour,
            row.received_at,
            reason,
            official=False,
            reporter=row.reporter_fingerprint or f"report:{row.id}",
            network=row.network_fingerprint,
            topic=category.value,
            confirmed=row.confirmed_at is not None,
        )
        found.append((row.subject, finding))
    readings = session.execute(
        select(
            subject.label("subject"),
            Report.id,
            Report.received_at,
            Report.reporter_fingerprint,
            Report.network_fingerprint,
            Report.confirmed_at,
            Measurement.parameter_code,
            Measurement.value,
            Measurement.compliance,
            Measurement.explanation,
            Measurement.explanation_msg,
        )
        .join(Report, Report.id == Measurement.report_id)
        .where(*live)
    ).all()
    for m in readings:
        reading_colour = colour_of(m.parameter_code, m.value, Compliance(m.compliance))
        if reading_colour is None:
            continue
        finding = Finding(
            reading_colour,
            m.received_at,
            message(
                "Citizen reading: {explanation}",
                explanation=_explanation(m.explanation_msg, m.explanation or m.parameter_code),
            ),
            official=False,
            reporter=m.reporter_fingerprint or f"report:{m.id}",
            network=m.network_fingerprint,
            topic=f"reading:{m.parameter_code}",
            confirmed=m.confirmed_at is not None,
        )
        found.append((m.subject, finding))
    return found


def _explanation(stored: Any, text: str) -> Message | str:
    """A reading's explanation as a message when one was kept, else its stored text."""
    parsed = from_json(stored)
    return parsed if isinstance(parsed, Message) else text
