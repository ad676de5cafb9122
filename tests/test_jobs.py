"""Work after commit: buffered jobs leave only when the transaction commits."""

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


def test_jobs_leave_after_commit_only(engine: Engine, sent: list[jobs.Job]) -> None:
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        jobs.enqueue(session, jobs.VALIDATE_REPORTS, [1])
        jobs.enqueue(session, jobs.PUBLISH_DOWNLOADS)
        assert sent == []
        session.commit()
    assert sent == [jobs.Job(jobs.VALIDATE_REPORTS, ([1],)), jobs.Job(jobs.PUBLISH_DOWNLOADS)]


def test_nothing_leaves_on_rollback(engine: Engine, sent: list[jobs.Job]) -> None:
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        jobs.enqueue(session, jobs.PUBLISH_DOWNLOADS)
        session.rollback()
        session.execute(text("SELECT 1"))
        session.commit()
    assert sent == []


def test_batched_jobs_merge_and_split() -> None:
    merged = jobs.coalesce(
        [
            jobs.Job(jobs.VALIDATE_REPORTS, ([1, 2],)),
            jobs.Job(jobs.PUBLISH_DOWNLOADS),
            jobs.Job(jobs.VALIDATE_REPORTS, ([2, 3, 4],)),
            jobs.Job(jobs.PUBLISH_DOWNLOADS),
        ],
        max_batch=3,
    )
    assert merged == [
        jobs.Job(jobs.VALIDATE_REPORTS, ([1, 2, 3],)),
        jobs.Job(jobs.VALIDATE_REPORTS, ([4],)),
        jobs.Job(jobs.PUBLISH_DOWNLOADS),
    ]


def test_a_failing_dispatcher_never_raises(sent: list[jobs.Job]) -> None:
    def broken(batch: Sequence[jobs.Job]) -> None:
        raise ConnectionError("redis down")

    jobs.set_dispatcher(broken)
    jobs.dispatch([jobs.Job(jobs.PUBLISH_DOWNLOADS)])  # logged; the sweeps recover the work
