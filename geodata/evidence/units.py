"""Units a reading may come in, converted to the catalogue's unit (``parameter.unit``).

What is accepted, per catalogue unit (spaces, case and accents do not matter; ``µ``, ``μ`` and
``u`` are the same):

* mg/L: ``mg/L``, ``ppm``, ``miligramos por litro``; ``µg/L`` and ``ppb`` (/1000); ``g/L`` (x1000).
* NTU: ``NTU``, ``UNT`` (the Spanish abbreviation). FNU (ISO 7027) is a different method: refused.
* pH: empty, ``pH``, ``unidades de pH``.
* µS/cm: ``µS/cm``, ``umho/cm``; ``mS/cm`` (x1000).
* UFC/100 mL: ``UFC/100 mL``, ``CFU/100 mL``, ``NMP/100 mL``, ``MPN/100 mL``: membrane-filter
  colony counts and most-probable-number estimates are taken as equivalent counts, as DS
  031-2010-SA's table does (its limit, 0 per 100 mL, reads the same in either); per mL x100.
* UFC/mL (heterotrophic bacteria): ``UFC/mL``, ``CFU/mL``; per 100 mL /100.
* UCV Pt/Co (colour): ``UCV``, ``Pt/Co``, ``Pt-Co``, ``Hazen``, ``PCU``, ``UC``.
* mg NO3/L: ``mg NO3/L``, ``mg NO3-/L``; as nitrogen ``mg NO3-N/L``, ``mg N-NO3/L`` (x4.427).
* mg NO2/L: ``mg NO2/L``; as nitrogen ``mg NO2-N/L`` (x3.284).
* mg N/L (ammonia): ``mg N/L``, ``mg NH3-N/L``; ``mg NH3/L`` (x0.822), ``mg NH4/L`` (x0.776).
* mg CaCO3/L (hardness): ``mg CaCO3/L``, and plain ``mg/L`` (hardness is reported as CaCO3).

A plain ``mg/L`` for nitrate, nitrite or ammonia is refused: as NO3 or as N differs by a factor
of 4.4, which is the difference between safe and not. Anything else is refused with the units
the parameter accepts.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from geodata.reports.quality import ImplausibleReading, Limits

# Molar masses: NO3 62.004, NO2 46.005, NH3 17.031, NH4 18.039, N 14.007 g/mol.
NITRATE_PER_N = 62.004 / 14.007
NITRITE_PER_N = 46.005 / 14.007
N_PER_AMMONIA = 14.007 / 17.031
N_PER_AMMONIUM = 14.007 / 18.039

_MASS = {"mg/l": 1.0, "ppm": 1.0, "miligramos/l": 1.0, "mg/dm3": 1.0}
_MASS_ALL = {**_MASS, "ug/l": 0.001, "ppb": 0.001, "microgramos/l": 0.001, "g/l": 1000.0}
_COUNTS_100 = {
    f"{kind}/100ml": 1.0 for kind in ("ufc", "cfu", "nmp", "mpn", "col", "colonias", "org")
}
_COUNTS_1 = {f"{kind}/ml": 1.0 for kind in ("ufc", "cfu", "nmp", "mpn")}

# catalogue unit key -> accepted unit key -> factor to the catalogue unit
CONVERSIONS: dict[str, dict[str, float]] = {
    "mg/l": _MASS_ALL,
    "ntu": {"ntu": 1.0, "unt": 1.0},
    "ph": {"": 1.0, "ph": 1.0, "unidadesdeph": 1.0, "unidadph": 1.0},
    "us/cm": {"us/cm": 1.0, "umho/cm": 1.0, "umhos/cm": 1.0, "ms/cm": 1000.0},
    "ufc/100ml": {**_COUNTS_100, **{k: 100.0 for k in _COUNTS_1}},
    "ufc/ml": {**_COUNTS_1, **{k: 0.01 for k in _COUNTS_100}},
    "ucvpt/co": {
        u: 1.0 for u in ("ucvpt/co", "ucv", "pt/co", "pt-co", "upt/co", "hazen", "pcu", "uc")
    },
    "mgno3/l": {
        "mgno3/l": 1.0,
        "mgno3-/l": 1.0,
        "mgno3-n/l": NITRATE_PER_N,
        "mgn-no3/l": NITRATE_PER_N,
        "mgno3n/l": NITRATE_PER_N,
    },
    "mgno2/l": {
        "mgno2/l": 1.0,
        "mgno2-/l": 1.0,
        "mgno2-n/l": NITRITE_PER_N,
        "mgn-no2/l": NITRITE_PER_N,
    },
    "mgn/l": {
        "mgn/l": 1.0,
        "mgnh3-n/l": 1.0,
        "mgn-nh3/l": 1.0,
        "mgnh3/l": N_PER_AMMONIA,
        "mgnh4/l": N_PER_AMMONIUM,
        "mgnh4+/l": N_PER_AMMONIUM,
    },
    "mgcaco3/l": {"mgcaco3/l": 1.0, "ppmcaco3": 1.0, **_MASS},
}
# A bare "mg/L" for these could be the ion or the nitrogen in it: the other form to suggest.
AMBIGUOUS_AS_N = {"mgno3/l": "mg NO3-N/L", "mgno2/l": "mg NO2-N/L", "mgn/l": "mg NH3/L"}


@lru_cache(maxsize=1024)
def unit_key(unit: str | None) -> str:
    """``"µg / L"`` -> ``"ug/l"``: what people type, compared without spaces, case or accents."""
    text = (unit or "").replace("µ", "u").replace("μ", "u").replace("³", "3")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"\s+|\.", "", text)
    return text.replace("litro", "l").replace("por", "/").replace("//", "/")


def to_catalogue_unit(value: float, unit: str | None, limits: Limits) -> float:
    """``value`` in ``unit`` expressed in the catalogue's unit, or ImplausibleReading."""
    given = unit_key(unit)
    target = unit_key(limits.unit)
    accepted = CONVERSIONS.get(target, {target: 1.0})
    if given == "" and target != "ph":
        return value  # no unit given: the catalogue's, as the form and the logbook header say
    if given in ("mg/l", "ppm") and target in AMBIGUOUS_AS_N:
        raise ImplausibleReading(
            "{name}: '{unit}' is ambiguous; write '{expected}' or '{other}'",
            name=limits.name_es,
            unit=unit,
            expected=limits.unit,
            other=AMBIGUOUS_AS_N[target],
        )
    factor = accepted.get(given)
    if factor is None:
        raise ImplausibleReading(
            "{name}: unit '{unit}' not accepted, use '{expected}'",
            name=limits.name_es,
            unit=unit,
            expected=limits.unit or "pH",
        )
    return float(f"{value * factor:.6g}") if factor != 1.0 else value
