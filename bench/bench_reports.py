"""Citizen-report intake and validation under concurrent load; prints figures, not a test.

    .venv/bin/python -m bench.bench_reports [--requests 20000] [--concurrency 64]

Uses its own database (``yaku_bench_reports``, migrated and seeded once) and Redis database
(12), starts uvicorn (2 workers) and a Celery worker as subprocesses, and measures:

* accepted reports per second and p50/p99 latency of ``POST /api/v1/reports`` under load,
  with lost = rows in the database minus accepted responses (must be 0);
* acceptance -> status visible on the map (``GET /api/v1/systems/{code}`` turns red) at p95
  for probe reports sent while the load runs;
* validated reports per second per worker process, once the queue drains.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import redis
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/yaku_bench_reports"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
TARGET_ACCEPTED_PER_S = 1000
TARGET_P99_MS = 100
TARGET_VISIBLE_P95_S = 5


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    accepted: int = 0
    errors: dict[int, int] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    visible_after: list[float] = field(default_factory=list)
    probes_not_visible: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(url: str) -> list[tuple[str, float, float]]:
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


@contextmanager
def process(args: list[str], env: dict[str, str], name: str) -> Iterator[subprocess.Popen[bytes]]:
    log = open(REPO / "var" / f"bench-{name}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


async def wait_http(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _ = await one_request(port, b"GET", "/api/v1/report-categories", None)
            if status == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("uvicorn did not start")


class Connection:
    """A minimal HTTP/1.1 keep-alive client: the load generator must stay cheap on 2 cores."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: bytes, path: str, body: bytes | None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = b"%s %s HTTP/1.1\r\nHost: bench\r\n" % (method, path.encode())
        if body is not None:
            head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        self.writer.write(head + b"\r\n" + (body or b""))
        status_line = await self.reader.readline()
        if not status_line:  # the server closed the connection
            self.close()
            self.writer = None
            return 0, b""
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        return status, await self.reader.readexactly(length) if length else b""

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def one_request(port: int, method: bytes, path: str, body: bytes | None) -> tuple[int, bytes]:
    conn = Connection(port)
    try:
        return await conn.request(method, path, body)
    finally:
        conn.close()


def report_body(system: tuple[str, float, float], category: str) -> bytes:
    _, lon, lat = system
    return orjson.dumps(
        {
            "location": {
                "lon": lon + random.uniform(-0.002, 0.002),
                "lat": lat + random.uniform(-0.002, 0.002),
            },
            "category": category,
            "description": "Reporte de carga",
            "device_id": uuid.uuid4().hex,
            "idempotency_key": uuid.uuid4().hex,
        }
    )


LOAD_CATEGORIES = ("leak", "suggestion", "other", "broken_infrastructure", "intermittent_supply")


async def load(
    port: int, total: int, concurrency: int, systems: list[tuple[str, float, float]], fig: Figures
) -> float:
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()
    for _ in range(total):
        await queue.put(report_body(random.choice(systems), random.choice(LOAD_CATEGORIES)))
    for _ in range(concurrency):
        await queue.put(None)

    async def client() -> None:
        conn = Connection(port)
        try:
            while (body := await queue.get()) is not None:
                started = time.perf_counter()
                status, payload = await conn.request(b"POST", "/api/v1/reports", body)
                fig.latencies.append(time.perf_counter() - started)
                if status == 201:
                    fig.accepted += 1
                    fig.codes.append(orjson.loads(payload)["tracking_code"])
                else:
                    fig.errors[status] = fig.errors.get(status, 0) + 1
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started


