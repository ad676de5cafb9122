"""Test fixtures on a real PostGIS database and a real Redis.

The test database (``yaku_test`` unless ``YAKU_TEST_DATABASE_URL`` says otherwise) is recreated,
migrated to head and seeded with the real La Libertad data once per run. Each test then runs in a
transaction that is rolled back, so tests never see each other's writes; tests that need committed
data (Celery workers, other processes) use the ``committed`` fixtures and clean up after themselves.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from geodata.settings import Settings

_tmp = Path(tempfile.mkdtemp(prefix="yaku-test-"))
# Same server and credentials as the service (settings or .env), database "<name>_test".
_service_url = make_url(Settings().sqlalchemy_url)
TEST_DATABASE_URL = os.environ.get(
    "YAKU_TEST_DATABASE_URL",
    _service_url.set(database=f"{_service_url.database}_test").render_as_string(
        hide_password=False
    ),
)
TEST_REDIS_URL = os.environ.get("YAKU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ["YAKU_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["YAKU_REDIS_URL"] = TEST_REDIS_URL
os.environ.setdefault("YAKU_MEDIA_DIR", str(_tmp / "media"))
os.environ.setdefault("YAKU_PUBLISH_DIR", str(_tmp / "publish"))

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from geodata import migrate  # noqa: E402
from geodata.settings import get_settings  # noqa: E402

SHARED_DIR = get_settings().shared_dir


def recreate_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()
    migrate.ensure_database(url)


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    from geodata.seed import seed_all

    recreate_database(TEST_DATABASE_URL)
    migrate.upgrade(TEST_DATABASE_URL)
    engine = create_engine(TEST_DATABASE_URL)
    with Session(engine) as session:
        seed_all(session, SHARED_DIR)
        session.commit()
    yield engine
    engine.dispose()


RATE_LIMIT_KEYS = "yaku-intake*"


def clear_rate_limits() -> None:
    """Forget every intake budget (they live in Redis, across tests and runs)."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        keys = list(client.scan_iter(RATE_LIMIT_KEYS, count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Each test starts with full intake budgets; a test of the limits fills them itself."""
    clear_rate_limits()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose commits become savepoints inside one transaction rolled back at the end."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    """The API with its database dependency bound to the test's rolled-back session."""
    from api.deps import get_read_session, get_session
    from api.main import create_app

    app = create_app()

    def _session() -> Iterator[Session]:
        yield session
        session.flush()

    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[get_read_session] = _session
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
