"""Citizen-report intake under load, each figure beside its floor or target; prints, not a test.

    .venv/bin/python -m bench.bench_reports --mode alone   # API alone vs the bare floor
    .venv/bin/python -m bench.bench_reports --mode worker  # 60 s with the worker validating
    .venv/bin/python -m bench.bench_reports --mode drain   # one worker drains a backlog
    .venv/bin/python -m bench.bench_reports                # all three

Uses its own database (``yaku_bench_reports``, migrated and seeded once; ``--database-url``) and
Redis database (``--redis-url``, flushed), starts uvicorn and Celery as subprocesses.

``alone``: ``POST /api/v1/reports`` served by the API with every limit in place (request guard,
security headers, the Redis rate limiter with budgets high enough not to refuse the benchmark's
one address), against ``bench/floor_app.py`` (the same JSON parse and INSERT on an async psycopg
pool, nothing else), in alternating rounds at the same concurrency. Target: API >= 0.6 x floor,
p99 < 100 ms at 32 connections.

``worker``: the API and a Celery worker together, reports paced at ``--rate`` for
``--duration`` seconds: accepted/s, the queue of reports still ``received`` sampled every 5 s
(it must not grow), accept -> visible (a probe "no water" report shows on its system in
``GET /api/v1/systems/{code}``: since the alert rule, one citizen's report is an unconfirmed
alert, not a red colour) at p95 < 5 s, and lost = rows - accepted (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import sys
import time
from dataclasses import dataclass

import orjson
import redis
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.loadgen import (
    Connection,
    Figures,
    System,
    free_port,
    load,
    percentile,
    process,
    report_body,
    uvicorn,
    wait_http,
)

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/yaku_bench_reports"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
TARGET_RATIO = 0.6
TARGET_ACCEPTED_PER_S = 1000
TARGET_P99_MS = 100
TARGET_VISIBLE_P95_S = 5
# The limiter runs on every request, but the benchmark's one address must not be refused by
# its own budget: a window of one second that holds ~1,000 entries, as large as the default
# hourly window of a busy address (Redis's work per hit grows with the window's length).
BENCH_LIMITS = {
    "YAKU_INTAKE_ADDRESS_LIMITS": "5000/second",
    "YAKU_INTAKE_PHOTO_ADDRESS_LIMITS": "5000/second",
}


def prepare_database(url: str) -> list[System]:
    """Migrate and seed once; empty the reports; statuses from a full recompute."""
    os.environ["YAKU_DATABASE_URL"] = url
    from geodata import migrate
    from geodata.models import WaterSystem
    from geodata.reports.aggregation import recompute_all
    from geodata.seed import seed_all
    from geodata.settings import get_settings

    migrate.upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        if not session.scalar(select(func.count()).select_from(WaterSystem)):
            print("seeding the benchmark database (once)...", flush=True)
            seed_all(session, get_settings().shared_dir)
        session.execute(text("TRUNCATE report, status_change, district_indicator CASCADE"))
        session.execute(
            text(
                "UPDATE water_system SET status='grey', status_evidence='none', "
                "status_evidence_at=NULL, status_reason=NULL, status_updated_at=NULL"
            )
        )
        recompute_all(session)
        session.commit()
        systems = session.execute(
            select(WaterSystem.code, func.ST_X(WaterSystem.geom), func.ST_Y(WaterSystem.geom))
            .where(WaterSystem.status != "red")
            .order_by(WaterSystem.id)
        ).all()
    engine.dispose()
    return [(c, x, y) for c, x, y in systems]


def scalar(url: str, sql: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(sql)).scalar_one()
    engine.dispose()
    return int(value or 0)


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def environment(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "YAKU_DATABASE_URL": args.database_url,
            "YAKU_REDIS_URL": args.redis_url,
            "YAKU_DB_POOL_SIZE": str(args.pool),
            **BENCH_LIMITS,
        }
    )
    return env


@dataclass
class Round:
    rate: float
    p50_ms: float
    p99_ms: float
    errors: dict[int, int]


async def one_round(port: int, systems: list[System], args: argparse.Namespace) -> Round:
    fig = Figures()
    elapsed = await load(port, systems, fig, concurrency=args.concurrency, seconds=args.seconds)
    return Round(
        fig.accepted / elapsed,
        percentile(fig.latencies, 0.5) * 1000,
        percentile(fig.latencies, 0.99) * 1000,
        fig.errors,
    )


async def run_alone(args: argparse.Namespace, systems: list[System]) -> bool:
    """API alone and the bare floor, alternating rounds; medians compared."""
    env = environment(args)
    api_rounds: list[Round] = []
    floor_rounds: list[Round] = []
    for number in range(1, args.rounds + 1):
        for name, app, rounds in (
            ("floor", "bench.floor_app:app", floor_rounds),
            ("api", "api.main:app", api_rounds),
        ):
            port = free_port()
            with process(uvicorn(app, port, args.api_workers), env, f"alone-{name}"):
                await wait_http(port, "/api/v1/report-categories")
                await load(port, systems, Figures(), concurrency=args.concurrency, total=600)
                rounds.append(await one_round(port, systems, args))
        last = api_rounds[-1]
        print(
            f"round {number}: floor {floor_rounds[-1].rate:7.0f}/s, API {last.rate:7.0f}/s "
            f"(p99 {last.p99_ms:.1f} ms), errors {last.errors or 0}",
            flush=True,
        )
    api = sorted(api_rounds, key=lambda r: r.rate)[len(api_rounds) // 2]
    floor = sorted(floor_rounds, key=lambda r: r.rate)[len(floor_rounds) // 2]
    ratio = api.rate / floor.rate
    ok = ratio >= TARGET_RATIO and api.p99_ms < TARGET_P99_MS
    print(
        f"\nintake, API alone vs bare floor: {args.rounds} rounds of {args.seconds:g} s, "
        f"concurrency {args.concurrency}, uvicorn workers {args.api_workers}, "
        f"{os.cpu_count()} CPUs, load average {load_average()}"
    )
    for name, side in (("floor (ASGI + orjson + INSERT)", floor), ("API with every limit", api)):
        print(
            f"{name:32s} {side.rate:8.0f}/s  p50 {side.p50_ms:6.1f} ms  p99 {side.p99_ms:6.1f} ms"
        )
    verdict = "PASS" if ok else "FAIL"
    print(
        f"ratio {ratio:.2f} (target >= {TARGET_RATIO}), p99 {api.p99_ms:.1f} ms "
        f"(target < {TARGET_P99_MS}): {verdict}"
    )
    return ok


async def probes(port: int, systems: list[System], stop: asyncio.Event, fig: Figures) -> int:
    """While the load runs: a 'no water' report on a fresh system, then watch its colour."""
    pending: list[asyncio.Task[None]] = []
    accepted = 0

    async def probe(system: System) -> None:
        nonlocal accepted
        conn = Connection(port)
        try:
            body = report_body(system, "no_water")
            status, _ = await conn.request(b"POST", "/api/v1/reports", body)
            if status != 201:
                return
            accepted += 1
            accepted_at = time.perf_counter()
            while time.perf_counter() - accepted_at < 60:
                status, raw = await conn.request(b"GET", f"/api/v1/systems/{system[0]}", None)
                shown = orjson.loads(raw) if status == 200 else {}
                if shown.get("alert_category") == "no_water" or shown.get("status") == "red":
                    fig.visible_after.append(time.perf_counter() - accepted_at)
                    return
                await asyncio.sleep(0.05)
            fig.probes_not_visible += 1
        finally:
            conn.close()

    for system in systems:
        if stop.is_set():
            break
        pending.append(asyncio.create_task(probe(system)))
        await asyncio.sleep(0.5)
    await asyncio.gather(*pending)
    return accepted


async def sample_queue(url: str, stop: asyncio.Event, samples: list[int]) -> None:
    while not stop.is_set():
        samples.append(scalar(url, "SELECT count(*) FROM report WHERE status = 'received'"))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=5)


async def run_with_worker(args: argparse.Namespace, systems: list[System]) -> bool:
    random.shuffle(systems)
    probe_systems, load_systems = systems[: len(systems) // 2], systems[len(systems) // 2 :]
    env = environment(args)
    port = free_port()
    worker = [
        sys.executable, "-m", "celery", "-A", "worker.app:celery_app", "worker",
        f"--concurrency={args.celery_workers}", "--pool=prefork", "--loglevel=WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    fig = Figures()
    samples: list[int] = []
    with process(uvicorn("api.main:app", port, args.api_workers), env, "api"):
        await wait_http(port, "/api/v1/report-categories")
        with process(worker, env, "worker"):
            await load(port, load_systems, Figures(), concurrency=args.concurrency, total=1000)
            before = scalar(args.database_url, "SELECT count(*) FROM report")
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_queue(args.database_url, stop, samples))
            probing = asyncio.create_task(probes(port, probe_systems, stop, fig))
            elapsed = await load(
                port,
                load_systems,
                fig,
                concurrency=args.concurrency,
                seconds=args.duration,
                rate=args.rate,
            )
            stop.set()
            probe_accepted = await probing
            await sampler
            rows = scalar(args.database_url, "SELECT count(*) FROM report") - before
    rate = fig.accepted / elapsed
    visible_p95 = percentile(fig.visible_after, 0.95)
    half = len(samples) // 2
    growing = bool(samples) and min(samples[half:] or [0]) > max(samples[: max(half, 1)]) + rate
    ok = rate >= TARGET_ACCEPTED_PER_S and visible_p95 < TARGET_VISIBLE_P95_S and not growing
    lost = rows - fig.accepted - probe_accepted
    print(
        f"\nintake with the worker validating: {args.duration:g} s paced at {args.rate:g}/s, "
        f"concurrency {args.concurrency}, uvicorn workers {args.api_workers}, celery processes "
        f"{args.celery_workers}, load average {load_average()}"
    )
    p50, p99 = (percentile(fig.latencies, q) * 1000 for q in (0.5, 0.99))
    print(f"accepted reports/s      {rate:8.0f}   (target >= {TARGET_ACCEPTED_PER_S})")
    print(f"latency p50 / p99       {p50:8.1f} / {p99:.1f} ms")
    print(f"errors                  {fig.errors or 0}")
    print(f"queue (received) every 5 s: {samples} -> {'GROWING' if growing else 'not growing'}")
    print(
        f"accept->visible p50/p95 {percentile(fig.visible_after, 0.5):8.2f} / {visible_p95:.2f} s"
        f" over {len(fig.visible_after)} probes, {fig.probes_not_visible} never visible "
        f"(target p95 < {TARGET_VISIBLE_P95_S} s)"
    )
    print(f"lost (rows - accepted)  {lost:8d}   (target 0)")
    print("PASS" if ok and lost == 0 else "FAIL")
    return ok and lost == 0


async def run_drain(args: argparse.Namespace, systems: list[System]) -> None:
    """Validation alone: a backlog built with no worker running, then one Celery process
    (validation and its inline aggregation) drains it; reports/s from validated_at."""
    env = environment(args)
    port = free_port()
    last = scalar(args.database_url, "SELECT coalesce(max(id), 0) FROM report")
    with process(uvicorn("api.main:app", port, args.api_workers), env, "api-backlog"):
        await wait_http(port, "/api/v1/report-categories")
        await load(port, systems, Figures(), concurrency=args.concurrency, total=args.backlog)
    worker = [sys.executable, "-m", "celery", "-A", "worker.app:celery_app", "worker",
              "--concurrency=1", "--pool=prefork", "--loglevel=WARNING", "--without-gossip",
              "--without-mingle", "--without-heartbeat"]  # fmt: skip
    waiting = f"SELECT count(*) FROM report WHERE status = 'received' AND id > {last}"
    with process(worker, env, "worker-alone"):
        # the API's outbox sent the ids while no worker ran: they wait in Redis
        deadline = time.monotonic() + 600
        while scalar(args.database_url, waiting) and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
    done = scalar(args.database_url, f"SELECT count(*) FROM report WHERE id > {last} "
                  "AND validated_at IS NOT NULL")  # fmt: skip
    span = create_engine(args.database_url)
    with span.connect() as conn:
        seconds = conn.execute(
            text(
                "SELECT extract(epoch FROM max(validated_at) - min(validated_at)) FROM report "
                "WHERE id > :last"
            ),
            {"last": last},
        ).scalar_one()
    span.dispose()
    rate = done / float(seconds) if seconds else float("nan")
    print(f"\nvalidation alone: {done} queued reports drained by one worker process at "
          f"{rate:.0f} reports/s (load average {load_average()})")  # fmt: skip


async def run(args: argparse.Namespace) -> bool:
    systems = prepare_database(args.database_url)
    redis.Redis.from_url(args.redis_url).flushdb()
    ok = True
    if args.mode in ("alone", "all"):
        ok &= await run_alone(args, systems)
    if args.mode in ("worker", "all"):
        prepare_database(args.database_url)
        redis.Redis.from_url(args.redis_url).flushdb()
        ok &= await run_with_worker(args, systems)
    if args.mode in ("drain", "all"):
        await run_drain(args, systems)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("alone", "worker", "drain", "all"), default="all")
    parser.add_argument("--backlog", type=int, default=5000, help="drain: reports queued first")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="alone: rounds of each side")
    parser.add_argument("--seconds", type=float, default=10.0, help="alone: seconds per round")
    parser.add_argument("--duration", type=float, default=60.0, help="worker: seconds of load")
    parser.add_argument("--rate", type=float, default=1100.0, help="worker: reports/s offered")
    parser.add_argument("--api-workers", type=int, default=2)
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--pool", type=int, default=8, help="DB pool per process")
    parser.add_argument(
        "--database-url", default=os.environ.get("YAKU_BENCH_DATABASE_URL", DEFAULT_DB)
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("YAKU_BENCH_REDIS_URL", DEFAULT_REDIS)
    )
    args = parser.parse_args()
    assert make_url(args.database_url).database != "yaku", "use a benchmark database"
    return 0 if asyncio.run(run(args)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
