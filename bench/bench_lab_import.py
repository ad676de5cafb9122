"""Importing a laboratory results file of 100,000 rows, beside PostgreSQL's own COPY of it.

The file has the layout DIRESA sends (one row per sample and parameter: system code, sample
point, date, time, parameter, value, unit, laboratory, sample id) for the 371 real systems of
La Libertad, with units the import converts (µg/L, NMP/100 mL, UNT). Both sides are timed in
the same run, on the same bytes:

* Yaku: ``upload_lab_file`` (read the CSV, check and classify every row, store through COPY and
  one INSERT ... SELECT with natural keys), committed;
* PostgreSQL: ``COPY scratch FROM STDIN (FORMAT csv)`` of the same file into a scratch table of
  text columns (no checks, no conversions, no keys): the floor any import stands on.

Then the aggregation the import triggers (statuses and monthly compliance of the touched
systems) is timed too. Every round starts from no benchmark results.

    .venv/bin/python -m bench.bench_lab_import [--rows 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.orm import Session

from bench.datasets import prepare_database
from geodata.evidence.labfile import upload_lab_file
from geodata.models import ReadingBatch, WaterSystem
from geodata.reports.aggregation import aggregate_for_subjects

LABORATORY = "Laboratorio de Referencia Regional DIRESA La Libertad"
HEADER = [
    "codigo",
    "punto_de_muestreo",
    "fecha_de_muestreo",
    "hora",
    "parametro",
    "valor",
    "unidad",
    "laboratorio",
    "codigo_de_muestra",
]
# parameter as the lab writes it, unit, how values are drawn
PANEL: list[tuple[str, str, Any]] = [
    ("Cloro residual libre", "mg/L", lambda r: round(r.uniform(0.0, 1.6), 2)),
    ("Turbiedad", "UNT", lambda r: round(r.uniform(0.1, 12.0), 1)),
    ("pH", "", lambda r: round(r.uniform(6.0, 8.9), 2)),
    ("Conductividad", "µS/cm", lambda r: round(r.uniform(80, 1600))),
    ("Coliformes termotolerantes", "NMP/100 mL", lambda r: r.choice(["<1.8", "<1.8", "2", "23"])),
    ("E. coli", "NMP/100 mL", lambda r: r.choice(["<1.8", "<1.8", "<1.8", "4.5"])),
    ("Coliformes totales", "UFC/100 mL", lambda r: r.choice(["0", "0", "3", "120"])),
    ("Arsénico", "µg/L", lambda r: round(r.uniform(0.5, 25.0), 1)),
    ("Plomo", "µg/L", lambda r: round(r.uniform(0.1, 12.0), 1)),
    ("Nitratos", "mg NO3/L", lambda r: round(r.uniform(0.5, 60.0), 1)),
]
POINTS = ["red", "grifo", "reservorio", "red"]


def lab_file(codes: list[str], rows: int, seed: int = 11) -> bytes:
    """``rows`` results: samples of the panel, spread over 2025, over every system."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    written = sample = 0
    start = date(2025, 1, 1)
    while written < rows:
        sample += 1
        code = codes[sample % len(codes)]
        day = start + timedelta(days=sample % 360)
        clock = f"{7 + sample % 10:02d}:{sample % 60:02d}"
        point = POINTS[sample % len(POINTS)]
        for parameter, unit, draw in PANEL:
            if written == rows:
                break
            writer.writerow(
                [code, point, day.strftime("%d/%m/%Y"), clock, parameter, draw(rng), unit,
                 LABORATORY, f"BENCH-{sample:07d}"]
            )  # fmt: skip
            written += 1
    return out.getvalue().encode("utf-8")


def clear(session: Session) -> None:
    """No benchmark results, and no dead rows of the last round in the way."""
    session.execute(delete(ReadingBatch).where(ReadingBatch.actor == "bench"))
    session.commit()
    engine: Any = session.get_bind()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE measurement")


def copy_floor(url: str, data: bytes) -> float:
    engine = create_engine(url)
    with engine.connect() as connection:
        connection.exec_driver_sql(
            "CREATE UNLOGGED TABLE IF NOT EXISTS bench_lab_scratch "
            f"({', '.join(f'{c} text' for c in HEADER)})"
        )
        connection.exec_driver_sql("TRUNCATE bench_lab_scratch")
        connection.commit()
        raw: Any = connection.connection.driver_connection
        started = time.perf_counter()
        with (
            raw.cursor() as cursor,
            cursor.copy("COPY bench_lab_scratch FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            copy.write(data)
        raw.commit()
        elapsed = time.perf_counter() - started
        connection.exec_driver_sql("DROP TABLE bench_lab_scratch")
        connection.commit()
    engine.dispose()
    return elapsed


def one_round(url: str, data: bytes) -> tuple[float, float, float, int]:
    engine = create_engine(url)
    with Session(engine) as session:
        clear(session)
        started = time.perf_counter()
        delivery = upload_lab_file(session, None, data, "bench.csv", actor="bench", account_id=None)
        session.commit()
        imported = time.perf_counter() - started
        started = time.perf_counter()
        aggregate_for_subjects(session, delivery.systems, delivery.sources)
        session.commit()
        aggregated = time.perf_counter() - started
    engine.dispose()
    return imported, copy_floor(url, data), aggregated, delivery.loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default="yaku_bench_lab")
    args = parser.parse_args()
    url = prepare_database(args.database, 0)
    engine = create_engine(url)
    with Session(engine) as session:
        codes = list(session.scalars(select(WaterSystem.code).order_by(WaterSystem.code)))
        session.execute(text("SELECT 1"))
    engine.dispose()
    data = lab_file(codes, args.rows)
    print(f"lab file: {args.rows:,} rows, {len(data) / 2**20:.1f} MB, {len(codes)} systems")
    results = []
    for index in range(args.rounds):
        imported, copied, aggregated, loaded = one_round(url, data)
        assert loaded == args.rows, f"stored {loaded} of {args.rows}"
        results.append((imported, copied, aggregated))
        print(
            f"round {index + 1}: import {imported:.2f} s = {args.rows / imported:,.0f} rows/s | "
            f"COPY {copied:.2f} s = {args.rows / copied:,.0f} rows/s | "
            f"import/COPY time {imported / copied:.1f}x | aggregation {aggregated:.2f} s"
        )
    imported = statistics.median(r[0] for r in results)
    copied = statistics.median(r[1] for r in results)
    print(
        f"median of {args.rounds}: import {args.rows / imported:,.0f} rows/s ({imported:.2f} s) "
        f"beside COPY {args.rows / copied:,.0f} rows/s ({copied:.2f} s): "
        f"{imported / copied:.1f}x the time of COPY"
    )
    with Session(create_engine(url)) as session:
        clear(session)


if __name__ == "__main__":
    main()
