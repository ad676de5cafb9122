"""With ``YAKU_DATABASE_READ_URL`` set, read-only routes (OGC, catalogue, map data) read
through it and writes never go there.

The "replica" is the test database reached as a second role that can only read
(``default_transaction_read_only``, SELECT grants only), with an ``application_name`` of its own:
its connections can be seen in ``pg_stat_activity``, and a write sent through it would fail."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from geodata import database
from geodata.settings import get_settings
from tests import report_factories as make
from tests.conftest import TEST_DATABASE_URL
from tests.test_reports_celery import created  # noqa: F401  (fixture: undoes the reports)

APPLICATION = "yaku-read-replica-test"


@pytest.fixture
def reader(engine: Engine) -> Iterator[str]:
    target = make_url(TEST_DATABASE_URL)
    role = f"{target.database}_reader"
    with engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
            conn.execute(text(f'DROP OWNED BY "{role}"'))  # left by an interrupted run
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'ALTER ROLE "{role}" SET default_transaction_read_only = on'))
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{target.database}" TO "{role}"'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
    url = target.set(username=role, password=None, query={"application_name": APPLICATION})
    yield url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :app"
            ),
            {"app": APPLICATION},
        )
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


@pytest.fixture
def replica_app(reader: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from api.main import create_app

    monkeypatch.setenv("YAKU_DATABASE_READ_URL", reader)
    get_settings.cache_clear()
    database.get_read_sessionmaker.cache_clear()
    try:
        with TestClient(create_app(), raise_server_exceptions=False) as client:
            yield client
    finally:
        bind = database.get_read_sessionmaker().kw["bind"]
        bind.dispose()
        monkeypatch.undo()
        get_settings.cache_clear()
        database.get_read_sessionmaker.cache_clear()


def replica_queries(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [
            str(q)
            for q in conn.execute(
                text("SELECT query FROM pg_stat_activity WHERE application_name = :app"),
                {"app": APPLICATION},
            ).scalars()
        ]


def test_read_routes_use_the_replica_and_writes_stay_on_the_primary(
    replica_app: TestClient,
    engine: Engine,
    created: list[str],  # noqa: F811
) -> None:
    assert replica_queries(engine) == []
    reads = [
        "/ogc/collections/water-systems/items?limit=3",
        "/api/v1/systems?limit=3",
        "/map/data?bbox=-79.5,-9,-77,-6.9&zoom=8",
        "/map/districts",
    ]
    for path in reads:
        answer = replica_app.get(path)
        assert answer.status_code == 200, (path, answer.text)
    seen = replica_queries(engine)
    assert seen, "no connection of the read role: the reads went to the primary"
    assert all(q.lstrip().upper().startswith("SELECT") for q in seen), seen

    # A write: the intake stores on the primary (the read role could not: read-only, no grants).
    with Session(engine) as session:
        place = make.systems(session, 1, offset=70)[0]
    answer = replica_app.post(
        "/api/v1/reports",
        json={
            "location": {"lon": place.lon, "lat": place.lat},
            "category": "leak",
            "device_id": str(uuid.uuid4()),
        },
    )
    assert answer.status_code == 201, answer.text
    created.append(answer.json()["tracking_code"])
    assert all(q.lstrip().upper().startswith("SELECT") for q in replica_queries(engine))


def test_the_read_role_really_refuses_writes(reader: str) -> None:
    """What makes the test above able to fail: a write through the read URL is an error."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError

    replica = create_engine(reader)
    try:
        with pytest.raises(DBAPIError), replica.begin() as conn:
            conn.execute(text("UPDATE water_system SET name = name WHERE false"))
    finally:
        replica.dispose()
