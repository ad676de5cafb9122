"""Parsing of the OGC API - Features query parameters: datetime, limit, offset (bbox is
``geodata.bbox``, shared by every route).

Every parser raises ``BadParameter`` with a message that names the parameter and the rule it
broke, so a client gets a 400 it can act on, never a 500 (OGC API - Features Part 1, 7.15).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from geodata.opendata.errors import BadParameter

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_OFFSET = 2**31 - 1  # beyond it PostgreSQL would fail, not answer an empty page

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OPEN = {"", ".."}


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed time interval; ``None`` ends are open. An instant has ``start == end``."""

    start: datetime | None
    end: datetime | None


def _moment(text: str, end_of_day: bool) -> datetime:
    """An RFC 3339 date-time (UTC if no offset) or a date (its first or last instant)."""
    if _DATE.match(text):
        day = date.fromisoformat(text)
        if end_of_day:
            return datetime.combine(day + timedelta(days=1), time.min, UTC) - timedelta(
                microseconds=1
            )
        return datetime.combine(day, time.min, UTC)
    if "T" not in text.upper():
        raise ValueError(text)
    parsed = datetime.fromisoformat(text.replace("z", "Z"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_datetime(value: str | None) -> Interval | None:
    """An instant, or an interval ``start/end`` where either end may be open (``..`` or empty)."""
    if value is None:
        return None
    text = value.strip()
    try:
        if "/" not in text:
            if text in _OPEN:
                raise ValueError(text)
            return Interval(_moment(text, False), _moment(text, True))
        first, _, second = text.partition("/")
        if "/" in second:
            raise ValueError(text)
        start = None if first.strip() in _OPEN else _moment(first.strip(), False)
        end = None if second.strip() in _OPEN else _moment(second.strip(), True)
    except (ValueError, OverflowError):
        raise BadParameter(
            "datetime must be an RFC 3339 date-time such as 2024-05-01T12:00:00Z or an interval "
            "such as 2024-01-01/2024-06-30, '../2024-06-30' or '2024-01-01/..'; got '{value}'",
            value=value,
        ) from None
    if start is None and end is None:
        raise BadParameter("datetime interval needs at least one closed end")
    if start is not None and end is not None and start > end:
        raise BadParameter("datetime interval starts after it ends")
    return Interval(start, end)


def parse_int(
    name: str, value: str | None, default: int, minimum: int, maximum: int | None = MAX_OFFSET
) -> int:
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise BadParameter(
            "{name} must be a whole number, got '{value}'", name=name, value=value
        ) from None
    if number < minimum:
        raise BadParameter("{name} must be at least {minimum}", name=name, minimum=minimum)
    if maximum is not None and number > maximum:
        raise BadParameter("{name} must be at most {maximum}", name=name, maximum=maximum)
    return number


def parse_limit(value: str | None) -> int:
    """Above the maximum the limit is capped, not refused (Part 1, /req/core/rc-limit-response)."""
    return min(parse_int("limit", value, DEFAULT_LIMIT, 1, maximum=None), MAX_LIMIT)


def parse_offset(value: str | None) -> int:
    return parse_int("offset", value, 0, 0)


def reject_unknown(params: Mapping[str, str] | Iterable[str], allowed: Iterable[str]) -> None:
    known = set(allowed)
    unknown = sorted(set(params) - known)
    if unknown:
        raise BadParameter(
            "unknown query parameter(s): {names}; allowed: {allowed}",
            names=", ".join(unknown),
            allowed=", ".join(sorted(known)),
        )


def parse_values(name: str, value: str) -> list[str]:
    """A comma-separated list of free values (codes, ubigeos); empty is refused."""
    values = [v.strip() for v in value.split(",") if v.strip()]
    if not values:
        raise BadParameter("{name} must not be empty", name=name)
    return values


def parse_choice(name: str, value: str, choices: Iterable[str]) -> list[str]:
    """One value or a comma-separated list, each from ``choices``."""
    allowed = list(choices)
    values = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in values if v not in allowed]
    if not values or bad:
        raise BadParameter(
            "unknown {name} '{value}'; expected one of: {choices}",
            name=name,
            value=value,
            choices=", ".join(allowed),
        )
    return values
