"""Engine and session factory. Inner code flushes; the request/task boundary commits.

After a database restart: the transactional engine pings a connection before lending it
(``pool_pre_ping``); the read engine does not (one round trip per page matters there), but the
first disconnect it meets invalidates every connection older than it, so the next request
reconnects. Either way a request that meets the outage fails with an OperationalError, which the
API answers 503 with Retry-After (``api/errors.py``). ``CONNECT_TIMEOUT_S`` bounds the wait for a
server that does not answer at all.

Safe behind PgBouncer in transaction pooling mode once ``db_prepare_threshold`` is ``never`` (no
server-side prepared statements; on a direct connection psycopg's default of 5 saves planning
repeated queries), and no session state (locks are ``pg_advisory_xact_lock``,
temporary tables ``ON COMMIT DROP``, no ``SET`` outside a transaction, no ``LISTEN``). Read-only
routes may use a replica (``database_read_url``) through ``get_read_sessionmaker``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from geodata.settings import get_settings

CONNECT_TIMEOUT_S = 5


def connect_args() -> dict[str, Any]:
    """What every psycopg connection of the service is opened with."""
    return {
        "connect_timeout": CONNECT_TIMEOUT_S,
        "prepare_threshold": get_settings().db_prepare_threshold,
    }


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    settings = get_settings()
    return create_engine(
        url or settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
        connect_args=connect_args(),
    )


@lru_cache
def get_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = get_sessionmaker(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def postgis_version(session: Session) -> str:
    return str(session.execute(text("SELECT postgis_lib_version()")).scalar_one())


def upsert(session: Session, model: type[Any], rows: list[dict[str, Any]], key: str) -> int:
    """Insert ``rows`` or update the existing ones matched by the unique column ``key``."""
    if not rows:
        return 0
    stmt = insert(model).values(rows)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[key],
            set_={column: stmt.excluded[column] for column in rows[0] if column != key},
        )
    )
    return len(rows)


@lru_cache
def get_read_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    """Sessions for read-only requests: autocommit, so a page costs one round trip, not four
    (no BEGIN/COMMIT, no pre-ping; a connection broken by a server restart is dropped by the
    pool on its first error). They read the replica when ``database_read_url`` is set."""
    settings = get_settings()
    engine = create_engine(
        url or settings.sqlalchemy_read_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        isolation_level="AUTOCOMMIT",
        connect_args=connect_args(),
    )
    return sessionmaker(bind=engine, expire_on_commit=False)
