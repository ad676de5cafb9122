"""``yaku import``: good files load (CSV, GeoJSON, GeoPackage); a bad file changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.io.importer import ImportFailed, import_file
from geodata.models import Dataset, Provider, WaterSource, WaterSystem
from tests.conftest import TEST_DATABASE_URL

GOOD_CSV = """codigo,nombre,tipo,poblacion,viviendas,comunidades,prestador,lon,lat
LL-001,Sistema Agua Clara,gravedad,420,95,Agua Clara;Los Pinos,JASS Agua Clara,-78.52,-7.92
LL-002,Sistema El Molino,pumped,,,El Molino,,-79.03,-8.11
"""

BAD_CSV = """code,name,system_type,population_served,lon,lat
OK-1,Good system,gravity,100,-78.52,-7.92
BAD-1,,gravity,100,-78.52,-7.92
BAD-2,Negative people,gravity,-5,-78.52,-7.92
BAD-3,Swapped,gravity,10,-7.92,-78.52
BAD-4,In Lima,gravity,10,-77.03,-12.05
BAD-5,Mystery type,aqueduct,10,-78.52,-7.92
OK-1,Repeated code,gravity,10,-78.52,-7.92
BAD-6,No place,gravity,10,,
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(session: Session) -> tuple[int, int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(m)) or 0
        for m in (WaterSystem, WaterSource, Provider, Dataset)
    )


def test_csv_systems_load_with_district_provider_and_provenance(
    session: Session, tmp_path: Path
) -> None:
    result = import_file(session, write(tmp_path, "mis_sistemas.csv", GOOD_CSV))
    assert (result.kind, result.loaded, result.skipped) == ("systems", 2, [])
    clara = session.scalars(select(WaterSystem).where(WaterSystem.code == "LL-001")).one()
    assert clara.name == "Sistema Agua Clara"
    assert clara.system_type == "gravity" and clara.population_served == 420
    assert clara.communities == ["Agua Clara", "Los Pinos"]
    assert clara.provider is not None and clara.provider.name == "JASS Agua Clara"
    assert clara.district is not None and clara.district.ubigeo_inei.startswith("13")
    molino = session.scalars(select(WaterSystem).where(WaterSystem.code == "LL-002")).one()
    assert molino.district is not None and molino.district.name == "Trujillo"
    dataset = session.scalars(
        select(Dataset).where(Dataset.name == "import:mis_sistemas.csv")
    ).one()
    assert dataset.record_count == 2 and clara.dataset_id == dataset.id


def test_importing_the_same_file_twice_does_not_duplicate(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "again.csv", GOOD_CSV)
    import_file(session, path)
    after_first = counts(session)
    import_file(session, path)
    assert counts(session) == after_first


def test_geojson_sources_link_to_their_system(session: Session, tmp_path: Path) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-78.7390, -8.0085]},
                "properties": {
                    "code": "F-CONCON",
                    "name": "Manantial Con Con",
                    "source_type": "manantial",
                    "system_code": "SIASAR-160421",
                },
            }
        ],
    }
    path = write(tmp_path, "fuentes.geojson", json.dumps(collection))
    result = import_file(session, path)
    assert (result.kind, result.loaded) == ("sources", 1)
    source = session.scalars(select(WaterSource).where(WaterSource.code == "F-CONCON")).one()
    assert source.source_type == "spring"
    assert source.system is not None and source.system.code == "SIASAR-160421"
    assert source.district is not None and source.district.name == "Poroto"


def test_geopackage_systems_load(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "systems.gpkg"
    pyogrio.raw.write(
        path,
        geometry=np.array(shapely.to_wkb([shapely.Point(-78.05, -7.75)]), dtype=object),
        field_data=[np.array(["GP-1"]), np.array(["Sistema Huamachuco Alto"]), np.array([310])],
        fields=["code", "name", "population_served"],
        geometry_type="Point",
        crs="EPSG:4326",
        layer="systems",
    )
    result = import_file(session, path)
    assert result.loaded == 1
    system = session.scalars(select(WaterSystem).where(WaterSystem.code == "GP-1")).one()
    assert system.population_served == 310


def test_a_bad_file_reports_every_bad_row_and_loads_nothing(
    session: Session, tmp_path: Path
) -> None:
    before = counts(session)
    with pytest.raises(ImportFailed) as failure:
        import_file(session, write(tmp_path, "bad.csv", BAD_CSV))
    assert counts(session) == before
    rendered = failure.value.render("en").splitlines()
    assert [e.row for e in failure.value.errors] == [3, 4, 5, 6, 7, 8, 9]
    assert rendered[0] == "row 3: missing required field 'name'"
    assert "whole number" in rendered[1]
    assert "look swapped" in rendered[2]
    assert "outside the service area" in rendered[3]
    assert "unknown system_type 'aqueduct'" in rendered[4]
    assert "appears more than once" in rendered[5]
    assert "missing geometry" in rendered[6]
    assert rendered[-1] == "7 bad rows; nothing was loaded"
    spanish = failure.value.render("es").splitlines()
    assert spanish[0] == "fila 3: falta el campo obligatorio 'name'"
    assert spanish[-1] == "7 filas con errores; no se cargó nada"


def test_skip_bad_loads_the_good_rows_and_reports_the_rest(
    session: Session, tmp_path: Path
) -> None:
    result = import_file(session, write(tmp_path, "bad.csv", BAD_CSV), skip_bad=True)
    assert result.loaded == 1 and len(result.skipped) == 7
    assert session.scalars(select(WaterSystem).where(WaterSystem.code == "OK-1")).one()


def test_an_unreadable_file_is_a_clear_error(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    path.write_bytes(b"{ this is not json")
    with pytest.raises(ImportFailed) as failure:
        import_file(session, path)
    assert failure.value.render("es").startswith("no se puede leer el archivo")


def test_cli_import_exits_non_zero_on_a_bad_file_and_changes_nothing(
    session: Session, tmp_path: Path
) -> None:
    before = counts(session)
    env = dict(os.environ, YAKU_DATABASE_URL=TEST_DATABASE_URL)
    done = subprocess.run(
        [sys.executable, "-m", "geodata.cli", "import", str(write(tmp_path, "bad.csv", BAD_CSV))],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "fila 4: 'population_served' debe ser un número entero >= 0" in done.stderr
    assert "Traceback" not in done.stderr
    session.expire_all()
    assert counts(session) == before
