"""What people type into logbooks and lab sheets: sample points, parameters, presence, numbers,
dates. Each parser returns a clean value or raises ``RowInvalid`` with an English msgid.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any

from geodata.io.rows import RowInvalid
from geodata.models import SamplePoint
from geodata.reports.quality import Limits
from geodata.seed.providers import fold

# Peru has kept UTC-5 all year since 1994: a logbook's "8:30" is 13:30 UTC.
PERU = timezone(timedelta(hours=-5), "PET")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=10)  # a phone's clock a little ahead is not "the future"

SAMPLE_POINT_WORDS: dict[str, SamplePoint] = {
    **{p.value: p for p in SamplePoint},
    "captacion": SamplePoint.SOURCE,
    "fuente": SamplePoint.SOURCE,
    "manantial": SamplePoint.SOURCE,
    "intake": SamplePoint.SOURCE,
    "reservorio": SamplePoint.RESERVOIR,
    "tanque": SamplePoint.RESERVOIR,
    "deposito": SamplePoint.RESERVOIR,
    "tank": SamplePoint.RESERVOIR,
    "red": SamplePoint.NETWORK,
    "red de distribucion": SamplePoint.NETWORK,
    "distribucion": SamplePoint.NETWORK,
    "distribution": SamplePoint.NETWORK,
    "grifo": SamplePoint.TAP,
    "cano": SamplePoint.TAP,
    "pileta": SamplePoint.TAP,
    "pileta publica": SamplePoint.TAP,
    "domicilio": SamplePoint.TAP,
    "vivienda": SamplePoint.TAP,
    "conexion domiciliaria": SamplePoint.TAP,
    "household": SamplePoint.TAP,
}

PARAMETER_WORDS = {
    "cloro": "free_chlorine",
    "cloro libre": "free_chlorine",
    "cloro residual": "free_chlorine",
    "crl": "free_chlorine",
    "chlorine": "free_chlorine",
    "residual chlorine": "free_chlorine",
    "turbidez": "turbidity",
    "coliformes fecales": "thermotolerant_coliforms",
    "faecal coliforms": "thermotolerant_coliforms",
    "fecal coliforms": "thermotolerant_coliforms",
    "ecoli": "e_coli",
    "e. coli": "e_coli",
    "e coli": "e_coli",
    "conductividad": "conductivity",
    "conductividad electrica": "conductivity",
    "std": "total_dissolved_solids",
    "tds": "total_dissolved_solids",
    "dureza": "hardness",
    "nitrato": "nitrate",
    "nitrito": "nitrite",
    "amonio": "ammonia",
    "olor": "odour_taste",
    "sabor": "odour_taste",
}

PRESENT_WORDS = frozenset(
    {"presente", "presencia", "positivo", "positiva", "si", "detectado", "present", "presence"}
    | {"positive", "yes", "detected", "p", "+", "1", "true"}
)
ABSENT_WORDS = frozenset(
    {"ausente", "ausencia", "negativo", "negativa", "no", "no detectado", "nd", "absent"}
    | {"absence", "negative", "not detected", "a", "-", "0", "false"}
)


# Laboratory files repeat the same few words, dates and units on every row: parse each once.
folded = lru_cache(maxsize=4096)(fold)


def sample_point(value: Any) -> SamplePoint:
    if value in (None, ""):
        raise RowInvalid("missing required field '{field}'", field="sample_point")
    found = SAMPLE_POINT_WORDS.get(folded(str(value)))
    if found is None:
        raise RowInvalid(
            "unknown sample point '{value}'; expected source, reservoir, network or tap "
            "(captación, reservorio, red, grifo)",
            value=value,
        )
    return found


def parameter_names(catalogue: dict[str, Limits]) -> dict[str, str]:
    """Folded names people give parameters (code, Spanish name, common words) -> code."""
    words = {w: c for w, c in PARAMETER_WORDS.items() if c in catalogue}
    for limits in catalogue.values():
        words[fold(limits.code)] = limits.code
        words[fold(limits.code.replace("_", " "))] = limits.code
        words[fold(limits.name_es)] = limits.code
    return words


def parameter_code(value: Any, names: dict[str, str]) -> str:
    if value in (None, ""):
        raise RowInvalid("missing required field '{field}'", field="parameter")
    text = folded(str(value))
    found = names.get(text) or names.get(re.sub(r"\s*\(.*\)$", "", text))
    if found is None:
        raise RowInvalid("unknown water-quality parameter '{code}'", code=value)
    return found


def presence(value: Any) -> bool | None:
    """True/False for a presence/absence result, None when the text is not one."""
    if isinstance(value, bool):
        return value
    text = folded(str(value))
    if text in PRESENT_WORDS:
        return True
    if text in ABSENT_WORDS:
        return False
    return None


def number(value: Any, field: str) -> tuple[float, str | None]:
    """A number as typed (``0,5``, ``0.5``, ``<1.8``, ``>1600``) and its qualifier."""
    if isinstance(value, bool):
        raise RowInvalid("'{field}' must be a number, got '{value}'", field=field, value=value)
    if isinstance(value, int | float):
        return float(value), None
    text = str(value).strip().replace(",", ".")
    qualifier = text[0] if text[:1] in ("<", ">") else None
    try:
        parsed = float(text.lstrip("<>").strip())
    except ValueError:
        raise RowInvalid(
            "'{field}' must be a number, got '{value}'", field=field, value=value
        ) from None
    if parsed != parsed or parsed in (float("inf"), float("-inf")):
        raise RowInvalid("'{field}' must be a number, got '{value}'", field=field, value=value)
    return parsed, qualifier


@lru_cache(maxsize=8192)
def _parse_date(text: str) -> date | datetime:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    cleaned = text.replace("Z", "+00:00")
    for pattern in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M"):
        try:
            return datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
    return datetime.fromisoformat(cleaned)


def _parse_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    return _parse_clock(str(value))


@lru_cache(maxsize=4096)
def _parse_clock(value: str) -> time:
    text = str(value).strip().lower().replace(".", ":").replace("h", ":").rstrip(":")
    for pattern in ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p"):
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise ValueError(text)


def sampled_at(value: Any, clock: Any = None, now: datetime | None = None) -> datetime:
    """When the sample was taken, timezone-aware (a time without zone is Peru's); never in
    the future, never before 2000 (a typo). Dates are day/month/year, as in Peru."""
    if value in (None, ""):
        raise RowInvalid("missing required field '{field}'", field="sampled_at")
    try:
        parsed = value if isinstance(value, date) else _parse_date(str(value).strip())
        if not isinstance(parsed, datetime):
            at = _parse_time(clock) if clock not in (None, "") else time(0, 0)
            parsed = datetime.combine(parsed, at)
        elif clock not in (None, "") and parsed.time() == time(0, 0):
            parsed = datetime.combine(parsed.date(), _parse_time(clock))
    except (TypeError, ValueError):
        raise RowInvalid(
            "'{field}' is not a date (day/month/year or YYYY-MM-DD, and a time): '{value}'",
            field="sampled_at",
            value=value if clock in (None, "") else f"{value} {clock}",
        ) from None
    return check_sampled_at(parsed, now)


def check_sampled_at(moment: datetime, now: datetime | None = None) -> datetime:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=PERU)
    now = now or datetime.now(UTC)
    if aware > now + CLOCK_SKEW:
        raise RowInvalid(
            "the sample date {value} is in the future", value=aware.astimezone(PERU).isoformat()
        )
    if aware < EARLIEST:
        raise RowInvalid("the sample date {value} is before 2000", value=aware.date().isoformat())
    return aware.astimezone(UTC)
