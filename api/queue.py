"""Talk to the Celery workers by task name only: the API never imports worker task modules.

Jobs buffered during a request (``geodata.jobs``) are handed, once the transaction has
committed, to an in-process outbox that sends them from a background thread with a publisher
that fails fast: a request never waits on Redis. A job whose send failed is recovered from the
database by its sweep (reports still ``received``: ``reports.sweep``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from functools import lru_cache

from celery import Celery

from geodata import jobs
from geodata.settings import get_settings

log = logging.getLogger(__name__)


@lru_cache
def client() -> Celery:
    """For control commands (ping) while Redis is known to be up."""
    settings = get_settings()
    return Celery("yaku-api", broker=str(settings.redis_url), backend=str(settings.redis_url))


def workers_answering(timeout: float = 1.0) -> list[str]:
    replies = client().control.ping(timeout=timeout) or []
    return sorted(name for reply in replies for name in reply)


# --- send after commit, failing fast -----------------------------------------------------------


def fail_fast_publisher(redis_url: str) -> Celery:
    """A publisher that gives up at once: no reconnect loop, short socket timeouts."""
    app = Celery("yaku-api-publisher", broker=redis_url)
    app.conf.broker_connection_retry_on_startup = False
    app.conf.task_routes = (jobs.route,)  # the workers' queues (geodata.jobs.ROUTES)
    app.conf.broker_connection_timeout = 0.1
    app.conf.broker_transport_options = {
        "max_retries": 0,
        "socket_connect_timeout": 0.1,
        "socket_timeout": 0.25,
        "retry_on_timeout": False,
    }
    return app


@lru_cache
def _broker() -> Celery:
    return fail_fast_publisher(str(get_settings().redis_url))


class _Breaker:
    """After a failed send, skip sends for a moment: the sweeps will pick that work up."""

    def __init__(self, pause_seconds: float = 2.0) -> None:
        self.pause_seconds = pause_seconds
        self._open_until = 0.0

    def allow(self) -> bool:
        return time.monotonic() >= self._open_until

    def trip(self) -> None:
        self._open_until = time.monotonic() + self.pause_seconds


class Outbox:
    """Committed jobs, sent to the workers by a background thread in merged batches.

    A burst of intakes becomes one ``reports.validate_batch`` message per ``linger_seconds``
    (0.1 s: a Celery publish costs the API process a few ms of CPU, so under load ten batched
    messages a second beat many small ones; it adds 0.05 s on average to accept-to-visible).
    Jobs still here when a process dies, or whose send failed, are recovered by the sweeps.
    """

    def __init__(self, max_batch: int = 200, linger_seconds: float = 0.1) -> None:
        self.max_batch = max_batch
        self.linger_seconds = linger_seconds
        self.breaker = _Breaker()
        self._jobs: list[jobs.Job] = []
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, new: Sequence[jobs.Job]) -> None:
        with self._ready:
            self._jobs.extend(new)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="yaku-outbox", daemon=True)
                self._thread.start()
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._jobs:
                    self._ready.wait()
            time.sleep(self.linger_seconds)  # let a burst gather into one message
            with self._ready:
                taken, self._jobs = self._jobs, []
            for job in jobs.coalesce(taken, self.max_batch):
                self.send(job)

    def send(self, job: jobs.Job) -> bool:
        if not self.breaker.allow():
            return False
        try:
            _broker().send_task(job.name, args=list(job.args), retry=False, ignore_result=True)
        except Exception as exc:  # any broker failure: the sweeps recover this work
            self.breaker.trip()
            log.warning("%s not sent (%s); its sweep will recover it", job.name, exc)
            return False
        return True


_outbox = Outbox()


def install() -> None:
    """Make this process's committed jobs travel through the outbox (called by create_app)."""
    jobs.set_dispatcher(_outbox.add)


def enqueue_validation(report_id: int) -> None:
    """Hand a report committed outside any session (the autocommit intake) to validation."""
    jobs.dispatch([jobs.Job(jobs.VALIDATE_REPORTS, ([report_id],))])
