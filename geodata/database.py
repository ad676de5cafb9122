"""Engine and session factory. Inner code flushes; the request/task boundary commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from geodata.settings import get_settings


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    settings = get_settings()
    return create_engine(
        url or settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
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
    pool on its first error)."""
    settings = get_settings()
    engine = create_engine(
        url or settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        isolation_level="AUTOCOMMIT",
    )
    return sessionmaker(bind=engine, expire_on_commit=False)
