"""The API and the workers through a real PgBouncer in transaction pooling mode: a server
connection is lent for one transaction and then handed to another client, so nothing may rely
on session state (server-side prepared statements, SET, LISTEN, session advisory locks).

The API (uvicorn) and a Celery worker know only PgBouncer's address; reports posted to the API
are stored, validated and aggregated through it, with ``YAKU_DB_PREPARE_THRESHOLD=never`` as
the README asks behind such a pooler. (With ``0``, psycopg preparing every statement on the
server, the same test fails at the first report.)"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests import report_factories as make
from tests.celery_support import Worker, flush_redis, wait_for
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.live_server import uvicorn_server
from tests.pgbouncer_support import pgbouncer, pgbouncer_binary
from tests.test_reports_celery import created  # noqa: F401  (fixture: undoes the reports)

pytestmark = [
    pytest.mark.celery,
    pytest.mark.skipif(
        pgbouncer_binary() is None,
        reason="Debian's pgbouncer is not installed (./yaku.sh test installs it)",
    ),
]

REPORTS = 24


@pytest.fixture(scope="module")
def pooled_url(engine: Engine) -> Iterator[str]:
    with pgbouncer(TEST_DATABASE_URL, pool_size=3) as url:
        yield url


def test_intake_and_validation_through_pgbouncer(
    pooled_url: str,
    engine: Engine,
    created: list[str],  # noqa: F811
) -> None:
    from geodata.models import Report

    flush_redis()
    with Session(engine) as s:
        places = make.systems(s, REPORTS, offset=40)
    env = {
        "YAKU_DATABASE_URL": pooled_url,
        "YAKU_DB_PREPARE_THRESHOLD": "never",
        "YAKU_REDIS_URL": TEST_REDIS_URL,
        "YAKU_SWEEP_AFTER_SECONDS": "1",
    }
    worker = Worker("pgbouncer", env=env).start()
    try:
        with uvicorn_server(env, ready_path="/api/v1/systems?limit=1") as base:

            def post(place: make.Place) -> str:
                payload = {
                    "location": {"lon": place.lon, "lat": place.lat},
                    "category": "leak",
                    "device_id": str(uuid.uuid4()),
                }
                answer = httpx.post(f"{base}/api/v1/reports", json=payload, timeout=30)
                assert answer.status_code == 201, answer.text
                return str(answer.json()["tracking_code"])

            with ThreadPoolExecutor(8) as pool:
                codes = list(pool.map(post, places))
            created.extend(codes)

            def settled() -> bool:
                with Session(engine) as s:
                    waiting = s.scalar(
                        select(func.count())
                        .select_from(Report)
                        .where(Report.tracking_code.in_(codes), Report.status == "received")
                    )
                return waiting == 0

            wait_for(settled, timeout=90, interval=0.5)
            # Read routes through the pooler too (autocommit sessions, one statement each).
            for code in codes[:5]:
                seen = httpx.get(f"{base}/api/v1/reports/{code}", timeout=10)
                assert seen.status_code == 200 and seen.json()["status"] == "validated"
    finally:
        worker.stop()
    with Session(engine) as s:
        statuses = s.execute(
            select(Report.status, func.count())
            .where(Report.tracking_code.in_(codes))
            .group_by(Report.status)
        ).all()
    assert dict((str(k.value), n) for k, n in statuses) == {"validated": REPORTS}
