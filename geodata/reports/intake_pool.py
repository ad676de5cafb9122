"""The intake's own async connection pool (autocommit: one round trip stores a report)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.engine import make_url

from geodata.reports.intake import Accepted, NewReport, submit_report_async
from geodata.settings import get_settings

log = logging.getLogger(__name__)
# A request waits at most this long for a connection; then it is told 503 (Retry-After) instead
# of hanging while the database is unreachable.
CHECKOUT_TIMEOUT_S = 3.0


def libpq_url(sqlalchemy_url: str) -> str:
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(False)


class IntakePool:
    """One pool per process and event loop, opened on first use.

    Connections are not pinged on checkout (that would double the round trips of the hot
    path). A connection found broken (the server restarted) is discarded by the pool when it
    comes back, and the first such failure makes the pool check all its idle connections at
    once, so a restart costs each process a few 503s, not a stream of errors."""

    def __init__(self, url: str | None = None, max_size: int | None = None) -> None:
        settings = get_settings()
        self.url = libpq_url(url or settings.sqlalchemy_url)
        self.max_size = max_size or max(4, settings.db_pool_size)
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opening: dict[int, asyncio.Lock] = {}
        self._checks: set[asyncio.Task[None]] = set()

    async def pool(self) -> AsyncConnectionPool[AsyncConnection[Any]]:
        loop = asyncio.get_running_loop()
        if self._pool is None or self._loop is not loop:
            async with self._opening.setdefault(id(loop), asyncio.Lock()):
                if self._pool is None or self._loop is not loop:
                    pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
                        self.url,
                        min_size=2,
                        max_size=self.max_size,
                        kwargs={
                            "autocommit": True,
                            "prepare_threshold": get_settings().db_prepare_threshold,
                        },
                        timeout=CHECKOUT_TIMEOUT_S,
                        open=False,
                    )
                    await pool.open()
                    self._pool, self._loop = pool, loop
        assert self._pool is not None
        return self._pool

    async def submit(self, report: NewReport) -> Accepted:
        pool = await self.pool()
        try:
            async with pool.connection() as connection:
                return await submit_report_async(connection, report)
        except psycopg.OperationalError:
            self._check_soon(pool)
            raise

    def _check_soon(self, pool: AsyncConnectionPool[AsyncConnection[Any]]) -> None:
        async def check() -> None:
            try:
                await pool.check()
            except Exception:  # the database may still be down: the next failure retries
                log.debug("intake pool check failed", exc_info=True)

        task = asyncio.get_running_loop().create_task(check())
        self._checks.add(task)
        task.add_done_callback(self._checks.discard)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool, self._loop = self._pool, None, None
            await pool.close()
