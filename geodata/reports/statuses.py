"""The report lifecycle in one place: which statuses are public, open or live, and which moves
between them are allowed (FixMyStreet / Open311 states, ``../shared/domain/DOMAIN.md``).

Everything else (validation, the desk, evidence, open data, the map, Open311) asks this module;
no other module spells out a set of statuses.
"""

from __future__ import annotations

from collections.abc import Mapping

from geodata.models.enums import ReportStatus

RECEIVED = ReportStatus.RECEIVED
VALIDATED = ReportStatus.VALIDATED
REJECTED = ReportStatus.REJECTED
ACKNOWLEDGED = ReportStatus.ACKNOWLEDGED
IN_PROGRESS = ReportStatus.IN_PROGRESS
RESOLVED = ReportStatus.RESOLVED
CLOSED = ReportStatus.CLOSED

# What the public sees in lists, maps, feeds and open data: reports validation accepted.
# 'received' ones are unchecked (spam, out of area) and 'rejected' ones were refused; their
# reporter still follows them by tracking code.
PUBLIC: tuple[ReportStatus, ...] = (VALIDATED, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, CLOSED)

# Still waiting for someone to act (Open311 "open").
OPEN: tuple[ReportStatus, ...] = (RECEIVED, VALIDATED, ACKNOWLEDGED, IN_PROGRESS)

# Public and open: they still describe the water (evidence for the traffic light, open-report
# counts, the map's report layer, duplicates to corroborate).
LIVE: tuple[ReportStatus, ...] = tuple(s for s in PUBLIC if s in OPEN)

# A responsible body has answered (the clock of "time to acknowledge" stops at the first).
ANSWERED: tuple[ReportStatus, ...] = (ACKNOWLEDGED, IN_PROGRESS, RESOLVED, CLOSED)

# Allowed moves. A note without a change of status is always allowed on a validated report
# (see ``lifecycle.transition``); re-opening a resolved report goes back to 'acknowledged'
# (someone already knows of it), and a moderator may restore a wrongly rejected one.
TRANSITIONS: Mapping[ReportStatus, frozenset[ReportStatus]] = {
    RECEIVED: frozenset({VALIDATED, REJECTED}),
    VALIDATED: frozenset({ACKNOWLEDGED, IN_PROGRESS, RESOLVED, REJECTED, CLOSED}),
    ACKNOWLEDGED: frozenset({IN_PROGRESS, RESOLVED, REJECTED, CLOSED}),
    IN_PROGRESS: frozenset({ACKNOWLEDGED, RESOLVED, CLOSED}),
    RESOLVED: frozenset({ACKNOWLEDGED, IN_PROGRESS, CLOSED}),
    CLOSED: frozenset({ACKNOWLEDGED}),
    REJECTED: frozenset({VALIDATED}),
}

# Statuses where a note (no change of status) may be added.
NOTE_ALLOWED: tuple[ReportStatus, ...] = (VALIDATED, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, CLOSED)


# How a status is named in messages (English msgids, translated in geodata/locale).
LABELS: Mapping[ReportStatus, str] = {
    RECEIVED: "received",
    VALIDATED: "checked automatically",
    REJECTED: "not accepted",
    ACKNOWLEDGED: "acknowledged",
    IN_PROGRESS: "in progress",
    RESOLVED: "resolved",
    CLOSED: "closed",
}


def is_public(status: ReportStatus | str) -> bool:
    return ReportStatus(status) in PUBLIC


def is_open(status: ReportStatus | str) -> bool:
    return ReportStatus(status) in OPEN


def can_move(current: ReportStatus | str, target: ReportStatus | str) -> bool:
    return ReportStatus(target) in TRANSITIONS[ReportStatus(current)]


def values(statuses: tuple[ReportStatus, ...]) -> list[str]:
    """The plain strings of a set, for SQL array parameters."""
    return [s.value for s in statuses]
