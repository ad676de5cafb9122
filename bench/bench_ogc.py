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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

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


def _full_page(body: dict[str, Any]) -> bool:
    return bool(body["numberReturned"] == 100)


@dataclass(frozen=True)
class Page:
    """One kind of items page: its query for a bbox, the size of the boxes that fill it, and
    what a right answer looks like (checked while warming up)."""

    name: str
    extra: dict[str, str] = field(default_factory=dict)  # query parameters beside the bbox
    box_degrees: float = BOX_DEGREES
    seed: int = 7
    check: Callable[[dict[str, Any]], bool] = _full_page

    def query(self, bbox: str) -> dict[str, str]:
        return {"bbox": bbox, **self.extra, "limit": "100"}

    def path(self, bbox: str) -> str:
        return f"/ogc/collections/water-systems/items?{urlencode(self.query(bbox))}"


BBOX_PAGE = Page("API GET /ogc/.../items?bbox")


def pick_bboxes(url: str, count: int, page: Page = BBOX_PAGE) -> list[str]:
    """Boxes centred on random systems, kept only if at least 100 of them match the page."""
    rng = random.Random(page.seed)
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
            half = page.box_degrees / 2
            bbox = f"{lon - half:.4f},{lat - half:.4f},{lon + half:.4f},{lat + half:.4f}"
            statement, values = page_statement(
                COLLECTION, parse_items_query(COLLECTION, page.query(bbox))
            )
            matched = session.execute(statement, values).one()[0]
            if matched >= 100:
                boxes.append(bbox)
    engine.dispose()
    return boxes


def sql_for(bbox: str, page: Page = BBOX_PAGE) -> str:
    """The API's own statement for this page, with its values written in."""
    statement, values = page_statement(COLLECTION, parse_items_query(COLLECTION, page.query(bbox)))
    compiled = statement.params(values).compile(
        dialect=postgresql.psycopg.dialect(), compile_kwargs={"literal_binds": True}
    )
    return " ".join(str(compiled).split()) + ";\n"


def run_pgbench(
    url: str, boxes: list[str], clients: int, duration: int, work: Path, page: Page = BBOX_PAGE
) -> Result:
    target = make_url(url)
    scripts = []
    for index, bbox in enumerate(boxes):
        path = work / f"bbox_{index}.sql"
        path.write_text(sql_for(bbox, page))
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


def run_api(
    port: int, boxes: list[str], connections: int, duration: int, work: Path, page: Page = BBOX_PAGE
) -> Result:
    # Warm up every worker's connection pool and prepared statements, and check the answers.
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(5):
            for bbox in boxes:
                body = client.get(page.path(bbox)).json()
                assert page.check(body), body
    script = work / "rotate.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{page.path(b)}"' for b in boxes))
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
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    detail = f"p50 {p50.group(1) if p50 else '?'}, p99 {p99.group(1) if p99 else '?'}"
    return Result(page.name, rps, detail)


def main() -> int:
    return compare(BBOX_PAGE, __doc__ or "", "yaku_bench_ogc")


def compare(page: Page, doc: str, database_name: str) -> int:
    """Build the data, then alternate pgbench and the API on ``page``; print and judge."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--database", default=database_name)
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
    boxes = pick_bboxes(url, args.bboxes, page)
    print(f"{len(boxes)} bboxes of {page.box_degrees} deg, each with >= 100 matching systems")
    if page.extra:
        print("query: " + ", ".join(f"{k}={v}" for k, v in page.extra.items()))
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
                database_runs.append(
                    run_pgbench(url, boxes, args.connections, args.duration, work, page)
                )
                api_runs.append(run_api(port, boxes, args.connections, args.duration, work, page))
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
