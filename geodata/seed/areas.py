"""Department, provinces and districts of La Libertad (mapsPERU polygons, INEI/RENIEC codes)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from geodata import catalog
from geodata.database import upsert
from geodata.io.features import read_features
from geodata.models import AdminArea, AreaLevel
from geodata.seed.provenance import register
from geodata.spatial import as_multipolygon, to_db_geometry

LEVEL_CODE_FIELD = {
    AreaLevel.DEPARTMENT: "COD_DEPARTAMENTO",
    AreaLevel.PROVINCE: "COD_PROVINCIA",
    AreaLevel.DISTRICT: "COD_DISTRITO",
}
LEVEL_NAME_FIELD = {
    AreaLevel.DEPARTMENT: "DEPARTAMENTO",
    AreaLevel.PROVINCE: "PROVINCIA",
    AreaLevel.DISTRICT: "DISTRITO",
}
LEVEL_SPEC = {
    AreaLevel.DEPARTMENT: catalog.DEPARTMENT,
    AreaLevel.PROVINCE: catalog.PROVINCES,
    AreaLevel.DISTRICT: catalog.DISTRICTS,
}


def parent_code(level: AreaLevel, code: str) -> str | None:
    if level is AreaLevel.DEPARTMENT:
        return None
    if level is AreaLevel.PROVINCE:
        return code[:2] + "0000"
    return code[:4] + "00"


def read_ubigeo_table(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["ubigeo_inei"]: row for row in csv.DictReader(handle)}


def load_areas(session: Session, shared_dir: Path) -> int:
    ubigeo_spec = catalog.UBIGEO
    ubigeo_dataset, ubigeo_changed = register(session, ubigeo_spec, ubigeo_spec.path(shared_dir))
    codes = read_ubigeo_table(ubigeo_spec.path(shared_dir))
    if ubigeo_changed:
        ubigeo_dataset.record_count = len(codes)
    written = 0
    for level in (AreaLevel.DEPARTMENT, AreaLevel.PROVINCE, AreaLevel.DISTRICT):
        spec = LEVEL_SPEC[level]
        dataset, changed = register(session, spec, spec.path(shared_dir))
        if not (changed or ubigeo_changed):
            continue
        parents = dict(session.execute(select(AdminArea.ubigeo_inei, AdminArea.id)).all())
        rows: list[dict[str, Any]] = []
        for feature in read_features(spec.path(shared_dir)):
            code = str(feature.properties[LEVEL_CODE_FIELD[level]]).zfill(6)
            if feature.geometry is None:
                raise ValueError(f"{spec.relative_path}: area {code} has no geometry")
            known = codes.get(code, {})
            parent = parent_code(level, code)
            rows.append(
                {
                    "level": level,
                    "ubigeo_inei": code,
                    "ubigeo_reniec": known.get("ubigeo_reniec") or None,
                    "name": known.get("name") or feature.properties[LEVEL_NAME_FIELD[level]],
                    "capital": known.get("capital")
                    or feature.properties.get("NOMBRE_CAPITAL_LEGAL"),
                    "natural_region": known.get("natural_region")
                    or feature.properties.get("REGION_NATURAL"),
                    "parent_id": parents[parent] if parent else None,
                    "dataset_id": dataset.id,
                    "geom": to_db_geometry(as_multipolygon(feature.geometry)),
                }
            )
        upsert(session, AdminArea, rows, key="ubigeo_inei")
        dataset.record_count = len(rows)
        written += len(rows)
    session.flush()
    return written


def load_reference_districts(session: Session, shared_dir: Path) -> int:
    """INEI-2007 district limits, kept beside the primary polygons to break overlap ties."""
    spec = catalog.INEI_2007_DISTRICTS
    dataset, changed = register(session, spec, spec.path(shared_dir))
    if not changed:
        return 0
    written = 0
    for feature in read_features(spec.path(shared_dir)):
        code = str(feature.properties["IDDIST"]).zfill(6)
        if feature.geometry is None:
            continue
        result = session.execute(
            update(AdminArea)
            .where(AdminArea.ubigeo_inei == code)
            .values(reference_geom=to_db_geometry(as_multipolygon(feature.geometry)))
        )
        written += int(getattr(result, "rowcount", 0))
    dataset.record_count = written
    session.flush()
    return written
