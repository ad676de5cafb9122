"""Measurements against the Peru limits (DS 031-2010-SA) of the parameter catalogue.

``check_measurement`` refuses impossible readings (a pH of 20, a negative concentration) with a
reason the reporter can read; ``classify`` places a plausible reading against the limits and
explains it in plain words (a message rendered in the reader's language, Spanish by default);
``colour_of`` says what the reading means for the traffic light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.messages import Localized, Message, message
from geodata.models import Compliance, Parameter, WaterStatus

FREE_CHLORINE = "free_chlorine"
# DS 031-2010-SA Art. 66: no network sample below 0.3 mg/L; 0.5 mg/L is the minimum to aim for.
CHLORINE_FLOOR = 0.3
FAECAL_INDICATORS = frozenset({"e_coli", "thermotolerant_coliforms"})
PRESENCE_PARAMETERS = frozenset({"e_coli", "thermotolerant_coliforms", "total_coliforms"})
SENSORY_PARAMETERS = frozenset({"odour_taste"})

# Physically impossible or far outside any field kit's range: a typo, not water.
PLAUSIBLE_MAX: dict[str, float] = {
    "ph": 14.0,
    FREE_CHLORINE: 20.0,
    "turbidity": 4000.0,
    "conductivity": 100000.0,
    "colour": 1000.0,
}
DEFAULT_PLAUSIBLE_MAX = 1e7

UNIT_ALIASES = {"unt": "ntu", "nmp/100ml": "ufc/100ml", "ufc/100ml": "ufc/100ml", "ph": ""}


@dataclass(frozen=True, slots=True)
class Limits:
    code: str
    name_es: str
    unit: str
    peru_min: float | None
    peru_max: float | None
    name_en: str = ""

    @property
    def name(self) -> Localized:
        return Localized(self.name_es, self.name_en or self.name_es)


@dataclass(frozen=True, slots=True)
class Reading:
    """A plausible reading in the catalogue's unit."""

    parameter: str
    value: float
    unit: str
    method: str
    sample_point: str | None


@dataclass(frozen=True, slots=True)
class Classified:
    compliance: Compliance
    message: Message

    @property
    def explanation(self) -> str:
        """The Spanish text (kept in ``measurement.explanation`` beside the message)."""
        return self.message.render("es")


class ImplausibleReading(ValueError):
    """A reading refused with a reason (an English msgid and its parameters)."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params
        self.message = Message(msgid, params)
        super().__init__(self.message.render("en"))


def load_catalogue(session: Session) -> dict[str, Limits]:
    rows = session.scalars(select(Parameter)).all()
    return {
        p.code: Limits(p.code, p.name_es, p.unit, p.peru_min, p.peru_max, p.name_en) for p in rows
    }


def _unit_key(unit: str) -> str:
    key = unit.replace(" ", "").lower()
    return UNIT_ALIASES.get(key, key)


def check_measurement(raw: dict[str, Any], catalogue: dict[str, Limits]) -> Reading:
    """A submitted measurement as a reading in the catalogue's unit, or ImplausibleReading."""
    code = str(raw.get("parameter", ""))
    limits = catalogue.get(code)
    if limits is None:
        raise ImplausibleReading("The water-quality parameter {code} is not known.", code=code)
    value = raw.get("value")
    present = raw.get("present")
    if value is None and present is not None and code in PRESENCE_PARAMETERS | SENSORY_PARAMETERS:
        value = 1.0 if present else 0.0
    if value is None:
        raise ImplausibleReading("{name}: write the value you measured.", name=limits.name)
    value = float(value)
    unit = raw.get("unit")
    if unit not in (None, "") and _unit_key(str(unit)) != _unit_key(limits.unit):
        raise ImplausibleReading(
            "{name}: the unit {unit} is not accepted; use {expected}.",
            name=limits.name,
            unit=unit,
            expected=limits.unit,
        )
    if value != value or value < 0:
        raise ImplausibleReading(
            "{name}: the value cannot be negative; check the number.", name=limits.name
        )
    ceiling = PLAUSIBLE_MAX.get(code, DEFAULT_PLAUSIBLE_MAX)
    if value > ceiling:
        raise ImplausibleReading(
            "{name}: {value} {unit} is not a possible reading (at most {ceiling}). "
            "Check the number.",
            name=limits.name,
            value=_fmt(value),
            unit=limits.unit,
            ceiling=_fmt(ceiling),
        )
    return Reading(
        code, value, limits.unit, str(raw.get("method") or "kit"), raw.get("sample_point")
    )