async def probes(
    port: int, systems: list[tuple[str, float, float]], stop: asyncio.Event, fig: Figures
) -> None:
    """While the load runs: a 'no water' report on a fresh system, then watch its colour."""
    pending: list[asyncio.Task[None]] = []

    async def probe(system: tuple[str, float, float]) -> None:
        conn = Connection(port)
        try:
            body = report_body(system, "no_water")
            status, _ = await conn.request(b"POST", "/api/v1/reports", body)
            if status != 201:
                return
            fig.accepted += 1
            accepted_at = time.perf_counter()
            while time.perf_counter() - accepted_at < 60:
                status, raw = await conn.request(b"GET", f"/api/v1/systems/{system[0]}", None)
                if status == 200 and orjson.loads(raw).get("status") == "red":
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
        await asyncio.sleep(0.25)
    await asyncio.gather(*pending)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def count_reports(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM report GROUP BY status")).all()
    engine.dispose()
    return {status: n for status, n in rows}


def max_report_id(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT coalesce(max(id), 0) FROM report")).scalar_one()
    engine.dispose()
    return int(found)


def validation_span(url: str, after_id: int) -> tuple[int, float]:
    """Reports validated after ``after_id`` and the seconds from the first to the last."""
    engine = create_engine(url)
    with engine.connect() as conn:
        count, seconds = conn.execute(
            text(
                "SELECT count(*), extract(epoch FROM max(validated_at) - min(validated_at)) "
                "FROM report WHERE id > :after AND validated_at IS NOT NULL"
            ),
            {"after": after_id},
        ).one()
    engine.dispose()
    return int(count), float(seconds or 0.0)


def drain(url: str, timeout: float) -> tuple[int, float]:
    """Wait until no report is 'received'; validated-or-rejected count and the time it took."""
    engine = create_engine(url)
    started = time.perf_counter()
    with engine.connect() as conn:
        while time.perf_counter() - started < timeout:
            waiting = conn.execute(
                text("SELECT count(*) FROM report WHERE status = 'received'")
            ).scalar_one()
            if waiting == 0:
                break
            time.sleep(0.5)
        span = conn.execute(
            text(
                "SELECT count(*), extract(epoch FROM max(validated_at) - min(validated_at)) "
                "FROM report WHERE validated_at IS NOT NULL"
            )
        ).one()
    engine.dispose()
    return int(span[0]), float(span[1] or 0.0)


async def run(args: argparse.Namespace) -> None:
    systems = prepare_database(args.database_url)
    random.shuffle(systems)
    probe_systems, load_systems = systems[: len(systems) // 2], systems[len(systems) // 2 :]
    redis.Redis.from_url(args.redis_url).flushdb()
    (REPO / "var").mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "YAKU_DATABASE_URL": args.database_url,
            "YAKU_REDIS_URL": args.redis_url,
            "YAKU_DB_POOL_SIZE": str(args.pool),
            "YAKU_MEDIA_DIR": str(REPO / "var" / "bench-media"),
        }
    )
    port = free_port()
    api = [
        sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(args.api_workers), "--no-access-log",
        "--log-level", "warning", "--loop", "uvloop", "--http", "httptools",
    ]  # fmt: skip
    worker = [
        sys.executable, "-m", "celery", "-A", "worker.app:celery_app", "worker",
        f"--concurrency={args.celery_workers}", "--pool=prefork", "--loglevel=WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    fig = Figures()
    with process(api, env, "api"):
        await wait_http(port)
        with process(worker, env, "worker"):
            # warm-up: connections, caches, the first imports of each uvicorn worker
            await load(port, 400, args.concurrency, load_systems, Figures())
            before = sum(count_reports(args.database_url).values())
            stop = asyncio.Event()
            probe_task = asyncio.create_task(probes(port, probe_systems, stop, fig))
            elapsed = await load(port, args.requests, args.concurrency, load_systems, fig)
            stop.set()
            await probe_task
            rows = sum(count_reports(args.database_url).values()) - before
            drain(args.database_url, args.drain_timeout)
        # Validation alone: a backlog built with no worker running, then one worker process
        # (validation and aggregation) drains it.
        last_id = max_report_id(args.database_url)
        await load(port, args.backlog, args.concurrency, load_systems, Figures())
        one = [*worker[:6], "--concurrency=1", *worker[7:]]
        with process(one, env, "worker-alone"):
            drain(args.database_url, args.drain_timeout)
            validated, validation_seconds = validation_span(args.database_url, last_id)
            statuses = count_reports(args.database_url)

    load_accepted = len(fig.latencies) - sum(fig.errors.values())
    p50 = percentile(fig.latencies, 0.50) * 1000
    p99 = percentile(fig.latencies, 0.99) * 1000
    rate = load_accepted / elapsed
    visible_p95 = percentile(fig.visible_after, 0.95)
    per_worker = validated / validation_seconds if validation_seconds else float("nan")
    print()
    print(f"load: {args.requests} POST /api/v1/reports, concurrency {args.concurrency}, "
          f"uvicorn workers {args.api_workers}, celery processes {args.celery_workers}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print(f"accepted reports/s      {rate:8.0f}   (target >= {TARGET_ACCEPTED_PER_S})")
    print(f"latency p50             {p50:8.1f} ms")
    print(f"latency p99             {p99:8.1f} ms (target < {TARGET_P99_MS} ms)")
    print(f"errors                  {fig.errors or 0}")
    print(f"accepted (load+probes)  {fig.accepted:8d}")
    print(f"rows in database        {rows:8d}")
    print(f"lost (rows - accepted)  {rows - fig.accepted:8d}   (target 0)")
    visible_p50 = percentile(fig.visible_after, 0.5)
    print(f"accept->visible p50     {visible_p50:8.2f} s over {len(fig.visible_after)} probes, "
          f"{fig.probes_not_visible} never visible")  # fmt: skip
    print(f"accept->visible p95     {visible_p95:8.2f} s  (target < {TARGET_VISIBLE_P95_S} s)")
    print(f"validated reports/s     {per_worker:8.1f} per worker process "
          f"({validated} queued reports drained by one process)")  # fmt: skip
    print(f"final statuses          {statuses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--api-workers", type=int, default=2)
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--pool", type=int, default=8, help="DB pool per process")
    parser.add_argument("--backlog", type=int, default=5000, help="reports for the drain test")
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    parser.add_argument(
        "--database-url", default=os.environ.get("YAKU_BENCH_DATABASE_URL", DEFAULT_DB)
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("YAKU_BENCH_REDIS_URL", DEFAULT_REDIS)
    )
    args = parser.parse_args()
    assert make_url(args.database_url).database != "yaku", "use a benchmark database"
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
