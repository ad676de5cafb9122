"""Download writers: GeoJSON, CSV, GeoPackage (pyogrio) and WPdx CSV.

Every writer takes the final path and writes a temporary sibling that is renamed over it only
once complete (``os.replace`` is atomic on one file system), so a reader never sees half a file.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson
import pyogrio.raw
import shapely
from shapely.geometry import shape

from geodata.opendata.collections import Collection
from geodata.opendata.wpdx import HASHTAGS, NAMES

TEMP_PREFIX = ".tmp-"


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path``; renamed over it when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    with atomic_path(path) as temp, temp.open("wb") as handle:
        write(handle)


def write_gzip_sibling(path: Path) -> Path:
    """``path.gz``, precompressed once so serving never compresses on the fly."""
    target = path.with_name(path.name + ".gz")

    def _write(handle: IO[bytes]) -> None:
        with (
            path.open("rb") as source,
            gzip.GzipFile(fileobj=handle, mode="wb", compresslevel=9, mtime=0) as zipped,
        ):
            shutil.copyfileobj(source, zipped)

    atomic_write(target, _write)
    return target


def write_geojson(path: Path, header: dict[str, Any], features_json: str) -> None:
    """A FeatureCollection whose foreign members (``header``) carry licence and links."""
    head = orjson.dumps({"type": "FeatureCollection", **header})[:-1]

    def _write(handle: IO[bytes]) -> None:
        handle.write(head)
        handle.write(b',"features":')
        handle.write(features_json.encode())
        handle.write(b"}\n")

    atomic_write(path, _write)


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet will evaluate: a leading apostrophe before a
    formula-like start. Plain numbers (a longitude of -78.5) are left as they are."""
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeCsvWriter:
    """``csv.writer`` for every CSV the service writes: each cell through ``safe_cell``."""

    def __init__(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(cell(value)) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _representative_point(geometry: dict[str, Any] | None) -> tuple[str, str]:
    if not geometry:
        return "", ""
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
    else:
        point = shape(geometry).representative_point()
        lon, lat = point.x, point.y
    return f"{lon:.6f}", f"{lat:.6f}"


def write_csv(path: Path, collection: Collection, features: list[dict[str, Any]]) -> None:
    """One row per feature: ``lon``/``lat`` (a point inside polygons), then the properties."""
    names = list(collection.properties)

    def _write(handle: IO[bytes]) -> None:
        with open(handle.fileno(), "w", encoding="utf-8", newline="", closefd=False) as text:
            writer = SafeCsvWriter(text)
            writer.writerow(["lon", "lat", *names])
            for feature in features:
                props = feature["properties"]
                writer.writerow(
                    [*_representative_point(feature["geometry"]), *(cell(props[n]) for n in names)]
                )

    atomic_write(path, _write)


def write_rows_csv(path: Path, header_rows: Iterable[Iterable[str]], rows: Iterable[Any]) -> int:
    count = 0

    def _write(handle: IO[bytes]) -> None:
        nonlocal count
        with open(handle.fileno(), "w", encoding="utf-8", newline="", closefd=False) as text:
            writer = SafeCsvWriter(text)
            writer.writerows(header_rows)
            for row in rows:
                writer.writerow(row)
                count += 1

    atomic_write(path, _write)
    return count


def write_wpdx(path: Path, rows: Iterable[tuple[str, ...]]) -> int:
    """WPdx CSV: human names, then the hashtag row, then the data."""
    return write_rows_csv(path, (NAMES, HASHTAGS), rows)


def _parse_moment(value: str | None, kind: str) -> Any:
    if value is None:
        return np.datetime64("NaT")
    if kind == "date":
        return np.datetime64(date.fromisoformat(value[:10]))
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return np.datetime64(moment, "ms")


def _column(values: list[Any], kind: str) -> tuple[np.ndarray, np.ndarray | None]:
    """A typed numpy column and its null mask for pyogrio."""
    mask = np.array([v is None for v in values], dtype=bool)
    if kind == "integer":
        return np.array([0 if v is None else int(v) for v in values], dtype=np.int64), mask
    if kind == "number":
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64), None
    if kind == "boolean":
        return np.array([bool(v) for v in values], dtype=bool), mask
    if kind == "date":
        return np.array([_parse_moment(v, kind) for v in values], dtype="datetime64[D]"), None
    if kind == "date-time":
        return np.array([_parse_moment(v, kind) for v in values], dtype="datetime64[ms]"), None
    return np.array([None if v is None else cell(v) for v in values], dtype=object), None


def write_gpkg(
    path: Path, collection: Collection, features: list[dict[str, Any]], metadata: dict[str, str]
) -> None:
    names = list(collection.properties)
    columns = [
        _column([f["properties"][n] for f in features], collection.property_types[n]) for n in names
    ]
    geometries = np.array(
        [None if f["geometry"] is None else shapely.to_wkb(shape(f["geometry"])) for f in features],
        dtype=object,
    )
    with atomic_path(path) as temp:
        temp.unlink()  # GDAL creates the GeoPackage itself
        pyogrio.raw.write(
            temp,
            geometry=geometries,
            field_data=[c for c, _ in columns],
            fields=names,
            field_mask=[m for _, m in columns],
            layer=collection.id.replace("-", "_"),
            driver="GPKG",
            geometry_type=collection.geometry_type,
            crs="EPSG:4326",
            promote_to_multi=collection.geometry_type.startswith("Multi"),
            layer_metadata=metadata,
            # 1.2 opens in every GDAL/QGIS still in use (Debian 12 ships GDAL 3.6).
            dataset_options={"VERSION": "1.2"},
        )
