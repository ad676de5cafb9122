"""Latency of the map's search box and of "near me" over 100,000 systems (target: p95 < 50 ms
on the server).

The database is ``bench.datasets`` (the real La Libertad data plus synthetic systems named
after real Peruvian communities). The queries are drawn from that data, the way people type:
whole community names, names with a typo, names still being typed, codes and their numbers,
district names with and without accents, and very common words ("san", "alto"). Each is timed
twice: inside the server process (``geodata.search.search`` on a warm connection: database and
Python) and through HTTP against a real uvicorn (``GET /api/v1/search``, the whole stack, one
client, one request at a time). Printed: p50 / p95 / max per kind and overall, beside the target.

Usage: .venv/bin/python -m bench.bench_search [--systems 100000] [--queries 400]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from bench.bench_map import REPO, free_port, wait_http
from bench.datasets import prepare_database
from geodata.models import AdminArea, AreaLevel, WaterSystem
from geodata.nearby import nearest
from geodata.search import search

TARGET_P95_MS = 50.0
COMMON = ["san", "santa", "alto", "bajo", "la esperanza", "nueva", "pampa", "san jose"]


def fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.lower()


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1 :]  # a letter missing
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]  # two letters swapped


def queries(session: Session, count: int, seed: int = 11) -> list[tuple[str, str]]:
    """(kind, query) pairs drawn from the data, in a fixed mix."""
    rng = random.Random(seed)
    sample = session.execute(
        select(WaterSystem.code, WaterSystem.communities)
        .where(func.cardinality(WaterSystem.communities) > 0)
        .order_by(func.md5(WaterSystem.code))
        .limit(count)
    ).all()
    districts = list(
        session.scalars(select(AdminArea.name).where(AdminArea.level == AreaLevel.DISTRICT))
    )
    out: list[tuple[str, str]] = []
    for n, (code, communities) in enumerate(sample):
        community = communities[0].lower()
        words = community.split()
        longest = max(words, key=len)
        mix = n % 10
        if mix < 3:
            out.append(("whole name", community))
        elif mix < 5:
            out.append(("typo", community.replace(longest, typo(longest, rng), 1)))
        elif mix < 7:
            out.append(("still typing", longest[: rng.randint(4, max(4, min(6, len(longest))))]))
        elif mix == 7:
            out.append(("code", code if n % 20 < 10 else code.split("-")[-1]))
        elif mix == 8:
            district = rng.choice(districts)
            out.append(("district", district if n % 20 < 10 else fold(district)))
        else:
            out.append(("common word", rng.choice(COMMON)))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(title: str, timings: dict[str, list[float]]) -> float:
    everything = [t for values in timings.values() for t in values]
    p95 = percentile(everything, 0.95)
    verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
    print(
        f"  {title}: p50 {statistics.median(everything):6.1f} ms, p95 {p95:6.1f} ms, "
        f"max {max(everything):6.1f} ms over {len(everything)} queries "
        f"(target p95 < {TARGET_P95_MS:.0f} ms: {verdict})"
    )
    for kind, values in sorted(timings.items()):
        print(
            f"    {kind:13s} n={len(values):3d}  p50 {statistics.median(values):6.1f}  "
            f"p95 {percentile(values, 0.95):6.1f}  max {max(values):6.1f} ms"
        )
    return p95


def in_process(url: str, mix: list[tuple[str, str]]) -> None:
    engine = create_engine(url)
    with Session(engine) as session:
        for _, q in mix[:20]:  # warm the connection, the caches and the plans
            search(session, q)
        timings: dict[str, list[float]] = defaultdict(list)
        empty = 0
        trivial: list[float] = []  # how busy the machine is: a round trip that does nothing
        for kind, q in mix:
            started = time.perf_counter()
            found = search(session, q)
            timings[kind].append((time.perf_counter() - started) * 1000)
            empty += not found.items
            started = time.perf_counter()
            session.execute(text("SELECT 1"))
            trivial.append((time.perf_counter() - started) * 1000)
        report("search, in the server process", timings)
        print(f"    queries with no result: {empty}")
        print(
            f"    beside it, SELECT 1 on the same connection: p50 {statistics.median(trivial):.2f}"
            f" ms, p95 {percentile(trivial, 0.95):.2f} ms (the machine's noise)"
        )
        points = session.execute(
            select(func.ST_X(WaterSystem.geom), func.ST_Y(WaterSystem.geom))
            .order_by(func.md5(WaterSystem.code))
            .limit(200)
        ).all()
        near: dict[str, list[float]] = defaultdict(list)
        for lon, lat in points:
            started = time.perf_counter()
            nearest(session, lon + 0.003, lat - 0.002)
            near["near me"].append((time.perf_counter() - started) * 1000)
        report("near me (5 systems + 3 sources), in the server process", near)
    engine.dispose()


def over_http(url: str, mix: list[tuple[str, str]]) -> None:
    port = free_port()
    env = {**os.environ, "YAKU_DATABASE_URL": url, "YAKU_TILE_URL": ""}
    server = subprocess.Popen(
        [
            *("timeout", "3600", sys.executable, "-m", "uvicorn", "api.main:app"),
            *("--port", str(port), "--log-level", "warning"),
        ],
        cwd=REPO,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/health")
        with httpx.Client(base_url=base, timeout=30) as client:
            for _, q in mix[:20]:
                client.get("/api/v1/search", params={"q": q})
            timings: dict[str, list[float]] = defaultdict(list)
            for kind, q in mix:
                started = time.perf_counter()
                response = client.get("/api/v1/search", params={"q": q})
                timings[kind].append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
        report("GET /api/v1/search over HTTP (uvicorn, one client)", timings)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--database", default=None, help="default yaku_bench_search_<n>k")
    args = parser.parse_args()
    name = args.database or f"yaku_bench_search_{args.systems // 1000}k"
    started = time.perf_counter()
    url = prepare_database(name, args.systems)
    print(
        f"database {name}: {args.systems:,} systems, ready in {time.perf_counter() - started:.1f} s"
    )
    engine = create_engine(url)
    with Session(engine) as session:
        mix = queries(session, args.queries)
    engine.dispose()
    print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    in_process(url, mix)
    over_http(url, mix)
    print("load average (1, 5, 15 min) after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
