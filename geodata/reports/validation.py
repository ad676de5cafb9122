"""Validation of reports, idempotent: only ``received`` reports are claimed and decided.

Checks, in order: location code, measurement ranges and units, inside La Libertad (with a
tolerance; swapped lon/lat explained), the reporter's rate limit. A report that passes gets its
district, its nearest system or source, the original it corroborates (a duplicate is linked, not
counted twice), the responsible provider, and its measurements classified against the Peru
limits. Work is set-based so a worker can take a batch of reports in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from geodata.messages import Message, message
from geodata.models import Report, ReportCategory, ReportStatus, WaterStatus
from geodata.opendata.privacy import mask_contacts
from geodata.reports import deadlines, locate
from geodata.reports.facts import Facts, spatial_facts
from geodata.reports.lifecycle import YAKU, transition
from geodata.reports.measurements import record_measurements
from geodata.reports.quality import (
    ImplausibleReading,
    Limits,
    Reading,
    check_measurement,
    classify,
    colour_of,
    load_catalogue,
)
from geodata.reports.routing import Router
from geodata.settings import Settings, get_settings
from geodata.spatial import point, region_checks

URGENT_CATEGORIES = (ReportCategory.NO_WATER, ReportCategory.SUSPECTED_CONTAMINATION)
# Validation order under load: reports that can turn a system red go first.
URGENT = or_(
    Report.category.in_(URGENT_CATEGORIES),
    func.jsonb_array_length(Report.submitted_measurements) > 0,
)
# A report whose validation failed this many times is left to the moderators (poison report).
MAX_VALIDATION_ATTEMPTS = 3
MAX_ERROR_LENGTH = 2000

# Said to the person who sent the report; the form's pre-check (``precheck``) uses them too.
UNKNOWN_CODE = (
    "No water system or source has the code {code}. Check the code on the map or on the tank, "
    "or choose the place on the map."
)
SWAPPED = (
    "The longitude and latitude seem to be swapped (lon {lon}, lat {lat}). Choose the place "
    "again on the map."
)
OUTSIDE = (
    "This place is outside La Libertad (more than {km} km away). Choose a place inside La Libertad."
)


@dataclass(frozen=True, slots=True)
class Outcome:
    report_id: int
    status: ReportStatus
    reason: str | None = None


class Rejection(Exception):
    """Why a report is refused, said to the person who sent it (an English msgid)."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params
        self.message = Message(msgid, params)
        super().__init__(msgid)

    def text(self, language: str) -> str:
        return self.message.render(language)


def claim(session: Session, report_ids: Sequence[int], backlog: int = 0) -> list[Report]:
    """Lock the reports still waiting for validation; other workers' claims are skipped.

    With ``backlog`` > 0, also take up to that many other waiting reports: under load a worker
    drains the queue in large batches, and the tasks for those reports find nothing left to do.
    Urgent reports go first (those that can turn a system red: no water, suspected
    contamination, or readings), then the oldest.
    """
    waiting = (
        Report.status == ReportStatus.RECEIVED,
        Report.validation_attempts < MAX_VALIDATION_ATTEMPTS,
    )
    claimed = list(
        session.scalars(
            select(Report)
            .where(Report.id.in_(list(report_ids)), *waiting)
            .order_by(Report.id)
            .with_for_update(skip_locked=True)
        )
    )
    if backlog > 0:
        taken = [r.id for r in claimed]
        claimed += session.scalars(
            select(Report)
            .where(*waiting, Report.id.not_in(taken))
            .order_by(URGENT.desc(), Report.received_at, Report.id)
            .limit(backlog)
            .with_for_update(skip_locked=True)
        )
        claimed.sort(key=lambda r: r.id)
    return claimed


def validate_report(
    session: Session, report_id: int, settings: Settings | None = None
) -> Outcome | None:
    """Validate or reject one report; None when it was not waiting (done, or being done)."""
    outcomes = validate_reports(session, [report_id], settings)
    return outcomes[0] if outcomes else None


