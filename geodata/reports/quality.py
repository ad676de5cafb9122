"""Measurements against the Peru limits (DS 031-2010-SA) of the parameter catalogue.

``check_measurement`` refuses impossible readings (a pH of 20, a negative concentration) with a
reason the reporter can read; ``classify`` places a plausible reading against the limits and
explains it in plain Spanish; ``colour_of`` says what the reading means for the traffic light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    explanation: str


class ImplausibleReading(ValueError):
    """A reading refused with a reason (an English msgid and its parameters)."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid.format(**params))


def load_catalogue(session: Session) -> dict[str, Limits]:
    rows = session.scalars(select(Parameter)).all()
    return {p.code: Limits(p.code, p.name_es, p.unit, p.peru_min, p.peru_max) for p in rows}


def _unit_key(unit: str) -> str:
    key = unit.replace(" ", "").lower()
    return UNIT_ALIASES.get(key, key)


def check_measurement(raw: dict[str, Any], catalogue: dict[str, Limits]) -> Reading:
    """A submitted measurement as a reading in the catalogue's unit, or ImplausibleReading."""
    code = str(raw.get("parameter", ""))
    limits = catalogue.get(code)
    if limits is None:
        raise ImplausibleReading("unknown water-quality parameter '{code}'", code=code)
    value = raw.get("value")
    present = raw.get("present")
    if value is None and present is not None and code in PRESENCE_PARAMETERS | SENSORY_PARAMETERS:
        value = 1.0 if present else 0.0
    if value is None:
        raise ImplausibleReading("{name}: a value is required", name=limits.name_es)
    value = float(value)
    unit = raw.get("unit")
    if unit not in (None, "") and _unit_key(str(unit)) != _unit_key(limits.unit):
        raise ImplausibleReading(
            "{name}: unit '{unit}' not accepted, use '{expected}'",
            name=limits.name_es,
            unit=unit,
            expected=limits.unit,
        )
    if value != value or value < 0:
        raise ImplausibleReading("{name}: the value cannot be negative", name=limits.name_es)
    ceiling = PLAUSIBLE_MAX.get(code, DEFAULT_PLAUSIBLE_MAX)
    if value > ceiling:
        raise ImplausibleReading(
            "{name}: {value} {unit} is not a possible reading (at most {ceiling})",
            name=limits.name_es,
            value=_fmt(value),
            unit=limits.unit,
            ceiling=_fmt(ceiling),
        )
    return Reading(
        code, value, limits.unit, str(raw.get("method") or "kit"), raw.get("sample_point")
    )


def classify(code: str, value: float, catalogue: dict[str, Limits]) -> Classified:
    """Compliance of one reading and a plain-Spanish explanation of it."""
    limits = catalogue[code]
    name, unit, shown = limits.name_es, limits.unit, f"{_fmt(value)} {limits.unit}".strip()
    if code == FREE_CHLORINE:
        if value < CHLORINE_FLOOR:
            return Classified(
                Compliance.VIOLATION,
                f"{name}: {shown}, por debajo de 0.3 mg/L. El agua puede no estar desinfectada; "
                "hiérvala antes de beber.",
            )
        if value < (limits.peru_min or 0.5):
            return Classified(
                Compliance.WARNING,
                f"{name}: {shown}, entre 0.3 y 0.5 mg/L. Está por debajo del mínimo de 0.5 mg/L "
                "que pide la norma peruana.",
            )
    if code in PRESENCE_PARAMETERS:
        if value > 0:
            return Classified(
                Compliance.VIOLATION,
                f"{name}: se detectó presencia. La norma exige 0 por 100 mL; el agua puede "
                "causar enfermedades: hiérvala o clórela antes de beber.",
            )
        return Classified(Compliance.WITHIN, f"{name}: no se detectó. Cumple la norma (0 {unit}).")
    if code in SENSORY_PARAMETERS:
        if value > 0:
            return Classified(Compliance.WARNING, f"{name}: olor o sabor desagradable.")
        return Classified(Compliance.WITHIN, f"{name}: aceptable.")
    if limits.peru_min is not None and value < limits.peru_min:
        return Classified(
            Compliance.VIOLATION,
            f"{name}: {shown}, por debajo del mínimo de {_fmt(limits.peru_min)} {unit} "
            "de la norma peruana.",
        )
    if limits.peru_max is not None and value > limits.peru_max:
        return Classified(
            Compliance.VIOLATION,
            f"{name}: {shown}, por encima del máximo de {_fmt(limits.peru_max)} {unit} "
            "de la norma peruana.",
        )
    if limits.peru_min is None and limits.peru_max is None:
        return Classified(Compliance.UNKNOWN, f"{name}: {shown}; la norma no fija un límite.")
    return Classified(Compliance.WITHIN, f"{name}: {shown}, dentro de los límites de la norma.")


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
