"""A spreadsheet as rows of named cells: CSV (comma, semicolon or tab; UTF-8 or Windows
Latin-1, as Excel saves it in Peru) or XLSX (openpyxl, first sheet, cached cell values).

Column names are compared folded (no case, accents, spaces or punctuation), and a unit in
parentheses is kept apart: ``"Cloro residual (mg/L)"`` is the column ``cloro_residual`` in
``mg/L``. Each row keeps its line in the file, as a spreadsheet numbers it (header is line 1).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from geodata.evidence.errors import EmptySheet, MissingColumns, OldExcelFile, UnreadableSheet
from geodata.seed.providers import fold

MAX_COLUMNS = 200


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    cells: dict[str, Any]

    def pick(self, aliases: tuple[str, ...]) -> Any:
        for alias in aliases:
            value = self.cells.get(alias)
            if isinstance(value, str):
                value = value.strip()
            if value not in (None, ""):
                return value
        return None


@dataclass
class Sheet:
    columns: list[str]
    rows: list[Row]
    units: dict[str, str] = field(default_factory=dict)  # column -> unit in its header

    def column(self, aliases: tuple[str, ...]) -> str | None:
        return next((a for a in aliases if a in self.columns), None)

    def require(self, wanted: dict[str, tuple[str, ...]]) -> None:
        missing = [name for name, aliases in wanted.items() if self.column(aliases) is None]
        if missing:
            raise MissingColumns(columns=", ".join(missing))


def column_name(header: Any) -> tuple[str, str | None]:
    """``"Cloro residual (mg/L)"`` -> (``"cloro_residual"``, ``"mg/L"``)."""
    text = str(header or "").strip()
    unit = None
    found = re.search(r"\(([^)]*)\)\s*$|\[([^\]]*)\]\s*$", text)
    if found:
        unit = (found.group(1) or found.group(2) or "").strip() or None
        text = text[: found.start()]
    name = re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")
    return name, unit


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for values in reader:
            rows.append((reader.line_num, list(values)))
    except csv.Error as exc:
        raise UnreadableSheet(reason=str(exc)) from None
    return rows


def _xlsx_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # imported here: only XLSX uploads pay for it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableSheet(reason=type(exc).__name__) from None
    try:
        sheet = book.worksheets[0]
        return [
            (index, list(values))
            for index, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()


def read_sheet(data: bytes, file_name: str = "") -> Sheet:
    """The first sheet (XLSX) or the text (CSV) as named rows; empty rows are skipped."""
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        raw = _xlsx_rows(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # the old binary .xls
        raise OldExcelFile()
    else:
        raw = _csv_rows(data)
    filled = [(line, values) for line, values in raw if any(v not in (None, "") for v in values)]
    if not filled:
        raise EmptySheet()
    header_line, header = filled[0]
    named = [column_name(h) for h in header[:MAX_COLUMNS]]
    columns = [name for name, _ in named]
    units = {name: unit for name, unit in named if unit}
    rows = [
        Row(line, {c: v for c, v in zip(columns, values, strict=False) if c})
        for line, values in filled[1:]
        if line > header_line
    ]
    if not rows:
        raise EmptySheet()
    return Sheet(columns=columns, rows=rows, units=units)