def validate_reports(
    session: Session,
    report_ids: Sequence[int],
    settings: Settings | None = None,
    backlog: int = 0,
    claimed: list[int] | None = None,
) -> list[Outcome]:
    """Validate or reject every claimable report of ``report_ids`` (plus up to ``backlog``
    other waiting ones), in id order. ``claimed``, when given, receives the ids taken before
    any work is done, so a caller whose transaction fails knows which reports to retry alone."""
    settings = settings or get_settings()
    reports = claim(session, report_ids, backlog)
    if claimed is not None:
        claimed.extend(r.id for r in reports)
    if not reports:
        return []
    now = datetime.now(UTC)
    catalogue: dict[str, Limits] | None = None
    pending: list[tuple[Report, list[Reading]]] = []
    outcomes: dict[int, Outcome] = {}
    for report in reports:
        report.validation_attempts += 1
        # Validation is when a report may become public: its public text is fixed here.
        report.public_description = mask_contacts(report.description or "")
        try:
            _resolve_code(session, report)
            if report.submitted_measurements and catalogue is None:
                catalogue = load_catalogue(session)
            readings = _readings(report, catalogue or {})
        except Rejection as rejection:
            outcomes[report.id] = _reject(session, report, rejection, now)
            continue
        pending.append((report, readings))
    session.flush()
    facts = spatial_facts(session, [r.id for r, _ in pending])
    limits = locate.recent_counts(session, [r.id for r, _ in pending])
    accepted: list[tuple[Report, list[Reading], Facts]] = []
    for report, readings in pending:
        try:
            fact = facts[report.id]
            _check_area(session, fact, settings)
            if limits.get(report.id, 0) >= settings.reporter_rate_limit_per_hour:
                raise Rejection(
                    "This phone or contact sent too many reports in one hour (at most "
                    "{limit}). Please wait a while and send it again.",
                    limit=settings.reporter_rate_limit_per_hour,
                )
        except Rejection as rejection:
            outcomes[report.id] = _reject(session, report, rejection, now)
            continue
        accepted.append((report, readings, fact))
    # _enrich's queries (duplicates, routing, tie-breaks) read nothing this batch has changed:
    # no autoflush in between, the batch's changes go in the one flush at the end.
    with session.no_autoflush:
        _enrich(session, [(r, f) for r, _, f in accepted], settings)
    record_measurements(session, [(r, readings) for r, readings, _ in accepted])
    for report, readings, _ in accepted:
        report.is_urgent = is_urgent(report.category, readings, catalogue or {})
        report.due_at = deadlines.due_at(report.is_urgent, now, settings)
        note = _validated_note(report)
        transition(
            session,
            report,
            ReportStatus.VALIDATED,
            YAKU,
            note.render(report.language),
            now=now,
            message=note,
        )
        outcomes[report.id] = Outcome(report.id, ReportStatus.VALIDATED)
    session.flush()
    return [outcomes[r.id] for r in reports]


def is_urgent(
    category: ReportCategory, readings: Sequence[Reading], catalogue: dict[str, Limits]
) -> bool:
    """Urgent: suspected contamination, no water, or a reading that alone means red."""
    if category in URGENT_CATEGORIES:
        return True
    for reading in readings:
        verdict = classify(reading.parameter, reading.value, catalogue)
        if colour_of(reading.parameter, reading.value, verdict.compliance) is WaterStatus.RED:
            return True
    return False


def record_failure(session: Session, report_id: int, error: BaseException) -> int:
    """Count a failed validation outside the failed transaction; returns the attempts so far.

    After ``MAX_VALIDATION_ATTEMPTS`` the report is no longer claimed nor swept: it waits on
    the moderators' desk with its error.
    """
    text = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
    attempts = session.scalar(
        update(Report)
        .where(Report.id == report_id, Report.status == ReportStatus.RECEIVED)
        .values(validation_attempts=Report.validation_attempts + 1, validation_error=text)
        .returning(Report.validation_attempts)
    )
    return int(attempts or 0)


def _resolve_code(session: Session, report: Report) -> None:
    if report.location_code and report.geom is None:
        resolved = locate.resolve_code(session, report.location_code)
        if resolved is None:
            raise Rejection(UNKNOWN_CODE, code=report.location_code)
        link, lon, lat = resolved
        report.geom = point(lon, lat)
        report.system_id, report.source_id = link.system_id, link.source_id


def _readings(report: Report, catalogue: dict[str, Limits]) -> list[Reading]:
    readings = []
    for raw in report.submitted_measurements or []:
        try:
            readings.append(check_measurement(raw, catalogue))
        except ImplausibleReading as bad:
            raise Rejection(bad.msgid, **bad.params) from bad
    return readings


def _check_area(session: Session, fact: Facts, settings: Settings) -> None:
    if fact.covering:
        return  # inside a district of La Libertad
    tolerance = settings.region_tolerance_m
    inside, swapped_inside = region_checks(session, [(fact.lon, fact.lat)], tolerance)[0]
    if inside:
        return
    if swapped_inside:
        raise Rejection(SWAPPED, lon=fact.lon, lat=fact.lat)
    raise Rejection(OUTSIDE, km=f"{tolerance / 1000:g}")


def _enrich(session: Session, accepted: list[tuple[Report, Facts]], settings: Settings) -> None:
    router = Router(session)
    for report, fact in accepted:
        if len(fact.covering) == 1:
            report.district_id = fact.covering[0]
        else:  # overlaps or gaps between district polygons: the deterministic tie-break
            report.district_id = locate.district_at(session, fact.lon, fact.lat)
        if report.system_id is None and report.source_id is None:
            report.system_id, report.source_id = fact.nearest_link(settings.link_distance_m)
    originals = locate.duplicate_originals(
        session,
        [(r, f.lon, f.lat) for r, f in accepted],
        settings.duplicate_distance_m,
        timedelta(hours=settings.duplicate_window_hours),
    )
    for report, _ in accepted:
        report.duplicate_of_id = originals.get(report.id)
    router.prefetch([r.system_id for r, _ in accepted])
    for report, _ in accepted:
        report.provider_id = router.responsible(report.system_id, report.district_id)


def _validated_note(report: Report) -> Message:
    if report.duplicate_of_id is not None:
        return message(
            "The automatic check passed: the report is public. It confirms an earlier report "
            "of the same problem nearby."
        )
    return message("The automatic check passed: the report is public.")


def _reject(session: Session, report: Report, rejection: Rejection, now: datetime) -> Outcome:
    reason = rejection.text(report.language)
    transition(
        session, report, ReportStatus.REJECTED, YAKU, reason, now=now, message=rejection.message
    )
    return Outcome(report.id, ReportStatus.REJECTED, reason)
