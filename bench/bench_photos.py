"""Memory and time of eight concurrent 40-megapixel PNGs (a few KB each) sent to the intake.

    .venv/bin/python -m bench.bench_photos [--repo DIR] [--count 8] [--megapixels 40]

Starts one uvicorn process (``api.main:app`` of ``--repo``, default this checkout; pass an
exported older commit to measure "before") on the benchmark database, sends the photos at once
as multipart reports, and prints the answers, the wall time, and the API process's resident
memory before and at its peak (``VmHWM`` from /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

import httpx

from bench.bench_reports import DEFAULT_DB, DEFAULT_REDIS, prepare_database
from bench.loadgen import REPO, free_port, process, wait_http


def bomb_png(width: int, height: int) -> bytes:
    """A valid grey PNG whose pixels are one long zlib stream of zeros: tiny on the wire."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    packer = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


async def send_all(port: int, photo: bytes, count: int) -> list[tuple[int, str]]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        fields = {"category": "leak", "lon": "-78.74", "lat": "-8.0"}
        answers = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/reports",
                    data={**fields, "device_id": f"photo-bench-{i}"},
                    files={"photo": (f"bomb{i}.png", photo, "image/png")},
                )
                for i in range(count)
            )
        )
    return [(a.status_code, a.text[:120]) for a in answers]


async def run(args: argparse.Namespace) -> None:
    prepare_database(args.database_url)
    side = int((args.megapixels * 1e6) ** 0.5)
    photo = bomb_png(side, side)
    repo = Path(args.repo).resolve()
    env = {
        **os.environ,
        "YAKU_DATABASE_URL": args.database_url,
        "YAKU_REDIS_URL": args.redis_url,
        "YAKU_MEDIA_DIR": tempfile.mkdtemp(prefix="yaku-bench-media-"),
        "PYTHONPATH": str(repo),
    }
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning"]  # fmt: skip
    with process(command, env, "photos", cwd=repo) as server:
        await wait_http(port, "/api/v1/report-categories")
        before = memory_kb(server.pid, "VmRSS")
        started = time.perf_counter()
        answers = await send_all(port, photo, args.count)
        elapsed = time.perf_counter() - started
        peak = memory_kb(server.pid, "VmHWM")
    statuses = sorted({status for status, _ in answers})
    print(f"code: {repo}")
    print(f"{args.count} concurrent PNGs of {side}x{side} = {side * side / 1e6:.0f} MP, "
          f"{len(photo) / 1024:.1f} KB each")  # fmt: skip
    print(f"answers: {statuses}  e.g. {answers[0][1]}")
    print(f"wall time: {elapsed:.2f} s")
    print(f"API resident memory: {before / 1024:.0f} MB before, peak {peak / 1024:.0f} MB "
          f"(+{(peak - before) / 1024:.0f} MB)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=str(REPO))
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--megapixels", type=float, default=40.0)
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
