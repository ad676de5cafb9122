"""A real PostgreSQL restart under a running API: 503 with Retry-After while the database is
unreachable, never a 500, and every route recovers by itself once it is back.

The test makes its own throwaway cluster (initdb + pg_ctl on a free port, as the ``postgres``
user) so the shared server is never disturbed; it skips, saying why, where that is impossible.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from geodata import migrate
from tests.conftest import SHARED_DIR, TEST_REDIS_URL
from tests.live_server import free_port, uvicorn_server

PG_BIN = Path(os.environ.get("YAKU_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


class Cluster:
    def __init__(self, directory: Path, port: int) -> None:
        self.data = directory / "data"
        self.port = port
        self.log = directory / "postgres.log"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/yaku_outage"

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data.parent} -c fsync=off"
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w"]
        subprocess.run(
            _as_postgres([*command, "-o", options, *args]), check=True, capture_output=True
        )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"no initdb/pg_ctl in {PG_BIN}: cannot make a throwaway cluster")
    if os.geteuid() == 0 and (shutil.which("runuser") is None or not _has_user("postgres")):
        pytest.skip("running as root without a postgres user: initdb refuses root")
    directory = Path(tempfile.mkdtemp(prefix="yaku-pg-outage-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    cluster = Cluster(directory, free_port())
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(cluster.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    cluster.pg_ctl("start")
    try:
        migrate.ensure_database(cluster.url)
        migrate.upgrade(cluster.url)
        seed(cluster.url)
        yield cluster
    finally:
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(cluster.data), "-m", "immediate", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(directory, ignore_errors=True)


def seed(url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from geodata.seed import seed_all

    engine = create_engine(url)
    with Session(engine) as session:
        seed_all(session, SHARED_DIR)
        session.commit()
    engine.dispose()


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


ROUTES = ("/api/v1/reports", "/api/v1/systems", "/ogc/collections/water-systems/items", "/")


def one_round(client: httpx.Client) -> list[httpx.Response]:
    """A write (the async intake pool), reads on the transactional and read-only engines."""
    report = {"location": {"lon": -78.74, "lat": -8.0}, "category": "leak",
              "idempotency_key": uuid.uuid4().hex}  # fmt: skip
    answers = [client.post("/api/v1/reports", json=report)]
    answers += [client.get(path) for path in ROUTES]
    return answers


def test_a_postgresql_restart_gives_503_then_recovers_without_a_500(cluster: Cluster) -> None:
    env = {"YAKU_DATABASE_URL": cluster.url, "YAKU_REDIS_URL": TEST_REDIS_URL,
           "YAKU_DB_POOL_SIZE": "3"}  # fmt: skip
    with uvicorn_server(env, ready_path="/api/v1/report-categories") as base:
        client = httpx.Client(base_url=base, timeout=15)
        for _ in range(3):  # fill every pool with connections that the restart will break
            assert [a.status_code for a in one_round(client)] == [201, 200, 200, 200, 200]

        cluster.pg_ctl("-m", "fast", "stop")
        down = [a for _ in range(2) for a in one_round(client)]
        assert {a.status_code for a in down} == {503}, [(a.url, a.text) for a in down]
        assert all(a.headers.get("retry-after") for a in down)
        error = down[0].json()["error"]
        assert error["code"] == "database_unavailable" and "base de datos" in error["message"]

        cluster.pg_ctl("start")
        seen: list[int] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            statuses = [a.status_code for a in one_round(client)]
            seen += statuses
            if set(statuses) == {200, 201}:
                break
        assert 500 not in seen and set(seen) <= {200, 201, 503}, seen
        # once back, it stays back: no stale connection left in any pool
        for _ in range(5):
            assert [a.status_code for a in one_round(client)] == [201, 200, 200, 200, 200]
        client.close()
