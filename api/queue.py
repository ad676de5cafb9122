"""Talk to the Celery workers by task name only: the API never imports worker task modules."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from celery import Celery

from geodata.settings import get_settings


@lru_cache
def client() -> Celery:
    settings = get_settings()
    app = Celery("yaku-api", broker=str(settings.redis_url), backend=str(settings.redis_url))
    app.conf.broker_connection_retry_on_startup = False
    app.conf.broker_transport_options = {"socket_timeout": 1, "socket_connect_timeout": 1}
    app.conf.broker_connection_timeout = 1
    app.conf.broker_connection_max_retries = 0
    return app


def send(task_name: str, *args: Any) -> None:
    """Enqueue; raises on broker failure (callers decide whether that is fatal)."""
    client().send_task(task_name, args=list(args))


def workers_answering(timeout: float = 1.0) -> list[str]:
    replies = client().control.ping(timeout=timeout) or []
    return sorted(name for reply in replies for name in reply)