def classify(code: str, value: float, catalogue: dict[str, Limits]) -> Classified:
    """Compliance of one reading and a plain explanation of it (a message)."""
    limits = catalogue[code]
    name, unit, shown = limits.name, limits.unit, f"{_fmt(value)} {limits.unit}".strip()
    if code == FREE_CHLORINE:
        if value < CHLORINE_FLOOR:
            return Classified(
                Compliance.VIOLATION,
                message(
                    "{name}: {shown}, below 0.3 mg/L. The water may not be disinfected; "
                    "boil it before drinking.",
                    name=name,
                    shown=shown,
                ),
            )
        if value < (limits.peru_min or 0.5):
            return Classified(
                Compliance.WARNING,
                message(
                    "{name}: {shown}, between 0.3 and 0.5 mg/L. It is below the minimum of "
                    "0.5 mg/L that the Peruvian standard asks for.",
                    name=name,
                    shown=shown,
                ),
            )
    if code in PRESENCE_PARAMETERS:
        if value > 0:
            return Classified(
                Compliance.VIOLATION,
                message(
                    "{name}: present. The standard requires 0 per 100 mL; the water can make "
                    "people ill: boil or chlorinate it before drinking.",
                    name=name,
                ),
            )
        return Classified(
            Compliance.WITHIN,
            message("{name}: not found. It meets the standard (0 {unit}).", name=name, unit=unit),
        )
    if code in SENSORY_PARAMETERS:
        if value > 0:
            return Classified(
                Compliance.WARNING, message("{name}: unpleasant smell or taste.", name=name)
            )
        return Classified(Compliance.WITHIN, message("{name}: acceptable.", name=name))
    if limits.peru_min is not None and value < limits.peru_min:
        return Classified(
            Compliance.VIOLATION,
            message(
                "{name}: {shown}, below the minimum of {limit} {unit} of the Peruvian standard.",
                name=name,
                shown=shown,
                limit=_fmt(limits.peru_min),
                unit=unit,
            ),
        )
    if limits.peru_max is not None and value > limits.peru_max:
        return Classified(
            Compliance.VIOLATION,
            message(
                "{name}: {shown}, above the maximum of {limit} {unit} of the Peruvian standard.",
                name=name,
                shown=shown,
                limit=_fmt(limits.peru_max),
                unit=unit,
            ),
        )
    if limits.peru_min is None and limits.peru_max is None:
        return Classified(
            Compliance.UNKNOWN,
            message("{name}: {shown}; the standard sets no limit.", name=name, shown=shown),
        )
    return Classified(
        Compliance.WITHIN,
        message("{name}: {shown}, within the limits of the standard.", name=name, shown=shown),
    )


def colour_of(code: str, value: float, compliance: Compliance) -> WaterStatus | None:
    """Traffic light of one classified reading; None when it says nothing about the colour.

    Red: a faecal indicator (E. coli, thermotolerant coliforms) detected or free chlorine below
    0.3 mg/L. Yellow: any other reading outside the limits or in the warning band (chlorine
    0.3-0.5, turbidity above 5, pH outside 6.5-8.5, total coliforms). Green: within the limits.
    """
    if compliance is Compliance.UNKNOWN:
        return None
    if compliance is Compliance.WITHIN:
        return WaterStatus.GREEN
    if code in FAECAL_INDICATORS and value > 0:
        return WaterStatus.RED
    if code == FREE_CHLORINE and value < CHLORINE_FLOOR:
        return WaterStatus.RED
    return WaterStatus.YELLOW


def _fmt(value: float) -> str:
    return f"{value:g}"
