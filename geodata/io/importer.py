"""``yaku import``: a user's own water systems or sources from CSV, GeoJSON or GeoPackage.

All rows are checked first; a file with any bad row loads nothing (one transaction) unless the
caller asks to skip bad rows. Every bad row is reported with its line and a translated reason.
Re-importing the same file updates the same records (keyed by code), never duplicates them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.catalog import DatasetSpec
from geodata.database import upsert
from geodata.i18n import translate
from geodata.io.features import FeatureRecord, UnreadableFile, read_features
from geodata.io.rows import (
    SOURCE_FIELDS,
    SOURCE_TYPE_WORDS,
    SYSTEM_FIELDS,
    SYSTEM_TYPE_WORDS,
    RowError,
    RowInvalid,
    optional_count,
    pick,
    required_text,
    vocabulary,
)
from geodata.models import Dataset, SourceType, SystemType, WaterSource, WaterSystem
from geodata.seed.provenance import register
from geodata.seed.providers import upsert_providers
from geodata.settings import get_settings
from geodata.spatial import districts_for_points, region_checks, to_db_geometry

Kind = Literal["systems", "sources"]


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError], fatal: str | None = None, **params: Any) -> None:
        super().__init__(fatal or f"{len(errors)} bad rows")
        self.errors = errors
        self.fatal = fatal
        self.params = params

    def render(self, language: str) -> str:
        if self.fatal:
            return translate(self.fatal, language).format(**self.params)
        lines = [e.render(language) for e in self.errors]
        lines.append(
            translate("{count} bad rows; nothing was loaded", language).format(
                count=len(self.errors)
            )
        )
        return "\n".join(lines)


@dataclass
class ImportResult:
    kind: Kind
    dataset: str
    loaded: int
    skipped: list[RowError] = field(default_factory=list)

    def render(self, language: str) -> str:
        lines = [e.render(language) for e in self.skipped]
        summary = translate("{dataset}: {loaded} {kind} loaded, {skipped} rows skipped", language)
        lines.append(
            summary.format(
                dataset=self.dataset,
                loaded=self.loaded,
                kind=translate(self.kind, language),
                skipped=len(self.skipped),
            )
        )
        return "\n".join(lines)


def guess_kind(records: list[FeatureRecord]) -> Kind:
    columns = {str(k).lower() for r in records[:1] for k in r.properties}
    source_markers = set(SOURCE_FIELDS["source_type"]) | set(SOURCE_FIELDS["system_code"])
    return "sources" if columns & (source_markers - {"tipo"}) else "systems"


def check_location(record: FeatureRecord, inside: bool, swapped_inside: bool, km: float) -> Point:
    geometry = record.geometry
    if geometry is None or geometry.is_empty:
        raise RowInvalid("missing geometry or lon/lat columns")
    if not isinstance(geometry, Point):
        raise RowInvalid("geometry must be a point, got {kind}", kind=geometry.geom_type)
    lon, lat = geometry.x, geometry.y
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) and not swapped_inside:
        raise RowInvalid("coordinates out of range: lon {lon}, lat {lat}", lon=lon, lat=lat)
    if not inside:
        if swapped_inside:
            raise RowInvalid(
                "longitude and latitude look swapped (lon {lon}, lat {lat})", lon=lon, lat=lat
            )
        raise RowInvalid("outside the service area (more than {km} km from La Libertad)", km=km)
    return Point(lon, lat)


def system_row(props: dict[str, Any], code: str) -> dict[str, Any]:
    communities = pick(props, SYSTEM_FIELDS["communities"])
    return {
        "code": code,
        "name": required_text(props, "name", SYSTEM_FIELDS["name"]),
        "system_type": vocabulary(
            props,
            "system_type",
            SYSTEM_FIELDS["system_type"],
            SystemType,
            SYSTEM_TYPE_WORDS,
            SystemType.UNKNOWN,
        ),
        "population_served": optional_count(
            props, "population_served", SYSTEM_FIELDS["population_served"]
        ),
        "dwellings_served": optional_count(
            props, "dwellings_served", SYSTEM_FIELDS["dwellings_served"]
        ),
        "communities": [c.strip() for c in str(communities or "").split(";") if c.strip()],
        "treatment_type": pick(props, SYSTEM_FIELDS["treatment_type"]),
        "_provider": pick(props, SYSTEM_FIELDS["provider"]),
    }


def source_row(props: dict[str, Any], code: str, systems: dict[str, int]) -> dict[str, Any]:
    system_code = pick(props, SOURCE_FIELDS["system_code"])
    if system_code is not None and str(system_code) not in systems:
        raise RowInvalid("unknown system code '{code}'", code=system_code)
    return {
        "code": code,
        "name": required_text(props, "name", SOURCE_FIELDS["name"]),
        "source_type": vocabulary(
            props,
            "source_type",
            SOURCE_FIELDS["source_type"],
            SourceType,
            SOURCE_TYPE_WORDS,
            SourceType.UNKNOWN,
        ),
        "system_id": systems.get(str(system_code)) if system_code is not None else None,
    }


def import_file(
    session: Session,
    path: Path,
    kind: Kind | None = None,
    skip_bad: bool = False,
    layer: str | None = None,
    licence: str = "CC BY 4.0",
    attribution: str = "",
) -> ImportResult:
    """Check every row, then upsert the good ones by code. Flushes; the caller commits."""
    try:
        records = list(read_features(path, layer=layer))
    except UnreadableFile as exc:
        raise ImportFailed([], "cannot read the file: {reason}", reason=str(exc)) from exc
    if not records:
        raise ImportFailed([], "the file has no features")
    kind = kind or guess_kind(records)
    tolerance = get_settings().region_tolerance_m
    points = [
        (r.geometry.x, r.geometry.y) if isinstance(r.geometry, Point) else (0.0, 0.0)
        for r in records
    ]
    checks = region_checks(session, points, tolerance)
    file_tag = hashlib.sha256(path.read_bytes()).hexdigest()[:8].upper()
    systems = dict(session.execute(select(WaterSystem.code, WaterSystem.id)).all())

    good: list[tuple[dict[str, Any], Point]] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for record, (inside, swapped) in zip(records, checks, strict=True):
        props = record.properties
        fields = SYSTEM_FIELDS if kind == "systems" else SOURCE_FIELDS
        code = str(pick(props, fields["code"]) or f"IMP-{file_tag}-{record.row}")
        try:
            if code in seen:
                raise RowInvalid("code '{code}' appears more than once in the file", code=code)
            seen.add(code)
            location = check_location(record, inside, swapped, tolerance / 1000)
            row = system_row(props, code) if kind == "systems" else source_row(props, code, systems)
        except RowInvalid as exc:
            errors.append(RowError(record.row, exc.reason, exc.params))
            continue
        good.append((row, location))
    if errors and not skip_bad:
        raise ImportFailed(errors)

    spec = DatasetSpec(
        name=f"import:{path.name}",
        title=f"Imported {kind} from {path.name}",
        relative_path=str(path),
        licence=licence,
        attribution=attribution or path.name,
    )
    dataset, _ = register(session, spec, path)
    loaded = write_rows(session, kind, good, dataset)
    dataset.record_count = loaded
    session.flush()
    return ImportResult(kind=kind, dataset=dataset.name, loaded=loaded, skipped=errors)


def write_rows(
    session: Session, kind: Kind, good: list[tuple[dict[str, Any], Point]], dataset: Dataset
) -> int:
    if not good:
        return 0
    districts = districts_for_points(session, [(p.x, p.y) for _, p in good])
    rows = []
    for (row, location), district in zip(good, districts, strict=True):
        row = dict(row, district_id=district, dataset_id=dataset.id, geom=to_db_geometry(location))
        rows.append(row)
    if kind == "systems":
        keys = {(r["_provider"], r["district_id"]) for r in rows if r["_provider"]}
        provider_ids = upsert_providers(session, keys)
        for r in rows:
            name = r.pop("_provider")
            r["provider_id"] = provider_ids.get((name, r["district_id"])) if name else None
    model = WaterSystem if kind == "systems" else WaterSource
    return upsert(session, model, rows, key="code")
