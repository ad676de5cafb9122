"""Request-scoped dependencies: one database transaction per request, the user's language."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from geodata.database import get_read_sessionmaker, get_sessionmaker
from geodata.i18n import normalize_language
from geodata.opendata.params import MAX_OFFSET


def get_session() -> Iterator[Session]:
    """The request's one transaction: commit when the route returns, roll back when it raises.

    Used with ``scope="function"`` so the commit happens before the response is sent (a client
    told 200 can rely on it); jobs buffered with ``geodata.jobs`` leave after that commit.
    Inner code flushes, never commits.
    """
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


async def get_read_session() -> AsyncIterator[Session]:
    """For routes that only read: autocommit, nothing to commit or roll back.

    An async generator on purpose: making and closing the session does no I/O (the connection
    is taken at the first query, in the route's thread, and an autocommit connection goes back
    without a ROLLBACK), so FastAPI need not hop to a worker thread twice more per request."""
    session = get_read_sessionmaker()()
    try:
        yield session
    finally:
        session.close()


def get_language(
    request: Request,
    lang: Annotated[str | None, Query(description="Response language: es (default) or en.")] = None,
) -> str:
    return normalize_language(lang or request.headers.get("accept-language"))


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
LanguageDep = Annotated[str, Depends(get_language)]
# Every paged route: an offset PostgreSQL can take (above 2^63 it would fail, not page).
OffsetQuery = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="Items to skip (at most 2^31 - 1).")
]
# The one bbox of the read routes, parsed by geodata.bbox (which also checks the ranges and
# min <= max, with a translated message); the pattern documents its shape.
BBOX_NUMBER = r"-?[0-9]+(\.[0-9]+)?"
BBOX_PATTERN = f"^{BBOX_NUMBER}(,{BBOX_NUMBER}){{3}}(,{BBOX_NUMBER},{BBOX_NUMBER})?$"
BBoxQuery = Annotated[
    str | None,
    Query(
        description="minLon,minLat,maxLon,maxLat (WGS84), min <= max",
        json_schema_extra={"pattern": BBOX_PATTERN},
    ),
]
