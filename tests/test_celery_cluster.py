"""Celery across hosts: each kind of work on its own queue, consumed by workers started for
that queue alone; and one beat per cluster (RedBeat's lock in Redis), however many are started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
import redis

from api.queue import fail_fast_publisher
from geodata import jobs
from tests.celery_support import REPO, Worker, flush_redis, wait_for, worker_env
from tests.conftest import TEST_REDIS_URL

pytestmark = pytest.mark.celery

# One task of each kind, harmless with these arguments, and the queue it must travel on.
SAMPLES = {
    jobs.VALIDATION_QUEUE: (jobs.SWEEP_REPORTS, []),
    jobs.AGGREGATION_QUEUE: (jobs.AGGREGATE_REPORTS, [[]]),
    jobs.PUBLISHING_QUEUE: (jobs.PUBLISH_DOWNLOADS, []),
    jobs.NOTIFICATIONS_QUEUE: (jobs.MARK_OVERDUE, []),
}


def test_every_task_has_its_queue_and_both_senders_route_alike() -> None:
    from worker.app import celery_app

    celery_app.loader.import_default_modules()
    names = sorted(n for n in celery_app.tasks if not n.startswith("celery."))
    assert jobs.VALIDATE_REPORTS in names and jobs.PUBLISH_DOWNLOADS in names
    publisher = fail_fast_publisher(TEST_REDIS_URL)
    declared = {q.name for q in celery_app.conf.task_queues}
    for name in names:
        worker_side = celery_app.amqp.router.route({}, name)["queue"].name
        api_side = publisher.amqp.router.route({}, name)["queue"].name
        assert worker_side == api_side == jobs.queue_for(name), name
        assert worker_side in declared, name
    assert jobs.queue_for(jobs.VALIDATE_REPORTS) == "validation"
    assert jobs.queue_for(jobs.AGGREGATE_SYSTEMS) == "aggregation"
    assert jobs.queue_for(jobs.PUBLISH_DOWNLOADS) == "publishing"
    assert jobs.queue_for(jobs.MARK_OVERDUE) == "notifications"
    assert jobs.queue_for("system.ping") == "celery"


def test_each_task_lands_on_the_worker_of_its_queue(tmp_path: Path) -> None:
    flush_redis()
    workers = {
        queue: Worker(f"only-{queue}", queues=queue, log_path=str(tmp_path / f"{queue}.log"))
        for queue in SAMPLES
    }
    try:
        for worker in workers.values():
            worker.start(timeout=60)
        publisher = fail_fast_publisher(TEST_REDIS_URL)
        for name, args in SAMPLES.values():
            publisher.send_task(name, args=args)

        def done(queue: str) -> bool:
            return f"Task {SAMPLES[queue][0]}[" in (tmp_path / f"{queue}.log").read_text() and (
                "succeeded" in (tmp_path / f"{queue}.log").read_text()
            )

        for queue in SAMPLES:
            wait_for(lambda q=queue: done(q), timeout=90, interval=0.5)
    finally:
        for worker in workers.values():
            worker.stop()
    for queue, worker_log in ((q, (tmp_path / f"{q}.log").read_text()) for q in SAMPLES):
        for other, (name, _) in SAMPLES.items():
            ran = f"Task {name}[" in worker_log
            assert ran == (other == queue), f"{name} on the {queue} worker: {ran}"


# --- beat -------------------------------------------------------------------------------------


@contextmanager
def beat(name: str, tmp_path: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    log = (tmp_path / f"{name}.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "celery", "-A", "worker.app:celery_app", "beat", "--loglevel=INFO"),
            f"--pidfile={tmp_path / f'{name}.pid'}",
            f"--schedule={tmp_path / f'{name}.schedule'}",
        ],
        cwd=REPO,
        env=worker_env(**env),
        stdout=log,
        stderr=log,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def sweeps_sent() -> int:
    """``reports.sweep`` messages waiting on the validation queue (no worker consumes it)."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        count = 0
        for raw in client.lrange(jobs.VALIDATION_QUEUE, 0, -1):
            message = orjson.loads(raw)
            if message["headers"]["task"] == jobs.SWEEP_REPORTS:
                count += 1
        return count
    finally:
        client.close()


def test_two_beats_schedule_once_and_the_second_takes_over(tmp_path: Path) -> None:
    flush_redis()
    env = {"YAKU_SWEEP_EVERY_SECONDS": "1", "YAKU_BEAT_LOCK_SECONDS": "3"}
    window = 10.0
    with beat("first", tmp_path, env) as first:
        wait_for(lambda: sweeps_sent() > 0, timeout=30, interval=0.2)
        with beat("second", tmp_path, env) as second:
            time.sleep(2)  # the second is up and asking for the lock
            start = sweeps_sent()
            time.sleep(window)
            during = sweeps_sent() - start
            print(f"two beats, {window:.0f} s at 1 s: {during} sweeps sent")
            # one beat: about one a second; two that both scheduled: about two a second
            assert window - 4 <= during <= window + 2, during
            assert second.poll() is None
            os.kill(first.pid, signal.SIGKILL)  # the lock holder dies without releasing
            first.wait(timeout=10)
            before = sweeps_sent()
            wait_for(lambda: sweeps_sent() >= before + 3, timeout=30, interval=0.5)
