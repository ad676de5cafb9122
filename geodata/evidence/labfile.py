"""A laboratory's results file (health surveillance, DIRESA): one row per sample and parameter.

Columns, in Spanish or English (any case or accents; a unit in parentheses in a header is
ignored here, the unit column says it):

| what | Spanish | English |
|---|---|---|
| system or source code | codigo, codigo_sistema, codigo_fuente | code, system_code, source_code |
| sample point | punto_de_muestreo, punto | sample_point |
| sampled at | fecha_de_muestreo, fecha (and hora) | sampled_at, date (and time) |
| parameter | parametro | parameter |
| value or presence | valor, resultado / presencia | value, result / presence |
| unit | unidad | unit |
| laboratory | laboratorio | laboratory |
| sample id | codigo_de_muestra, muestra | sample_id |

Values may be ``<x`` (below the detection limit x) or ``>x``: for bacteria ``<x`` means not
detected and ``>x`` present; for other parameters a bound is stored as x only when every value
it allows falls on one side of the norm's limit (``<0.005`` arsenic is within 0.010, ``>50``
turbidity is above 5); any other bound cannot be classified and the row is refused.
Presence may be written presente/ausente, positivo/negativo, sí/no, P/A, 1/0.
A sample id and parameter are recorded once: uploading the same result again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.accounts.errors import Forbidden
from geodata.accounts.scope import Scope
from geodata.evidence import fields
from geodata.evidence.delivery import Delivery, deliver, digest_of, earlier_delivery
from geodata.evidence.sheets import Row, Sheet, read_sheet
from geodata.evidence.store import OfficialReading, lab_key, lock_official_writes, official_reading
from geodata.evidence.units import to_catalogue_unit
from geodata.io.rows import RowError, RowInvalid
from geodata.models import MeasuredBy, WaterSource, WaterSystem
from geodata.reports.quality import (
    PRESENCE_PARAMETERS,
    Classified,
    ImplausibleReading,
    Limits,
    load_catalogue,
)

LAB_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": (
        *("codigo", "codigo_sistema", "codigo_fuente", "codigo_del_sistema", "sistema"),
        *("fuente", "code", "system_code", "source_code", "system", "source"),
    ),
    "sample_point": ("punto_de_muestreo", "punto_muestreo", "punto", "sample_point"),
    "sampled_at": (
        *("fecha_de_muestreo", "fecha_muestreo", "fecha_hora_muestreo", "fecha"),
        *("sampled_at", "sample_date", "date"),
    ),
    "time": ("hora_de_muestreo", "hora_muestreo", "hora", "sample_time", "time"),
    "parameter": ("parametro", "parameter"),
    "value": ("valor", "resultado", "value", "result"),
    "presence": ("presencia", "presencia_ausencia", "presence", "presence_absence"),
    "unit": ("unidad", "unidades", "unit", "units"),
    "laboratory": ("laboratorio", "laboratory", "lab"),
    "sample_id": (
        *("codigo_de_muestra", "codigo_muestra", "id_muestra", "n_muestra", "muestra"),
        *("sample_id", "sample_code", "sample"),
    ),
}
REQUIRED = ("code", "sample_point", "sampled_at", "parameter", "laboratory", "sample_id")
UNITLESS = frozenset({"ph", "odour_taste"})


@dataclass(frozen=True, slots=True)
class Subjects:
    """The systems and sources a file names, by code."""

    systems: dict[str, int]
    sources: dict[str, int]

    @classmethod
    def named_in(cls, session: Session, codes: set[str]) -> Subjects:
        wanted = sorted(codes)
        systems = session.execute(
            select(WaterSystem.code, WaterSystem.id).where(WaterSystem.code.in_(wanted))
        ).all()
        sources = session.execute(
            select(WaterSource.code, WaterSource.id).where(WaterSource.code.in_(wanted))
        ).all()
        return cls({c: i for c, i in systems}, {c: i for c, i in sources})

    def resolve(self, code: Any) -> tuple[int | None, int | None]:
        text = str(code or "").strip()
        if not text:
            raise RowInvalid("missing required field '{field}'", field="code")
        if text in self.systems:
            return self.systems[text], None
        if text in self.sources:
            return None, self.sources[text]
        raise RowInvalid("unknown system or source code '{code}'", code=text)


Cell = Callable[[Row, str], Any]


def cells(sheet: Sheet) -> Cell:
    """``cell(row, "parameter")``: the named field of a row, its column found once per file."""
    columns = {name: sheet.column(aliases) for name, aliases in LAB_COLUMNS.items()}

    def cell(row: Row, name: str) -> Any:
        column = columns[name]
        value = row.cells.get(column) if column is not None else None
        if isinstance(value, str):
            return value.strip() or None
        return value

    return cell


def _result(row: Row, cell: Cell, code: str, limits: Limits) -> tuple[float | None, bool | None]:
    """The row's value in the catalogue unit, or its presence/absence."""
    present = cell(row, "presence")
    value = cell(row, "value")
    if present is not None:
        found = fields.presence(present)
        if found is None:
            raise RowInvalid("'{field}' must say present or absent", field="presence")
        if code not in PRESENCE_PARAMETERS:
            raise RowInvalid("{name} is not a presence/absence test", name=limits.name_es)
        return None, found
    if value is None:
        raise RowInvalid("{name}: a value is required", name=limits.name_es)
    found = fields.presence(value) if isinstance(value, str) else None
    if found is not None and code in PRESENCE_PARAMETERS and not value.strip().isdigit():
        return None, found
    number, qualifier = fields.number(value, "value")
    unit = cell(row, "unit")
    if unit is None and code not in UNITLESS:
        raise RowInvalid("{name}: a unit is required", name=limits.name_es)
    number = to_catalogue_unit(number, unit, limits)
    if qualifier == "<" and code in PRESENCE_PARAMETERS:
        return None, False  # below the detection limit: not detected
    if qualifier is not None and code not in PRESENCE_PARAMETERS:
        # A bound is a result only when every value it allows falls on one side of the norm.
        limit = limits.peru_max
        safe_below = qualifier == "<" and limits.peru_min is None and limit is not None
        sure_above = qualifier == ">" and limit is not None and number > limit
        if not ((safe_below and limit is not None and number <= limit) or sure_above):
            raise RowInvalid(
                "{name}: '{value}' cannot be classified against the norm's limits",
                name=limits.name_es,
                value=value,
            )
    return number, None


