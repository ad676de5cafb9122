"""``yaku import-readings``: an operator's chlorine logbook typed into a spreadsheet.

One row per sample: the system's code, the sample point, the date (and time), and one column
per parameter measured, named in Spanish or English, with its unit in parentheses when it is
not the catalogue's (``Cloro residual (ppm)``, ``Turbiedad (UNT)``, ``pH``, ``Coliformes
termotolerantes`` with presente/ausente). Other columns (observaciones, the operator's name) are
ignored: who measured is recorded as "operador", never as a person.

Every row is checked first; a file with a bad row loads nothing unless ``skip_bad``. A reading
already stored (the same system, sample point, minute and parameter) is not stored again, so a
second import of the same file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.evidence import fields
from geodata.evidence.delivery import Delivery, deliver, digest_of
from geodata.evidence.errors import FileRefused, MissingColumns
from geodata.evidence.readings import (
    field_tests,
    operator_measurement,
    operator_parameters,
    require_chlorine,
)
from geodata.evidence.sheets import Sheet, read_sheet
from geodata.evidence.store import OfficialReading
from geodata.i18n import translate
from geodata.io.rows import RowError, RowInvalid
from geodata.models import WaterSystem
from geodata.reports.quality import PRESENCE_PARAMETERS, ImplausibleReading, load_catalogue

LOGBOOK_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": (
        *("codigo", "codigo_sistema", "codigo_del_sistema", "sistema"),
        *("code", "system_code", "system"),
    ),
    "sample_point": ("punto_de_muestreo", "punto_muestreo", "punto", "sample_point"),
    "sampled_at": ("fecha_de_muestreo", "fecha_muestreo", "fecha", "sampled_at", "date"),
    "time": ("hora_de_muestreo", "hora_muestreo", "hora", "time"),
}
SOURCE_LABEL = "operator logbook"


@dataclass(frozen=True, slots=True)
class ParameterColumn:
    column: str
    parameter: str
    unit: str | None


def parameter_columns(sheet: Sheet, names: dict[str, str]) -> list[ParameterColumn]:
    """The sheet's columns that name a parameter (``cloro_residual`` -> free_chlorine)."""
    found = []
    for column in sheet.columns:
        code = names.get(column.replace("_", " ")) or names.get(column)
        if code is not None:
            found.append(ParameterColumn(column, code, sheet.units.get(column)))
    return found


def _measurement(cell: Any, column: ParameterColumn) -> dict[str, Any]:
    if column.parameter in PRESENCE_PARAMETERS:
        present = fields.presence(cell)
        if present is not None:
            return {"parameter": column.parameter, "present": present}
    value, qualifier = fields.number(cell, column.column)
    if qualifier is not None:
        raise RowInvalid(
            "'{field}' must be a number, got '{value}'", field=column.column, value=cell
        )
    return {"parameter": column.parameter, "value": value, "unit": column.unit}


def check_rows(
    session: Session, sheet: Sheet, now: datetime
) -> tuple[list[OfficialReading], list[RowError]]:
    catalogue = load_catalogue(session)
    allowed = operator_parameters(catalogue, field_tests(session))
    columns = parameter_columns(sheet, fields.parameter_names(catalogue))
    if not columns:
        raise MissingColumns(columns="free_chlorine (cloro_residual)")
    codes = {str(r.pick(LOGBOOK_COLUMNS["code"]) or "").strip() for r in sheet.rows}
    found = session.execute(
        select(WaterSystem.code, WaterSystem.id).where(WaterSystem.code.in_(sorted(codes)))
    ).all()
    systems = {code: system_id for code, system_id in found}
    good: list[OfficialReading] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    for row in sheet.rows:
        try:
            code = str(row.pick(LOGBOOK_COLUMNS["code"]) or "").strip()
            if not code:
                raise RowInvalid("missing required field '{field}'", field="code")
            if code not in systems:
                raise RowInvalid("unknown system code '{code}'", code=code)
            point = fields.sample_point(row.pick(LOGBOOK_COLUMNS["sample_point"]))
            at = fields.sampled_at(
                row.pick(LOGBOOK_COLUMNS["sampled_at"]), row.pick(LOGBOOK_COLUMNS["time"]), now
            )
            cells = [(c, row.pick((c.column,))) for c in columns]
            raws = [_measurement(cell, c) for c, cell in cells if cell is not None]
            require_chlorine([r["parameter"] for r in raws], point)
            readings = [
                operator_measurement(
                    raw,
                    catalogue,
                    allowed,
                    system_id=systems[code],
                    point=point,
                    at=at,
                    row=row.line,
                    record_source=SOURCE_LABEL,
                )
                for raw in raws
            ]
            for reading in readings:
                if reading.record_key in first_line:
                    raise RowInvalid(
                        "the same reading is on line {line}", line=first_line[reading.record_key]
                    )
        except RowInvalid as exc:
            errors.append(RowError(row.line, exc.reason, exc.params))
            continue
        except ImplausibleReading as exc:
            errors.append(RowError(row.line, exc.msgid, exc.params))
            continue
        for reading in readings:
            first_line[reading.record_key] = row.line
        good.extend(readings)
    return good, errors


def import_readings(
    session: Session,
    path: Path,
    *,
    skip_bad: bool = False,
    actor: str = "yaku import-readings",
    now: datetime | None = None,
) -> Delivery:
    """Check a logbook file and store its readings as the operator's. Flushes only."""
    data = path.read_bytes()
    sheet = read_sheet(data, path.name)
    sheet.require(
        {k: v for k, v in LOGBOOK_COLUMNS.items() if k in ("code", "sample_point", "sampled_at")}
    )
    good, errors = check_rows(session, sheet, now or datetime.now(UTC))
    return deliver(
        session,
        kind="logbook",
        file_name=path.name,
        digest=digest_of(data),
        rows=len(sheet.rows),
        checked=good,
        errors=errors,
        skip_bad=skip_bad,
        actor=actor,
        account_id=None,
        action="readings.logbook_import",
    )


def render(delivery: Delivery, language: str) -> str:
    """What the command prints: the skipped rows, then one summary line."""
    lines = [e.render(language) for e in delivery.skipped]
    summary = translate(
        "{file}: {loaded} readings loaded, {already} already recorded, {skipped} rows skipped",
        language,
    )
    lines.append(
        summary.format(
            file=delivery.file_name,
            loaded=delivery.loaded,
            already=delivery.already,
            skipped=len(delivery.skipped),
        )
    )
    return "\n".join(lines)


def render_refusal(refused: FileRefused, language: str) -> str:
    return "\n".join([*refused.rendered_rows(language), refused.localized(language)])
