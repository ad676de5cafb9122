"""``yaku import-readings``: an operator's logbook in CSV or XLSX, Spanish or English columns,
row errors with their lines, all or nothing unless --skip-bad, and a second import that changes
nothing. The chlorine values are the real SIASAR readings of ../shared (portawaterperu)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from geodata.evidence.errors import FileRefused
from geodata.evidence.logbook import import_readings, render
from geodata.models import Measurement, ReadingBatch, WaterSystem
from tests.conftest import TEST_DATABASE_URL
from tests.evidence.support import (
    WATER_QUALITY,
    jass_systems,
    lab_xlsx,
    official_count,
    restoring,
    write,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def siasar_logbook(codes: list[str]) -> bytes:
    """The 32 real residual-chlorine readings of SIASAR Peru (mg/L, written "MILIGRAMOS POR
    LITRO" as the survey does), as a Spanish logbook of our systems, one reading a row."""
    with (WATER_QUALITY / "portawaterperu_siasar_pe_chlorine.csv").open() as handle:
        records = list(csv.DictReader(handle))
    lines = [
        "Fecha;Hora;Código del sistema;Punto de muestreo;Cloro residual (MILIGRAMOS POR LITRO)"
    ]
    for index, record in enumerate(records):
        day = datetime.fromisoformat(record["maintenance_date"].replace("Z", "+00:00"))
        lines.append(
            f"{day:%d/%m/%Y};{7 + index % 10}:15;{codes[index % len(codes)]};red;"
            f"{record['chlorine_res'].replace('.', ',')}"
        )
    return ("\n".join(lines) + "\n").encode("cp1252")  # as Excel saves a CSV on Windows


@pytest.fixture
def codes(session: Session) -> list[str]:
    return [s.code for s in jass_systems(session, 4)]


def test_a_real_logbook_loads_once(session: Session, codes: list[str], tmp_path: Path) -> None:
    path = write(tmp_path, "cuaderno.csv", siasar_logbook(codes))
    first = import_readings(session, path, now=NOW)
    assert (first.loaded, first.already, first.skipped) == (32, 0, [])
    rows = session.scalars(select(Measurement).where(Measurement.batch_id == first.batch_id)).all()
    assert {(m.measured_by.value, m.method.value, m.sample_point.value) for m in rows} == {
        ("operator", "kit", "network")
    }
    assert sorted({m.value for m in rows}) == [0.0, 1.0, 6.0]
    six = next(m for m in rows if m.value == 6.0)
    assert six.compliance.value == "violation"  # above the 5 mg/L maximum
    assert "por encima del máximo de 5 mg/L" in (six.explanation or "")
    second = import_readings(session, path, now=NOW)
    assert (second.loaded, second.already, second.batch_id) == (0, 32, None)
    assert session.scalar(select(func.count()).select_from(ReadingBatch)) == 1
    assert official_count(session) == 32
    assert render(second, "es").endswith("0 lecturas cargadas, 32 ya registradas, 0 filas omitidas")


def test_an_xlsx_logbook_with_english_columns(
    session: Session, codes: list[str], tmp_path: Path
) -> None:
    header = [
        "Date",
        "Time",
        "System code",
        "Sample point",
        "Free chlorine (ppm)",
        "pH",
        "Turbidity (NTU)",
        "E. coli",
        "Operator",
        "Notes",
    ]
    rows = [
        [
            datetime(2026, 5, 4),
            "08:00",
            codes[0],
            "network",
            0.6,
            7.1,
            1.5,
            "absent",
            "Rosa Q.",
            "",
        ],
        [
            datetime(2026, 5, 4, 9, 30),
            None,
            codes[0],
            "reservoir",
            1.2,
            None,
            None,
            None,
            "Rosa Q.",
            "ok",
        ],
        [datetime(2026, 5, 5), "8.15", codes[1], "tap", "0,35", 7.8, None, "present", "Juan", ""],
    ]
    path = write(tmp_path, "logbook.xlsx", lab_xlsx(rows, header=header))
    delivery = import_readings(session, path, now=NOW)
    assert delivery.loaded == 4 + 1 + 3
    stored = session.execute(
        select(Measurement.parameter_code, Measurement.value, Measurement.sampled_at).where(
            Measurement.batch_id == delivery.batch_id
        )
    ).all()
    chlorine = sorted(v for p, v, _ in stored if p == "free_chlorine")
    assert chlorine == [0.35, 0.6, 1.2]
    assert ("e_coli", 1.0) in {(p, v) for p, v, _ in stored}
    times = {at for p, _, at in stored if p == "free_chlorine"}
    assert datetime(2026, 5, 4, 13, 0, tzinfo=UTC) in times  # 08:00 in Peru
    assert datetime(2026, 5, 5, 13, 15, tzinfo=UTC) in times  # "8.15"
    names = {
        r[0]
        for r in session.execute(
            select(Measurement.record_source).where(Measurement.batch_id == delivery.batch_id)
        )
    }
    assert names == {"operator logbook"}  # never the operator's name


BAD_LOGBOOK = """fecha,hora,sistema,punto,cloro residual,ph
04/05/2026,08:00,{code},red,0.8,7.2
04/05/2026,08:00,NO-EXISTE,red,0.8,7.2
05/05/2026,08:00,{code},azotea,0.8,7.2
06/05/2026,08:00,{code},red,35,7.2
07/05/2026,08:00,{code},red,,7.2
08/05/2026,08:00,{code},red,0.5,
04/05/2026,08:00,{code},red,0.8,7.2
09/05/2099,08:00,{code},red,0.8,7.2
"""


def test_a_bad_logbook_names_every_line_and_loads_nothing_unless_skipping(
    session: Session, codes: list[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "malo.csv", BAD_LOGBOOK.format(code=codes[0]).encode())
    with pytest.raises(FileRefused) as refused:
        import_readings(session, path, now=NOW)
    lines = refused.value.rendered_rows("es")
    assert [line.split(":")[0] for line in lines] == [
        "fila 3",
        "fila 4",
        "fila 5",
        "fila 6",
        "fila 8",
        "fila 9",
    ]
    assert "código de sistema desconocido 'NO-EXISTE'" in lines[0]
    assert "punto de muestreo desconocido 'azotea'" in lines[1]
    assert "35 mg/L no es una lectura posible" in lines[2]
    assert "se requiere el cloro residual libre" in lines[3]
    assert "la misma lectura está en la línea 2" in lines[4]
    assert "está en el futuro" in lines[5]
    assert official_count(session) == 0
    english = refused.value.rendered_rows("en")
    assert english[0] == "row 3: unknown system code 'NO-EXISTE'"

    skipped = import_readings(session, path, skip_bad=True, now=NOW)
    assert (skipped.loaded, len(skipped.skipped)) == (2 + 1, 6)  # line 2 (Cl, pH), line 7 (Cl)
    assert official_count(session) == 3
    fixed = BAD_LOGBOOK.format(code=codes[0]).replace("azotea", "reservorio")
    again = import_readings(
        session, write(tmp_path, "arreglado.csv", fixed.encode()), skip_bad=True, now=NOW
    )
    assert (again.loaded, again.already) == (2, 3)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, YAKU_DATABASE_URL=TEST_DATABASE_URL)
    return subprocess.run(
        [sys.executable, "-m", "geodata.cli", "import-readings", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_command_line(engine: Engine, codes: list[str], tmp_path: Path) -> None:
    bad = write(tmp_path, "malo.csv", BAD_LOGBOOK.format(code=codes[0]).encode())
    done = run_cli(str(bad))
    assert done.returncode == 1
    assert "fila 3: código de sistema desconocido 'NO-EXISTE'" in done.stderr
    assert "6 filas tienen errores; no se cargó nada." in done.stderr
    assert "Traceback" not in done.stderr
    english = run_cli(str(bad), "--lang", "en")
    assert "row 3: unknown system code 'NO-EXISTE'" in english.stderr
    assert run_cli(str(tmp_path / "missing.csv")).returncode == 2
    good = write(tmp_path, "cuaderno.csv", siasar_logbook(codes))
    with Session(engine) as s:
        ids = list(s.scalars(select(WaterSystem.id).where(WaterSystem.code.in_(codes))))
    with restoring(engine, ids):
        first = run_cli(str(good))
        assert first.returncode == 0, first.stderr
        assert "32 lecturas cargadas" in first.stdout
        with Session(engine) as s:  # aggregated at once: the 2015 readings are old evidence
            statuses = s.execute(
                select(WaterSystem.status, WaterSystem.status_reason).where(WaterSystem.id.in_(ids))
            ).all()
            assert {status.value for status, _ in statuses} == {"yellow"}
            assert all("Medición de operador" in (reason or "") for _, reason in statuses)
        second = run_cli(str(good))
        assert second.returncode == 0
        assert "0 lecturas cargadas, 32 ya registradas" in second.stdout
