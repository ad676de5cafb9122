"""Talk to the Celery workers by task name only: the API never imports worker task modules.

Validation is enqueued after commit through an in-process outbox that batches ids and sends
them from a background thread with a publisher that fails fast: a request never waits on Redis,
and reports whose send failed stay ``received`` for the periodic sweep (``reports.sweep``).
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache

from celery import Celery

from geodata.settings import get_settings

log = logging.getLogger(__name__)
VALIDATE_BATCH_TASK = "reports.validate_batch"


@lru_cache
def client() -> Celery:
    """For control commands (ping) while Redis is known to be up."""
    settings = get_settings()
    return Celery("yaku-api", broker=str(settings.redis_url), backend=str(settings.redis_url))


def workers_answering(timeout: float = 1.0) -> list[str]:
    replies = client().control.ping(timeout=timeout) or []
    return sorted(name for reply in replies for name in reply)


# --- enqueue after commit, failing fast --------------------------------------------------------


@lru_cache
def _broker() -> Celery:
    """A publisher that gives up at once: no reconnect loop, short socket timeouts."""
    app = Celery("yaku-intake", broker=str(get_settings().redis_url))
    app.conf.broker_connection_retry_on_startup = False
    app.conf.broker_connection_timeout = 0.1
    app.conf.broker_transport_options = {
        "max_retries": 0,
        "socket_connect_timeout": 0.1,
        "socket_timeout": 0.25,
        "retry_on_timeout": False,
    }
    return app


class _Breaker:
    """After a failed send, skip sends for a moment: the sweep will pick those reports up."""

    def __init__(self, pause_seconds: float = 2.0) -> None:
        self.pause_seconds = pause_seconds
        self._open_until = 0.0

    def allow(self) -> bool:
        return time.monotonic() >= self._open_until

    def trip(self) -> None:
        self._open_until = time.monotonic() + self.pause_seconds


class ValidationOutbox:
    """Committed report ids, sent to the workers in small batches by a background thread.

    The request never waits on Redis. Ids still here when a process dies, or whose send failed,
    stay ``received`` in the database and are re-enqueued by the periodic sweep.
    """

    def __init__(self, max_batch: int = 200, linger_seconds: float = 0.05) -> None:
        self.max_batch = max_batch
        self.linger_seconds = linger_seconds
        self.breaker = _Breaker()
        self._ids: list[int] = []
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, report_id: int) -> None:
        with self._ready:
            self._ids.append(report_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="yaku-outbox", daemon=True)
                self._thread.start()
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._ids:
                    self._ready.wait()
            time.sleep(self.linger_seconds)  # let a burst gather into one message
            with self._ready:
                batch, self._ids = self._ids[: self.max_batch], self._ids[self.max_batch :]
            self.send(batch)

    def send(self, batch: list[int]) -> bool:
        if not batch or not self.breaker.allow():
            return False
        try:
            _broker().send_task(VALIDATE_BATCH_TASK, args=[batch], retry=False, ignore_result=True)
        except Exception as exc:  # any broker failure: the sweep re-enqueues these reports
            self.breaker.trip()
            log.warning("%d reports not enqueued (%s); the sweep will", len(batch), exc)
            return False
        return True


_outbox = ValidationOutbox()


def enqueue_validation(report_id: int) -> None:
    """Hand a committed report to validation (asynchronously; never raises)."""
    _outbox.add(report_id)
