"""The data dictionary of a collection (CSV), as Peru's national open-data portal asks of every
dataset: one row per field with its type, format, allowed values and licence, from the same
collection definition that writes the data (so the two cannot disagree)."""

from __future__ import annotations

import csv
import io

from geodata.opendata.collections import Collection
from geodata.opendata.queryables import GEOMETRY, choices_of

HEADER = ("campo", "field", "tipo", "type", "formato", "valores_permitidos", "licencia")
TYPES_ES = {
    "string": "texto",
    "integer": "entero",
    "number": "número",
    "boolean": "lógico (true/false)",
    "date": "fecha",
    "date-time": "fecha y hora",
    "array": "lista de textos",
    "geometry": "geometría",
}
FORMATS = {"date": "AAAA-MM-DD (ISO 8601)", "date-time": "ISO 8601 / RFC 3339, UTC"}


def dictionary_csv(collection: Collection) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    fields = [*collection.property_types.items(), (GEOMETRY, "geometry")]
    for name, kind in fields:
        choices = choices_of(collection, name) if kind != "geometry" else None
        fmt = FORMATS.get(kind, "")
        if kind == "geometry":
            fmt = f"{collection.geometry_type}, WGS 84 (EPSG:4326) lon/lat"
        writer.writerow(
            (
                name,
                name,
                TYPES_ES[kind],
                kind,
                fmt,
                " | ".join(choices or ()),
                collection.licence,
            )
        )
    return buffer.getvalue()
