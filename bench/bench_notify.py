"""Notifications sent per second through the delivery ledger, beside the SMTP server's own rate.

One local SMTP server (aiosmtpd, counting what it accepts) serves both sides in the same run:

* floor: raw ``smtplib`` sends of the same messages to it, one connection per message as the
  SMTP channel does (and, for reference, all of them over one connection);
* ledger, in one process: for each committed ``notify_delivery`` row, one transaction that
  claims it ``FOR UPDATE SKIP LOCKED``, sends it through ``SmtpChannel`` and records it sent
  (exactly the body of the ``notify.deliver`` task);
* ledger through Celery: the rows queued with ``queue_message`` and their ``notify.deliver``
  tasks sent after commit to a real worker (prefork, ``--concurrency`` processes) on Redis;
  timed from the commit until every row is ``sent``.

The figure is the ratio ledger / floor (target: >= 0.5 in one process; the Celery path adds a
broker round trip and a task per message). Every round starts with no benchmark rows.

    .venv/bin/python -m bench.bench_notify [--messages 1000] [--rounds 3] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

TARGET_IN_PROCESS = 0.5
REPO = Path(__file__).resolve().parent.parent


class Counter:
    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted += 1
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raw_rate(port: int, count: int, per_connection: bool) -> float:
    def message(i: int) -> EmailMessage:
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = (
            "Yaku <no-reply@yaku.test>",
            f"b{i % 50}@example.org",
            "Aviso",
        )
        m.set_content("Reporte urgente ABCD1234: sospecha de contaminación.\nResponda: http://x/y")
        return m

    started = time.perf_counter()
    if per_connection:
        for i in range(count):
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.ehlo()
                client.send_message(message(i))
    else:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            for i in range(count):
                client.send_message(message(i))
    return count / (time.perf_counter() - started)


def queue_rows(url: str, count: int, tag: str) -> list[int]:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from geodata.notify.outbox import queue_message

    engine = create_engine(url)
    with Session(engine) as session:
        ids = [
            queue_message(
                session,
                event_key=f"bench:{tag}:{i}",
                recipient=f"b{i % 50}@example.org",
                channel="email",
                subject="Aviso",
                text="Reporte urgente ABCD1234: sospecha de contaminación.\nResponda: http://x/y",
            ).id
            for i in range(count)
        ]
        session.commit()  # the after-commit hook sends the tasks (Celery mode) or logs them
    engine.dispose()
    return ids


def clean(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM notify_delivery WHERE event_key LIKE 'bench:%'"))
    engine.dispose()


def sent_count(url: str, tag: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(
            text(
                "SELECT count(*) FROM notify_delivery WHERE event_key LIKE :k AND status = 'sent'"
            ),
            {"k": f"bench:{tag}:%"},
        ).scalar_one()
    engine.dispose()
    return int(value)


def ledger_in_process(url: str, count: int, tag: str) -> float:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from geodata.notify import ledger

    ids = queue_rows(url, count, tag)
    engine = create_engine(url)
    started = time.perf_counter()
    for row_id in ids:
        with Session(engine) as session:
            outcome = ledger.attempt(session, row_id)
            session.commit()
        assert outcome.outcome is ledger.Outcome.SENT, outcome
    elapsed = time.perf_counter() - started
    engine.dispose()
    return count / elapsed


def start_worker(env: dict[str, str], concurrency: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "worker.app:celery_app", "worker",
            "--pool=prefork", f"--concurrency={concurrency}", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--loglevel=ERROR", "-Q", "celery",
            "--hostname=yaku-bench-notify@%h",
        ],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    from celery import Celery

    client = Celery("bench", broker=env["YAKU_REDIS_URL"], backend=env["YAKU_REDIS_URL"])
    assert client.send_task("system.ping").get(timeout=60) == "pong", "worker did not start"
    return process


def ledger_celery(url: str, count: int, tag: str, redis_url: str) -> float:
    from celery import Celery

    from geodata import jobs

    client = Celery("bench", broker=redis_url)

    def send(committed: Any) -> None:
        for job in committed:
            client.send_task(job.name, args=list(job.args), ignore_result=True)

    previous = jobs.set_dispatcher(send)
    try:
        started = time.perf_counter()
        queue_rows(url, count, tag)
        committed = time.perf_counter()
        while sent_count(url, tag) < count:
            if time.perf_counter() - committed > 600:
                raise SystemExit("the worker did not send every message within 600 s")
            time.sleep(0.05)
        elapsed = time.perf_counter() - committed
    finally:
        jobs.set_dispatcher(previous)
    queue_time = committed - started
    print(f"    (queueing {count} rows and their tasks took {queue_time:.2f} s)")
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--database", default="yaku_bench_notify")
    parser.add_argument(
        "--redis-url", default=os.environ.get("YAKU_REDIS_URL", "redis://127.0.0.1:6379/11")
    )
    args = parser.parse_args()

    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    smtp = {
        "YAKU_SMTP_HOST": "127.0.0.1",
        "YAKU_SMTP_PORT": str(port),
        "YAKU_SMTP_STARTTLS": "false",
        "YAKU_SMTP_FROM": "Yaku <no-reply@yaku.test>",
        "YAKU_REDIS_URL": args.redis_url,
    }
    os.environ.update(smtp)
    from bench.datasets import prepare_database
    from geodata.settings import get_settings

    get_settings.cache_clear()
    url = prepare_database(args.database, 0)
    env = {**os.environ, **smtp, "YAKU_DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    clean(url)
    worker = start_worker(env, args.concurrency)
    figures: dict[str, list[float]] = {"raw": [], "raw1": [], "ledger": [], "celery": []}
    try:
        for round_no in range(1, args.rounds + 1):
            n = args.messages
            figures["raw"].append(raw_rate(port, n, per_connection=True))
            figures["raw1"].append(raw_rate(port, n, per_connection=False))
            figures["ledger"].append(ledger_in_process(url, n, f"p{round_no}"))
            clean(url)
            figures["celery"].append(ledger_celery(url, n, f"c{round_no}", args.redis_url))
            clean(url)
            print(
                f"round {round_no}: smtplib {figures['raw'][-1]:.0f}/s "
                f"(one connection: {figures['raw1'][-1]:.0f}/s), ledger in one process "
                f"{figures['ledger'][-1]:.0f}/s, ledger via Celery ({args.concurrency} "
                f"processes) {figures['celery'][-1]:.0f}/s"
            )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        controller.stop()
        clean(url)
    raw = statistics.median(figures["raw"])
    ledger_rate = statistics.median(figures["ledger"])
    celery_rate = statistics.median(figures["celery"])
    print(
        f"\n{args.messages} messages x {args.rounds} rounds (medians); "
        f"the SMTP server accepted {counter.accepted}"
    )
    print(f"SMTP server's own rate (raw smtplib, a connection per message): {raw:.0f} msg/s")
    print(f"  same, one connection for all: {statistics.median(figures['raw1']):.0f} msg/s")
    met = "met" if ledger_rate / raw >= TARGET_IN_PROCESS else "NOT met"
    print(
        f"through the ledger, one process: {ledger_rate:.0f} msg/s, ratio {ledger_rate / raw:.2f} "
        f"(target >= {TARGET_IN_PROCESS}: {met})"
    )
    print(
        f"through the ledger via Celery ({args.concurrency} worker processes): "
        f"{celery_rate:.0f} msg/s, ratio {celery_rate / raw:.2f}"
    )
    print(f"load average: {os.getloadavg()[0]:.1f} (2 shared cores)")


if __name__ == "__main__":
    main()
