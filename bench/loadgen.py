"""A cheap HTTP/1.1 load generator and process helpers shared by the intake benchmarks.

The generator must cost little on 2 cores (it shares them with the server it measures): one
asyncio task per keep-alive connection, no HTTP library. ``load`` runs closed-loop (each
connection sends as fast as answers come) or paced at a target rate (open-loop schedule).
"""

from __future__ import annotations

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

REPO = Path(__file__).resolve().parent.parent
System = tuple[str, float, float]
LOAD_CATEGORIES = ("leak", "suggestion", "other", "broken_infrastructure", "intermittent_supply")


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    accepted: int = 0
    errors: dict[int, int] = field(default_factory=dict)
    visible_after: list[float] = field(default_factory=list)
    probes_not_visible: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def process(
    args: list[str], env: dict[str, str], name: str, cwd: Path = REPO
) -> Iterator[subprocess.Popen[bytes]]:
    (REPO / "var").mkdir(exist_ok=True)
    log = open(REPO / "var" / f"bench-{name}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=log, start_new_session=True)
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


def uvicorn(app: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--no-access-log", "--log-level", "warning",
        "--loop", "uvloop", "--http", "httptools",
    ]  # fmt: skip


class Connection:
    """A minimal HTTP/1.1 keep-alive client."""

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
            return 0, b""
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        close = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        payload = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.writer = self.reader = None


async def one_request(port: int, method: bytes, path: str, body: bytes | None) -> tuple[int, bytes]:
    conn = Connection(port)
    try:
        return await conn.request(method, path, body)
    finally:
        conn.close()


async def wait_http(port: int, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _ = await one_request(port, b"GET", path, None)
            if status == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the server did not start")


def report_body(system: System, category: str) -> bytes:
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


async def load(
    port: int,
    systems: list[System],
    fig: Figures,
    *,
    concurrency: int,
    total: int | None = None,
    seconds: float | None = None,
    rate: float | None = None,
) -> float:
    """POST reports (``total`` of them, or for ``seconds``); with ``rate``, request i leaves no
    earlier than start + i / rate. Returns the elapsed seconds."""
    started = time.perf_counter()
    sent = 0

    def next_index() -> int | None:
        nonlocal sent
        if total is not None and sent >= total:
            return None
        if seconds is not None and time.perf_counter() - started >= seconds:
            return None
        sent += 1
        return sent - 1

    async def client() -> None:
        conn = Connection(port)
        try:
            while (index := next_index()) is not None:
                if rate:
                    delay = started + index / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                body = report_body(random.choice(systems), random.choice(LOAD_CATEGORIES))
                begin = time.perf_counter()
                status, _ = await conn.request(b"POST", "/api/v1/reports", body)
                fig.latencies.append(time.perf_counter() - begin)
                if status in (200, 201):
                    fig.accepted += 1
                else:
                    fig.errors[status] = fig.errors.get(status, 0) + 1
        finally:
            conn.close()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
