"""Field parsing for user files: aliases in Spanish and English, typed values, row errors."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, TypeVar

from geodata.i18n import translate
from geodata.models import SourceType, SystemType
from geodata.seed.providers import fold

SYSTEM_FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("code", "codigo", "id_sistema"),
    "name": ("name", "nombre"),
    "system_type": ("system_type", "tipo", "tipo_sistema"),
    "population_served": ("population_served", "poblacion", "pob_servida", "population"),
    "dwellings_served": ("dwellings_served", "viviendas", "viv_servidas"),
    "communities": ("communities", "comunidades"),
    "provider": ("provider", "prestador", "pse"),
    "treatment_type": ("treatment_type", "tratamiento"),
}
SOURCE_FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("code", "codigo", "id_fuente"),
    "name": ("name", "nombre"),
    "source_type": ("source_type", "tipo", "tipo_fuente", "fuente_tipo"),
    "system_code": ("system_code", "codigo_sistema", "sistema"),
}

SYSTEM_TYPE_WORDS = {
    "gravedad": SystemType.GRAVITY,
    "bombeo": SystemType.PUMPED,
    "pozo manual": SystemType.HAND_WELL,
    "agua de lluvia": SystemType.RAINWATER,
    "lluvia": SystemType.RAINWATER,
    "desconocido": SystemType.UNKNOWN,
}
SOURCE_TYPE_WORDS = {
    "manantial": SourceType.SPRING,
    "ojo de agua": SourceType.SPRING,
    "pozo": SourceType.WELL,
    "pozo perforado": SourceType.WELL,
    "pozo excavado": SourceType.WELL,
    "rio": SourceType.RIVER,
    "quebrada": SourceType.RIVER,
    "lago": SourceType.LAKE,
    "laguna": SourceType.LAKE,
    "lluvia": SourceType.RAINWATER,
    "agua de lluvia": SourceType.RAINWATER,
    "otro": SourceType.OTHER,
    "desconocido": SourceType.UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    reason: str  # English msgid, translated when rendered
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, language: str) -> str:
        reason = translate(self.reason, language).format(**self.params)
        return translate("row {row}: {reason}", language).format(row=self.row, reason=reason)


class RowInvalid(Exception):
    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def pick(props: dict[str, Any], aliases: tuple[str, ...]) -> Any:
    lowered = {str(k).lower(): v for k, v in props.items()}
    for alias in aliases:
        value = lowered.get(alias)
        if value not in (None, ""):
            return value.strip() if isinstance(value, str) else value
    return None


def required_text(props: dict[str, Any], name: str, aliases: tuple[str, ...]) -> str:
    value = pick(props, aliases)
    if value is None:
        raise RowInvalid("missing required field '{field}'", field=name)
    return str(value)


def optional_count(props: dict[str, Any], name: str, aliases: tuple[str, ...]) -> int | None:
    value = pick(props, aliases)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if number < 0 or number != int(number):
        raise RowInvalid(
            "'{field}' must be a whole number >= 0, got '{value}'", field=name, value=value
        )
    return int(number)


E = TypeVar("E", bound=enum.StrEnum)


def vocabulary(
    props: dict[str, Any],
    name: str,
    aliases: tuple[str, ...],
    enum_cls: type[E],
    words: dict[str, E],
    default: E,
) -> E:
    value = pick(props, aliases)
    if value is None:
        return default
    folded = fold(str(value))
    for member in enum_cls:
        if folded == member.value:
            return member
    if folded in words:
        return words[folded]
    choices = ", ".join([m.value for m in enum_cls] + sorted(words))
    raise RowInvalid(
        "unknown {field} '{value}'; expected one of: {choices}",
        field=name,
        value=value,
        choices=choices,
    )
