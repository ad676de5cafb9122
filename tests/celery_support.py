"""A real Celery worker in a subprocess, on the test database and the test Redis database.

Data the worker must see has to be committed (the rolled-back ``session`` fixture is invisible
to other processes); tests using it clean up what they create.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis
from celery import Celery

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "YAKU_DATABASE_URL": TEST_DATABASE_URL,
            "YAKU_REDIS_URL": TEST_REDIS_URL,
            "YAKU_SWEEP_AFTER_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def celery_client() -> Celery:
    app = Celery("yaku-tests", broker=TEST_REDIS_URL, backend=TEST_REDIS_URL)
    app.conf.broker_connection_retry_on_startup = False
    return app


def flush_redis() -> None:
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()


class Worker:
    """One ``celery worker`` process (solo pool: the task runs in the process we can kill)."""

    def __init__(
        self,
        name: str,
        env: dict[str, str] | None = None,
        queues: str | None = None,
        log_path: str | None = None,
    ) -> None:
        self.name = name
        self.env = env or {}
        self.queues = queues  # "validation,aggregation": only these (default: every queue)
        self.log_path = log_path  # INFO log (each task received/succeeded) instead of nothing
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def start(self, timeout: float = 90.0) -> Worker:
        log: Any = subprocess.DEVNULL
        if self.log_path:
            log = self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "worker.app:celery_app",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--loglevel={'INFO' if self.log_path else 'WARNING'}",
                f"--hostname={self.name}@%h",
                *([f"--queues={self.queues}"] if self.queues else []),
            ],
            cwd=REPO,
            env=worker_env(**self.env),
            stdout=log,
            stderr=log,
        )
        # The ping travels on a queue this worker consumes.
        queue = self.queues.split(",")[0] if self.queues else "celery"
        result = celery_client().send_task("system.ping", queue=queue)
        assert result.get(timeout=timeout) == "pong", "worker did not start"
        return self

    def kill(self) -> None:
        """SIGKILL: no cleanup, no ack, an open transaction dropped mid-way."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not None:
            self._log.close()


@contextmanager
def running_worker(name: str = "yaku-test") -> Iterator[Worker]:
    worker = Worker(name).start()
    try:
        yield worker
    finally:
        worker.stop()


def wait_for(check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Poll until ``check()`` is truthy; return its value or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
