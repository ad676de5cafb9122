"""Jobs and SAVEPOINTs: SQLAlchemy dispatches after_commit/after_rollback for ``begin_nested``
too. Releasing a savepoint sends nothing; rolling one back drops only its own jobs (a refused
answer by SMS must not lose the validation or the replies of the same request)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geodata import jobs


@pytest.fixture
def sent() -> Iterator[list[jobs.Job]]:
    out: list[jobs.Job] = []

    def record(batch: Sequence[jobs.Job]) -> None:
        out.extend(batch)

    previous = jobs.set_dispatcher(record)
    yield out
    jobs.set_dispatcher(previous)


def test_a_released_savepoint_sends_nothing_before_the_commit(
    engine: Engine, sent: list[jobs.Job]
) -> None:
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        jobs.enqueue(session, "first")
        with session.begin_nested():
            jobs.enqueue(session, "inside")
        assert sent == []
        assert [j.name for j in jobs.pending(session)] == ["first", "inside"]
        session.commit()
    assert [j.name for j in sent] == ["first", "inside"]


def test_a_rolled_back_savepoint_drops_only_its_own_jobs(
    engine: Engine, sent: list[jobs.Job]
) -> None:
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        jobs.enqueue(session, "before")
        with pytest.raises(ZeroDivisionError), session.begin_nested():
            jobs.enqueue(session, "refused")
            with session.begin_nested():
                jobs.enqueue(session, "deeper")
            raise ZeroDivisionError
        jobs.enqueue(session, "after")
        assert [j.name for j in jobs.pending(session)] == ["before", "after"]
        session.commit()
    assert [j.name for j in sent] == ["before", "after"]


def test_the_outer_rollback_still_drops_everything(engine: Engine, sent: list[jobs.Job]) -> None:
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        jobs.enqueue(session, "before")
        session.begin_nested()
        jobs.enqueue(session, "inside")
        session.rollback()
        assert jobs.pending(session) == []
    assert sent == []
