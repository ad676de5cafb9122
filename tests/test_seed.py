"""Seeding the real La Libertad data: counts, the district oracle, idempotency, other paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from geodata.models import (
    AdminArea,
    AreaLevel,
    Dataset,
    Parameter,
    Provider,
    ProviderKind,
    WaterSource,
    WaterSystem,
)
from geodata.seed import seed_all
from geodata.seed.provenance import MissingSourceFile
from geodata.seed.providers import fold
from tests.conftest import SHARED_DIR

SYSTEMS_FILE = SHARED_DIR / "geodata" / "la_libertad_siasar_water_systems.geojson"


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def table_fingerprint(session: Session) -> dict[str, str]:
    """An md5 over every row of every seeded table, to prove a second seed writes nothing."""
    result = {}
    for table in ("admin_area", "provider", "water_system", "water_source", "parameter", "dataset"):
        result[table] = session.execute(
            text(f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t")
        ).scalar_one()
    return result


def test_boundaries_parameters_and_systems_are_loaded(session: Session) -> None:
    levels = dict(
        session.execute(select(AdminArea.level, func.count()).group_by(AdminArea.level)).all()
    )
    assert levels == {AreaLevel.DEPARTMENT: 1, AreaLevel.PROVINCE: 12, AreaLevel.DISTRICT: 84}
    alto_trujillo = session.scalars(
        select(AdminArea).where(AdminArea.ubigeo_inei == "130112")
    ).one()
    assert alto_trujillo.parent is not None and alto_trujillo.parent.ubigeo_inei == "130100"
    trujillo = session.scalars(select(AdminArea).where(AdminArea.ubigeo_inei == "130101")).one()
    assert trujillo.ubigeo_reniec == "120101"
    assert count(session, WaterSystem) == 371
    assert count(session, WaterSource) == 120
    assert count(session, Parameter) == 28
    chlorine = session.get(Parameter, "free_chlorine")
    assert chlorine is not None and (chlorine.peru_min, chlorine.peru_max) == (0.5, 5.0)


def test_every_system_has_a_provider_and_every_district_a_municipality(session: Session) -> None:
    assert session.scalar(select(func.count()).where(WaterSystem.provider_id.is_(None))) == 0
    municipalities = session.scalar(
        select(func.count()).where(
            Provider.kind == ProviderKind.MUNICIPALITY, Provider.name.like("% (ATM)")
        )
    )
    assert municipalities == 84
    con_con = session.scalars(select(WaterSystem).where(WaterSystem.code == "SIASAR-160421")).one()
    assert con_con.provider is not None and con_con.provider.kind is ProviderKind.JASS
    assert con_con.communities == ["CON CON"]
    assert con_con.population_served == 280 and con_con.treatment_works is True


def test_all_371_systems_fall_in_the_district_their_survey_names(session: Session) -> None:
    """Oracle: SIASAR's ``divisiones`` ('LA LIBERTAD,PROVINCE,DISTRICT') names each district."""
    features = json.loads(SYSTEMS_FILE.read_text(encoding="utf-8"))["features"]
    expected = {
        f"SIASAR-{f['properties']['ID']}": f["properties"]["divisiones"].split(",")
        for f in features
    }
    rows = session.execute(
        select(WaterSystem.code, AdminArea.name, AdminArea.parent_id).join(
            AdminArea, WaterSystem.district_id == AdminArea.id
        )
    ).all()
    provinces = dict(
        session.execute(
            select(AdminArea.id, AdminArea.name).where(AdminArea.level == AreaLevel.PROVINCE)
        ).all()
    )
    assert len(rows) == 371
    mismatches = [
        (code, district, provinces[parent])
        for code, district, parent in rows
        if [fold(provinces[parent]), fold(district)] != [fold(x) for x in expected[code][1:]]
    ]
    assert mismatches == []


def test_seeding_twice_changes_nothing(session: Session) -> None:
    before = table_fingerprint(session)
    report = seed_all(session, SHARED_DIR)
    session.flush()
    assert set(report.counts.values()) == {0}
    assert table_fingerprint(session) == before


def test_seed_reads_another_directory_and_applies_changed_files(
    session: Session, tmp_path: Path
) -> None:
    copy = tmp_path / "shared"
    shutil.copytree(SHARED_DIR / "domain", copy / "domain")
    shutil.copytree(SHARED_DIR / "geodata", copy / "geodata")
    (copy / "datasets" / "siasar_peru").mkdir(parents=True)
    shutil.copy(
        SHARED_DIR / "datasets/siasar_peru/siasar_pe_catchments.csv", copy / "datasets/siasar_peru"
    )
    systems = copy / "geodata" / "la_libertad_siasar_water_systems.geojson"
    data = json.loads(systems.read_text(encoding="utf-8"))
    data["features"][0]["properties"]["pob_servida"] = 999
    systems.chmod(0o644)
    systems.write_text(json.dumps(data), encoding="utf-8")

    report = seed_all(session, copy)
    session.flush()
    assert report.counts["systems"] == 371
    assert count(session, WaterSystem) == 371
    code = f"SIASAR-{data['features'][0]['properties']['ID']}"
    changed = session.scalars(select(WaterSystem).where(WaterSystem.code == code)).one()
    session.refresh(changed)
    assert changed.population_served == 999
    dataset = session.scalars(
        select(Dataset).where(Dataset.name == "siasar-la-libertad-systems")
    ).one()
    assert dataset.record_count == 371 and dataset.licence == "CC BY 4.0"


def test_a_missing_directory_is_a_clear_error(session: Session, tmp_path: Path) -> None:
    with pytest.raises(MissingSourceFile, match="file not found"):
        seed_all(session, tmp_path / "nowhere")


def test_every_dataset_records_licence_and_attribution(session: Session) -> None:
    datasets = session.scalars(select(Dataset)).all()
    assert {d.name for d in datasets} >= {"mapsperu-districts", "siasar-la-libertad-systems"}
    for dataset in datasets:
        assert dataset.licence and dataset.attribution and dataset.record_count > 0


def test_cli_seed_reports_a_missing_directory_without_a_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import TEST_DATABASE_URL

    done = subprocess.run(
        [sys.executable, "-m", "geodata.cli", "seed", "--shared-dir", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        env=dict(os.environ, YAKU_DATABASE_URL=TEST_DATABASE_URL),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "file not found" in done.stderr and "Traceback" not in done.stderr
