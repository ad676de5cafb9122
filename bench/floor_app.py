"""The floor of the intake benchmark: a bare ASGI app that does what intake cannot avoid.

It reads the body, parses the JSON (orjson), and runs the very INSERT of the intake (the same
statement and parameters, ``geodata.reports.intake``) on an async psycopg pool in autocommit,
then answers 201 with the tracking code. No framework, no validation, no limits, no outbox:
what is left of the API's time above this is the price of everything else.

    uvicorn bench.floor_app:app --workers 2 --loop uvloop --http httptools
"""

from __future__ import annotations

import os
from typing import Any

import orjson
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from geodata.models import ReportCategory
from geodata.reports.intake import NewReport, submit_report_async
from geodata.reports.intake_pool import libpq_url

_pool: AsyncConnectionPool[AsyncConnection[Any]] | None = None


async def _connection_pool() -> AsyncConnectionPool[AsyncConnection[Any]]:
    global _pool
    if _pool is None:
        pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            libpq_url(os.environ["YAKU_DATABASE_URL"]),
            min_size=2,
            max_size=int(os.environ.get("YAKU_DB_POOL_SIZE", "8")),
            kwargs={"autocommit": True},
            open=False,
        )
        await pool.open()
        _pool = pool
    return _pool


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if _pool is not None:
                    await _pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["method"] != "POST":  # readiness probe
        await _answer(send, 200, b"{}")
        return
    data = orjson.loads(body)
    location = data["location"]
    report = NewReport(
        category=ReportCategory(data["category"]),
        description=data.get("description", ""),
        lon=location.get("lon"),
        lat=location.get("lat"),
        device_id=data.get("device_id"),
        idempotency_key=data.get("idempotency_key"),
        client_address=scope["client"][0] if scope.get("client") else None,
    )
    pool = await _connection_pool()
    async with pool.connection() as connection:
        accepted = await submit_report_async(connection, report)
    await _answer(send, 201, orjson.dumps({"tracking_code": accepted.tracking_code}))


async def _answer(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
