"""Read any vector file GDAL opens into plain records: row number, properties, Shapely geometry."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

# GDAL's CSV driver builds a point from these columns when present (case-insensitive globs).
CSV_OPEN_OPTIONS = {
    "X_POSSIBLE_NAMES": "lon,longitude,longitud,lon_deg,x",
    "Y_POSSIBLE_NAMES": "lat,latitude,latitud,lat_deg,y",
    "KEEP_GEOM_COLUMNS": "YES",
    "AUTODETECT_TYPE": "NO",
    "EMPTY_STRING_AS_NULL": "YES",
}


class UnreadableFile(Exception):
    """The file cannot be opened as a vector dataset at all."""


@dataclass(frozen=True, slots=True)
class FeatureRecord:
    row: int  # CSV: line number in the file (header is line 1); others: 1-based feature number
    properties: dict[str, Any]
    geometry: BaseGeometry | None


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def read_features(path: Path, layer: str | int | None = None) -> Iterator[FeatureRecord]:
    is_csv = path.suffix.lower() == ".csv"
    options = CSV_OPEN_OPTIONS if is_csv else {}
    try:
        meta, _fids, geometries, fields = pyogrio.raw.read(
            path, layer=layer, return_fids=True, **{k.lower(): v for k, v in options.items()}
        )
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise UnreadableFile(str(exc)) from exc
    names = list(meta["fields"])
    count = len(fields[0]) if fields else (len(geometries) if geometries is not None else 0)
    for index in range(count):
        props = {name: _clean(column[index]) for name, column in zip(names, fields, strict=True)}
        wkb = geometries[index] if geometries is not None else None
        geometry = shapely.from_wkb(wkb) if wkb is not None else None
        row = index + 2 if is_csv else index + 1
        yield FeatureRecord(row=row, properties=props, geometry=geometry)
