"""Inbound webhooks per second: signed WhatsApp messages, each a new report, through a real
uvicorn on a real database; then the same messages replayed (the gateway's retries, answered
as duplicates); printed beside the web intake (``POST /api/v1/reports``) of the same number of
reports with the same concurrency, on the same machine and run. No target in the issue: the
figure says how many messages a second one API process takes, and how cheap a retry is.

Usage: .venv/bin/python -m bench.bench_inbound [--messages 600] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import orjson
from sqlalchemy import create_engine, delete, select
from sqlalchemy.orm import Session

from bench.bench_map import REPO, free_port, wait_http
from bench.datasets import prepare_database
from geodata.models import InboundMessage, Report, WaterSystem

SECRET = "bench-app-secret"
PREFIX = "+519870"  # bench senders: +519870xxxxx


def envelope(sender: str, text: str, message_id: str) -> bytes:
    message = {"from": sender.lstrip("+"), "id": message_id, "timestamp": "1764583200",
               "type": "text", "text": {"body": text}}  # fmt: skip
    value = {"messaging_product": "whatsapp", "messages": [message]}
    change = {"value": value, "field": "messages"}
    entry = {"id": "1", "changes": [change]}
    return orjson.dumps({"object": "whatsapp_business_account", "entry": [entry]})


def run(
    count: int, concurrency: int, send: Callable[[int], httpx.Response]
) -> tuple[float, float, list[int]]:
    latencies: list[float] = []
    statuses: list[int] = []

    def one(i: int) -> None:
        started = time.perf_counter()
        statuses.append(send(i).status_code)
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    elapsed = time.perf_counter() - started
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    return count / elapsed, p95, statuses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    url = prepare_database("yaku_bench_inbound", 0)
    engine = create_engine(url)
    with Session(engine) as s:
        codes = list(s.scalars(select(WaterSystem.code).order_by(WaterSystem.id).limit(200)))
    port = free_port()
    env = {
        **os.environ,
        "YAKU_DATABASE_URL": url,
        "YAKU_REDIS_URL": os.environ.get("YAKU_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        "YAKU_WHATSAPP_APP_SECRET": SECRET,
        "YAKU_INTAKE_ADDRESS_LIMITS": "1000000/minute",
        "YAKU_REPORTER_RATE_LIMIT_PER_HOUR": "1000000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port), "--no-access-log",
         "--log-level", "warning"],
        cwd=REPO, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/health")
        client = httpx.Client(base_url=base, timeout=30)
        run_id = uuid.uuid4().hex[:8]
        bodies = [
            envelope(
                f"{PREFIX}{i:05d}", f"AGUA {codes[i % len(codes)]} NOHAY", f"wamid.{run_id}.{i}"
            )
            for i in range(args.messages)
        ]

        def webhook(i: int) -> httpx.Response:
            body = bodies[i]
            signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            return client.post("/api/v1/inbound/whatsapp", content=body, headers={
                "Content-Type": "application/json", "X-Hub-Signature-256": signature})  # fmt: skip

        def intake(i: int) -> httpx.Response:
            return client.post("/api/v1/reports", json={
                "location": {"code": codes[i % len(codes)]}, "category": "no_water",
                "device_id": f"bench-{run_id}-{i}"})  # fmt: skip

        new_rate, new_p95, new_statuses = run(args.messages, args.concurrency, webhook)
        dup_rate, dup_p95, dup_statuses = run(args.messages, args.concurrency, webhook)
        web_rate, web_p95, web_statuses = run(args.messages, args.concurrency, intake)
        assert set(new_statuses) == {200} and set(dup_statuses) == {200}, "webhook refused"
        assert set(web_statuses) <= {200, 201}, set(web_statuses)
        with Session(engine) as s:
            made = s.scalars(select(Report.id).where(Report.reporter_contact.like(f"{PREFIX}%")))
            reports = len(list(made))
        print(f"messages: {args.messages}, concurrency {args.concurrency}, one API process")
        print(f"WhatsApp webhook, new messages:  {new_rate:7.1f} msg/s  p95 {new_p95:6.1f} ms")
        print(f"WhatsApp webhook, replays:       {dup_rate:7.1f} msg/s  p95 {dup_p95:6.1f} ms")
        print(f"web intake (POST /api/v1/reports): {web_rate:5.1f} rep/s  p95 {web_p95:6.1f} ms")
        print(f"webhook / web intake: {new_rate / web_rate:.2f}; reports made: {reports} "
              f"(expected {args.messages}: one per message, none from the replays)")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
        with Session(engine) as s:  # the bench's own database: leave it as prepared
            s.execute(delete(InboundMessage))
            s.execute(delete(Report))
            s.commit()
        engine.dispose()


if __name__ == "__main__":
    main()
