"""The 371 real SIASAR water systems of La Libertad, their providers and sources."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import catalog
from geodata.database import upsert
from geodata.io.features import read_features
from geodata.models import SourceType, SystemType, WaterSource, WaterSystem
from geodata.seed.provenance import register
from geodata.seed.providers import provider_name, upsert_providers
from geodata.spatial import districts_for_points, to_db_geometry

NO_DATE = date(1969, 12, 31)  # SIASAR's placeholder for "no date"

SOURCE_TYPES = {
    "rio": SourceType.RIVER,
    "río": SourceType.RIVER,
    "pozo perforado": SourceType.WELL,
    "pozo excavado": SourceType.WELL,
    "lago": SourceType.LAKE,
    "manantial": SourceType.SPRING,
    "agua de lluvia": SourceType.RAINWATER,
}

# SIASAR keeps one SI/NO flag per technology; the first set flag names the type.
SYSTEM_TYPE_FLAGS = (
    ("tipo_gravedad", SystemType.GRAVITY),
    ("tipo_bombeo", SystemType.PUMPED),
    ("tipo_pozo_manual", SystemType.HAND_WELL),
    ("tipo_agua_lluvia", SystemType.RAINWATER),
)


def yes_no(value: Any) -> bool | None:
    text = str(value or "").strip().upper()
    return {"SI": True, "SÍ": True, "NO": False, "TRUE": True, "FALSE": False}.get(text)


def season_answers(dry: Any, rainy: Any) -> tuple[bool | None, bool | None]:
    """SIASAR's "are there enough water resources at the source to meet the demand in the dry
    (rainy) season?", with "not recorded" kept as unknown.

    The export writes every yes/no question as SI or NO, and an unanswered one as NO: 4,882 of
    the 6,076 Peruvian systems answer NO to all four technology questions (gravity, pumped,
    hand pump, rainwater), which no working system can, and 5,224 answer NO to both seasons
    (308 of the 371 of La Libertad, 60 of the 61 of rainy Loreto) while serving hundreds of
    people. So both NO means the section was left blank: unknown. Where one season says SI the
    section was filled in, and the other's NO is a real answer (the source falls short then).
    """
    answers = (yes_no(dry), yes_no(rainy))
    if answers == (False, False):
        return None, None
    return answers


def survey_date(value: Any) -> date | None:
    if not value:
        return None
    parsed = date.fromisoformat(str(value)[:10])
    return None if parsed == NO_DATE else parsed


def whole(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return round(float(value))


def built_year(value: Any) -> int | None:
    year = whole(value)
    return year if year is not None and 1850 <= year <= 2100 else None


def system_type(props: dict[str, Any]) -> SystemType:
    for flag, kind in SYSTEM_TYPE_FLAGS:
        if yes_no(props.get(flag)):
            return kind
    return SystemType.UNKNOWN


def load_siasar_systems(session: Session, shared_dir: Path) -> int:
    spec = catalog.SIASAR_SYSTEMS
    path = spec.path(shared_dir)
    dataset, changed = register(session, spec, path)
    if not changed:
        return 0
    features = [f for f in read_features(path) if isinstance(f.geometry, Point)]
    points = [(f.geometry.x, f.geometry.y) for f in features if isinstance(f.geometry, Point)]
    districts = districts_for_points(session, points)
    provider_keys = [
        (provider_name(f.properties.get("PSE"), f.properties.get("comunidades") or ""), district)
        for f, district in zip(features, districts, strict=True)
    ]
    provider_ids = upsert_providers(session, set(provider_keys))
    rows = []
    for feature, district, provider_key in zip(features, districts, provider_keys, strict=True):
        props = feature.properties
        treatment = props.get("j_trat_tipo") or None
        seasons = season_answers(props.get("agua_epoca_seca"), props.get("agua_epoca_lluvia"))
        rows.append(
            {
                "code": f"SIASAR-{props['ID']}",
                "external_id": str(props["ID"]),
                "name": props.get("nombre") or f"Sistema {props['ID']}",
                "system_type": system_type(props),
                "has_treatment": treatment is not None
                or "treatment" in (props.get("components") or ""),
                "treatment_type": treatment,
                "treatment_works": yes_no(props.get("j_trat_funciona")),
                "population_served": whole(props.get("pob_servida")),
                "dwellings_served": whole(props.get("viv_servidas")),
                "communities": [
                    c.strip() for c in (props.get("comunidades") or "").split(";") if c.strip()
                ],
                "water_in_dry_season": seasons[0],
                "water_in_rainy_season": seasons[1],
                "altitude_m": whole(props.get("altitud")),
                "built_year": built_year(props.get("año")),
                "surveyed_on": survey_date(props.get("fecha_encuesta")),
                "provider_id": provider_ids[provider_key],
                "district_id": district,
                "dataset_id": dataset.id,
                "geom": to_db_geometry(feature.geometry),
            }
        )
    upsert(session, WaterSystem, rows, key="code")
    dataset.record_count = len(rows)
    session.flush()
    return len(rows)


def load_siasar_sources(session: Session, shared_dir: Path) -> int:
    """Catchments of the La Libertad systems from the all-Peru SIASAR catchment table."""
    spec = catalog.SIASAR_CATCHMENTS
    path = spec.path(shared_dir)
    dataset, changed = register(session, spec, path)
    if not changed:
        return 0
    systems = dict(session.execute(select(WaterSystem.external_id, WaterSystem.id)).all())
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            system_id = systems.get(record["ID"])
            if system_id is None or not record["fuente_latitud"]:
                continue
            raw_type = (record["fuente_tipo"] or "").strip().lower()
            named = record["fuente_nombre"] and record["fuente_nombre"] != "Nombre Fuente"
            rows.append(
                {
                    "code": f"SIASAR-F-{record['fuente_ID']}",
                    "external_id": record["fuente_ID"],
                    "name": record["fuente_nombre"] if named else f"Fuente de {record['nombre']}",
                    "source_type": SOURCE_TYPES.get(raw_type, SourceType.UNKNOWN),
                    "system_id": system_id,
                    "dataset_id": dataset.id,
                    "geom": to_db_geometry(
                        Point(float(record["fuente_longitud"]), float(record["fuente_latitud"]))
                    ),
                }
            )
    if rows:
        upsert(session, WaterSource, rows, key="code")
    dataset.record_count = len(rows)
    session.flush()
    return len(rows)
