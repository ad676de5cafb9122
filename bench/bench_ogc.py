"""Throughput of an OGC API bbox page (100 features) over 100,000 systems, beside pgbench.

Both sides run the very same SQL statement (the API's own ``page_statement``, compiled with the
bbox values) over the same set of bboxes, at the same concurrency, in the same run:

* pgbench: one script per bbox, prepared statements, straight into PostgreSQL;
* the API: uvicorn (``api.main:app``) loaded by ``wrk`` rotating over the same bboxes.

Target: the API reaches at least 0.6 of the database's own throughput.

    .venv/bin/python -m bench.bench_ogc [--systems 100000] [--duration 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from geodata.models import WaterSystem
from geodata.opendata.collections import COLLECTIONS
from geodata.opendata.features import page_statement, parse_items_query

REPO = Path(__file__).resolve().parent.parent
COLLECTION = COLLECTIONS["water-systems"]
TARGET = 0.6  # issue 9: the API reaches at least 0.6 of the database alone
BOX_DEGREES = 0.08  # about 9 km: a few hundred synthetic systems, so every page is full


@dataclass(frozen=True)
class Result:
    name: str
    per_second: float
    detail: str


def pick_bboxes(url: str, count: int, seed: int = 7) -> list[str]:
    """Boxes centred on random systems, kept only if they hold at least 100 of them."""
    rng = random.Random(seed)
    engine = create_engine(url)
    boxes: list[str] = []
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(WaterSystem)) or 0
        while len(boxes) < count:
            offset = rng.randrange(total)
            lon, lat = session.execute(
                select(func.ST_X(WaterSystem.geom), func.ST_Y(WaterSystem.geom))
                .order_by(WaterSystem.id)
                .offset(offset)
                .limit(1)
            ).one()
            half = BOX_DEGREES / 2
            bbox = f"{lon - half:.4f},{lat - half:.4f},{lon + half:.4f},{lat + half:.4f}"
            statement, values = page_statement(
                COLLECTION, parse_items_query(COLLECTION, {"bbox": bbox})
            )
            matched = session.execute(statement, values).one()[0]
            if matched >= 100:
                boxes.append(bbox)
    engine.dispose()
    return boxes


def sql_for(bbox: str) -> str:
    statement, values = page_statement(COLLECTION, parse_items_query(COLLECTION, {"bbox": bbox}))
    compiled = statement.params(values).compile(
        dialect=postgresql.psycopg.dialect(), compile_kwargs={"literal_binds": True}
    )
    return " ".join(str(compiled).split()) + ";\n"


def run_pgbench(url: str, boxes: list[str], clients: int, duration: int, work: Path) -> Result:
    target = make_url(url)
    scripts = []
    for index, bbox in enumerate(boxes):
        path = work / f"bbox_{index}.sql"
        path.write_text(sql_for(bbox))
        scripts += ["-f", f"{path}@1"]
    command = [
        "pgbench",
        "-n",
        "-M",
        "prepared",
        "-c",
        str(clients),
        "-j",
        str(min(clients, os.cpu_count() or 1)),
        "-T",
        str(duration),
        "-h",
        target.host or "127.0.0.1",
        "-p",
        str(target.port or 5432),
        "-U",
        target.username or "postgres",
        *scripts,
        target.database or "",
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    tps = float(re.search(r"tps = ([0-9.]+)", output).group(1))  # type: ignore[union-attr]
    latency = re.search(r"latency average = ([0-9.]+ ms)", output)
    return Result("pgbench (same SQL)", tps, f"latency {latency.group(1) if latency else '?'}")


def start_api(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "YAKU_DATABASE_URL": url}
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1"),
            *("--port", str(port), "--workers", str(workers), "--no-access-log"),
            *("--log-level", "warning"),
        ],
        cwd=REPO,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ogc", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError("the API did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def run_api(port: int, boxes: list[str], connections: int, duration: int, work: Path) -> Result:
    paths = [f'"/ogc/collections/water-systems/items?bbox={b}&limit=100"' for b in boxes]
    # Warm up every worker's connection pool and prepared statements, and check the answers.
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(5):
            for bbox in boxes:
                body = client.get(f"/ogc/collections/water-systems/items?bbox={bbox}").json()
                assert body["numberReturned"] == 100, body
    script = work / "rotate.lua"
    script.write_text(WRK_SCRIPT % ", ".join(paths))
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
    return Result("API GET /ogc/.../items?bbox", rps, detail)


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
    print(f"{len(boxes)} bboxes of {BOX_DEGREES} deg, each with >= 100 systems")
    port = args.port or _free_port()
    # Rounds alternate between the two sides so that any other load on the machine (other test
    # runs, the file cache) hits both alike; medians are compared.
    database_runs: list[Result] = []
    api_runs: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-ogc-") as tmp:
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


def median_result(results: list[Result]) -> Result:
    ordered = sorted(results, key=lambda r: r.per_second)
    return ordered[len(ordered) // 2]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
