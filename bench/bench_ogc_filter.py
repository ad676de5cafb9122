"""Throughput of a CQL2-filtered OGC API items page over 100,000 systems, beside pgbench.

The page: ``filter=status = 'red' AND population_served > 100`` with a bbox, 100 features.
Both sides run the very same SQL statement (the API's own ``page_statement`` for that parsed
filter, compiled with its bound values) over the same set of bboxes, at the same concurrency,
in the same run, rounds alternating (``bench.bench_ogc`` measures the unfiltered page the same
way):

* pgbench: one script per bbox, prepared statements, straight into PostgreSQL;
* the API: uvicorn (``api.main:app``) loaded by ``wrk`` rotating over the same requests.

Target: the API reaches at least 0.6 of the database's own throughput.

    .venv/bin/python -m bench.bench_ogc_filter [--systems 100000] [--duration 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import create_engine, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from bench.bench_ogc import (
    TARGET,
    Result,
    _free_port,
    median_result,
    start_api,
    stop,
)
from geodata.models import WaterSystem
from geodata.opendata.collections import COLLECTIONS
from geodata.opendata.features import page_statement, parse_items_query

COLLECTION = COLLECTIONS["water-systems"]
FILTER = "status = 'red' AND population_served > 100"
BOX_DEGREES = 0.2  # about 22 km: a quarter of the synthetic systems are red, so pages are full


def query(bbox: str) -> dict[str, str]:
    return {"bbox": bbox, "filter": FILTER, "limit": "100"}


def pick_bboxes(url: str, count: int, seed: int = 11) -> list[str]:
    """Boxes centred on random systems, kept only if at least 100 systems in them match."""
    rng = random.Random(seed)
    engine = create_engine(url)
    boxes: list[str] = []
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(WaterSystem)) or 0
        while len(boxes) < count:
            lon, lat = session.execute(
                select(func.ST_X(WaterSystem.geom), func.ST_Y(WaterSystem.geom))
                .order_by(WaterSystem.id)
                .offset(rng.randrange(total))
                .limit(1)
            ).one()
            half = BOX_DEGREES / 2
            bbox = f"{lon - half:.4f},{lat - half:.4f},{lon + half:.4f},{lat + half:.4f}"
            statement, values = page_statement(
                COLLECTION, parse_items_query(COLLECTION, query(bbox))
            )
            if session.execute(statement, values).one()[0] >= 100:
                boxes.append(bbox)
    engine.dispose()
    return boxes


def sql_for(bbox: str) -> str:
    statement, values = page_statement(COLLECTION, parse_items_query(COLLECTION, query(bbox)))
    compiled = statement.params(values).compile(
        dialect=postgresql.psycopg.dialect(), compile_kwargs={"literal_binds": True}
    )
    return " ".join(str(compiled).split()) + ";\n"


def run_pgbench(url: str, boxes: list[str], clients: int, duration: int, work: Path) -> Result:
    from bench import bench_ogc

    original = bench_ogc.sql_for
    bench_ogc.sql_for = sql_for  # the same pgbench driver, with this page's SQL
    try:
        return bench_ogc.run_pgbench(url, boxes, clients, duration, work)
    finally:
        bench_ogc.sql_for = original


def run_api(port: int, boxes: list[str], connections: int, duration: int, work: Path) -> Result:
    import re
    import subprocess

    from bench.bench_ogc import WRK_SCRIPT

    def path(bbox: str) -> str:
        return (
            f"/ogc/collections/water-systems/items?bbox={bbox}&limit=100"
            f"&filter={quote(FILTER, safe='')}"
        )

    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(5):
            for bbox in boxes:
                body = client.get(path(bbox)).json()
                assert body["numberReturned"] == 100, body
                assert all(f["properties"]["status"] == "red" for f in body["features"])
    script = work / "rotate.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{path(b)}"' for b in boxes))
    output = subprocess.run(
        [
            *("wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "-s", str(script)),
            *("--latency", f"http://127.0.0.1:{port}"),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed requests:\n{output}")
    p50 = re.search(r"50%\s+(\S+)", output)
    p99 = re.search(r"99%\s+(\S+)", output)
    detail = f"p50 {p50.group(1) if p50 else '?'}, p99 {p99.group(1) if p99 else '?'}"
    return Result("API GET items?bbox&filter", rps, detail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="yaku_bench_ogc")
    parser.add_argument("--systems", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--bboxes", type=int, default=16)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for tool in ("pgbench", "wrk"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing (apt-get install postgresql-contrib wrk)", file=sys.stderr)
            return 2

    from bench.datasets import prepare_database

    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    started = time.perf_counter()
    url = prepare_database(args.database, args.systems)
    print(
        f"database {args.database}: {args.systems} systems ready in "
        f"{time.perf_counter() - started:.1f} s"
    )
    boxes = pick_bboxes(url, args.bboxes)
    print(f"{len(boxes)} bboxes of {BOX_DEGREES} deg, each with >= 100 matching systems")
    print(f"filter: {FILTER}")
    port = args.port or _free_port()
    database_runs: list[Result] = []
    api_runs: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-ogc-filter-") as tmp:
        work = Path(tmp)
        api_process = start_api(url, port, args.workers)
        try:
            for round_number in range(1, args.rounds + 1):
                database_runs.append(run_pgbench(url, boxes, args.connections, args.duration, work))
                api_runs.append(run_api(port, boxes, args.connections, args.duration, work))
                print(
                    f"round {round_number}: pgbench {database_runs[-1].per_second:.1f}/s, "
                    f"API {api_runs[-1].per_second:.1f}/s"
                )
        finally:
            stop(api_process)
    database = median_result(database_runs)
    api = median_result(api_runs)
    ratio = api.per_second / database.per_second
    print(
        f"cpus: {os.cpu_count()}, concurrency: {args.connections}, {args.rounds} rounds of "
        f"{args.duration} s each, uvicorn workers: {args.workers}, load average before: "
        f"{load_before}"
    )
    for result in (database, api):
        print(f"{result.name:32s} {result.per_second:9.1f} /s median   ({result.detail})")
    verdict = "PASS" if ratio >= TARGET else "FAIL"
    print(f"API / database throughput: {ratio:.2f} (target >= {TARGET:.2f}): {verdict}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