def check_rows(
    session: Session, sheet: Sheet, now: datetime
) -> tuple[list[OfficialReading], list[RowError]]:
    """Every row checked; the good ones classified, the bad ones with their line and reason."""
    catalogue = load_catalogue(session)
    names = fields.parameter_names(catalogue)
    cell = cells(sheet)
    subjects = Subjects.named_in(session, {str(cell(r, "code") or "").strip() for r in sheet.rows})
    good: list[OfficialReading] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    memo: dict[tuple[str, float], Classified] = {}
    for row in sheet.rows:
        try:
            system_id, source_id = subjects.resolve(cell(row, "code"))
            point = fields.sample_point(cell(row, "sample_point"))
            at = fields.sampled_at(cell(row, "sampled_at"), cell(row, "time"), now)
            code = fields.parameter_code(cell(row, "parameter"), names)
            sample_id = cell(row, "sample_id")
            laboratory = cell(row, "laboratory")
            if sample_id is None or laboratory is None:
                missing = "sample_id" if sample_id is None else "laboratory"
                raise RowInvalid("missing required field '{field}'", field=missing)
            key = lab_key(str(sample_id), code)
            if key in first_line:
                raise RowInvalid(
                    "sample {sample} and {parameter} appear twice in the file (line {line})",
                    sample=sample_id,
                    parameter=code,
                    line=first_line[key],
                )
            value, present = _result(row, cell, code, catalogue[code])
            reading = official_reading(
                {"parameter": code, "value": value, "present": present},
                catalogue,
                row=row.line,
                record_key=key,
                measured_by=MeasuredBy.LAB,
                sample_point=point,
                sampled_at=at,
                system_id=system_id,
                source_id=source_id,
                record_source=f"laboratorio {str(laboratory)[:150]}",
                sample_id=str(sample_id).strip()[:60],
                memo=memo,
            )
        except RowInvalid as exc:
            errors.append(RowError(row.line, exc.reason, exc.params))
            continue
        except ImplausibleReading as exc:
            errors.append(RowError(row.line, exc.msgid, exc.params))
            continue
        first_line[key] = row.line
        good.append(reading)
    return good, errors


def upload_lab_file(
    session: Session,
    scope: Scope | None,
    data: bytes,
    file_name: str,
    *,
    actor: str,
    account_id: int | None,
    now: datetime | None = None,
    skip_bad: bool = False,
) -> Delivery:
    """Check a laboratory file and store its results, all or nothing. ``scope`` None is the
    command line (an administrator's own machine). Flushes; the caller commits."""
    if scope is not None and not scope.can_upload_lab_results():
        raise Forbidden()
    digest = digest_of(data)
    lock_official_writes(session)
    earlier = earlier_delivery(session, "lab_file", digest)
    sheet = read_sheet(data, file_name)
    if earlier is not None:
        return Delivery(file_name, digest, len(sheet.rows), delivered_before=earlier.created_at)
    sheet.require({name: LAB_COLUMNS[name] for name in REQUIRED})
    if sheet.column(LAB_COLUMNS["value"]) is None and sheet.column(LAB_COLUMNS["presence"]) is None:
        sheet.require({"value": LAB_COLUMNS["value"]})
    good, errors = check_rows(session, sheet, now or datetime.now(UTC))
    return deliver(
        session,
        kind="lab_file",
        file_name=file_name,
        digest=digest,
        rows=len(sheet.rows),
        checked=good,
        errors=errors,
        skip_bad=skip_bad,
        actor=actor,
        account_id=account_id,
        action="lab_results.upload",
    )
