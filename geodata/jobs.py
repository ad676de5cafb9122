"""Work after commit: task names, and one buffer that sends them once the transaction commits.

Core code says ``jobs.enqueue(session, jobs.VALIDATE_REPORTS, [report_id])``; nothing is sent
until that session's transaction commits, and nothing at all if it rolls back. Each adapter
installs how jobs travel (``set_dispatcher``): the API hands them to a background outbox that
never blocks a request, the worker sends them with its Celery app. Sending may still fail (Redis
down): every job is therefore one whose need is also written in the database (a report still
``received``, a ledger row still ``pending``), and a periodic sweep re-enqueues from there.

This module imports no Celery: task names are plain strings shared by the adapters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

# Task names (the worker registers them under these names; see worker/tasks).
VALIDATE_REPORTS = "reports.validate_batch"  # args: [report ids]
SWEEP_REPORTS = "reports.sweep"
AGGREGATE_REPORTS = "aggregate.reports"  # args: [report ids]
AGGREGATE_SYSTEMS = "aggregate.systems"  # args: [system ids] (new official readings)
AGGREGATE_SOURCES = "aggregate.sources"  # args: [source ids] (new official readings)
RECOMPUTE_ALL = "aggregate.recompute_all"
PUBLISH_DOWNLOADS = "publish.downloads"
MARK_OVERDUE = "reports.mark_overdue"
REFRESH_DASHBOARDS = "dashboards.refresh"  # args: [district ids] (after an aggregation)
REFRESH_ALL_DASHBOARDS = "dashboards.refresh_all"

# Messaging (geodata/notify): one task per ledger row, and the rules that queue rows.
NOTIFY_DELIVER = "notify.deliver"  # args: ledger (notify_delivery) id
NOTIFY_REPORTS = "notify.reports"  # args: [report ids] whose status or notes changed
NOTIFY_STATUS_CHANGES = "notify.status_changes"  # args: [status_change ids]
NOTIFY_DIGEST = "notify.digest"  # daily digest per provider (beat)
NOTIFY_FOLLOWUPS = "notify.followups"  # "is it fixed?" four weeks after resolution (beat)
NOTIFY_SWEEP = "notify.sweep"  # re-enqueue pending deliveries whose message was lost (beat)

# Queues, so that each kind of work can have workers (and hosts) of its own: validation keeps
# up with intake, statuses refresh even behind a long validation queue, a slow publish or a
# slow mail server delays nothing else. A worker started without -Q consumes them all.
VALIDATION_QUEUE = "validation"
AGGREGATION_QUEUE = "aggregation"
PUBLISHING_QUEUE = "publishing"
NOTIFICATIONS_QUEUE = "notifications"
DEFAULT_QUEUE = "celery"  # control tasks (system.ping) and anything not routed below
QUEUES = (
    VALIDATION_QUEUE,
    AGGREGATION_QUEUE,
    PUBLISHING_QUEUE,
    NOTIFICATIONS_QUEUE,
    DEFAULT_QUEUE,
)
# Task name (exact, or prefix ending in ".") -> queue; the first match wins.
ROUTES: tuple[tuple[str, str], ...] = (
    (MARK_OVERDUE, NOTIFICATIONS_QUEUE),  # escalations: notices to the district's ATM
    ("notify.", NOTIFICATIONS_QUEUE),
    ("reports.", VALIDATION_QUEUE),  # validate, validate_batch, sweep
    ("inbound.", VALIDATION_QUEUE),  # lone WhatsApp locations settled into reports
    ("aggregate.", AGGREGATION_QUEUE),
    ("dashboards.", AGGREGATION_QUEUE),  # figures refreshed after the statuses they read
    ("publish.", PUBLISHING_QUEUE),
)


def queue_for(name: str) -> str:
    """The queue a task of this name travels on (the same for every sender)."""
    for pattern, queue in ROUTES:
        if name == pattern or (pattern.endswith(".") and name.startswith(pattern)):
            return queue
    return DEFAULT_QUEUE


def route(name: str, args: Any = None, kwargs: Any = None, options: Any = None, **_: Any) -> Any:
    """A Celery router (``task_routes=(jobs.route,)``), usable without importing Celery."""
    return {"queue": queue_for(name)}


# Jobs whose single argument is a list of ids: buffered ones are merged into few messages.
BATCHED = frozenset(
    {
        VALIDATE_REPORTS,
        AGGREGATE_REPORTS,
        AGGREGATE_SYSTEMS,
        AGGREGATE_SOURCES,
        REFRESH_DASHBOARDS,
        NOTIFY_REPORTS,
        NOTIFY_STATUS_CHANGES,
    }
)
MAX_BATCH = 200

_BUFFER_KEY = "yaku_jobs"
_MARKS_KEY = "yaku_jobs_savepoints"


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    args: tuple[Any, ...] = ()


Dispatcher = Callable[[Sequence[Job]], None]


def _log_only(jobs: Sequence[Job]) -> None:
    for job in jobs:
        log.info("no job dispatcher installed; %s left for the sweep", job.name)


_dispatcher: Dispatcher = _log_only


def set_dispatcher(dispatcher: Dispatcher) -> Dispatcher:
    """Install how jobs are sent in this process; returns the previous dispatcher."""
    global _dispatcher
    previous, _dispatcher = _dispatcher, dispatcher
    return previous


def enqueue(session: Session, name: str, *args: Any) -> None:
    """Send ``name(*args)`` after ``session`` commits; forget it if the session rolls back."""
    session.info.setdefault(_BUFFER_KEY, []).append(Job(name, args))


def pending(session: Session) -> list[Job]:
    """What ``session`` will send on commit (for tests and diagnostics)."""
    return list(session.info.get(_BUFFER_KEY, []))


def coalesce(jobs: Sequence[Job], max_batch: int = MAX_BATCH) -> list[Job]:
    """Merge the id lists of batched jobs (in messages of at most ``max_batch`` ids, at the
    first one's position) and drop exact repeats of the others."""
    out: list[Job] = []
    batches: dict[str, dict[Any, None]] = {}
    for job in jobs:
        if job.name in BATCHED:
            ids = batches.get(job.name)
            if ids is None:
                ids = batches[job.name] = {}
                out.append(Job(job.name))
            ids.update(dict.fromkeys(job.args[0]))
        elif job not in out:
            out.append(job)
    split: list[Job] = []
    for job in out:
        if job.name in batches:
            merged = list(batches[job.name])
            split += [
                Job(job.name, (merged[i : i + max_batch],))
                for i in range(0, len(merged), max_batch)
            ]
        else:
            split.append(job)
    return split


def dispatch(jobs: Sequence[Job]) -> None:
    """Send already-committed work now (autocommit paths). Never raises."""
    if not jobs:
        return
    try:
        _dispatcher(coalesce(jobs))
    except Exception:  # a job not sent is recovered from the database by its sweep
        log.warning("could not send %d jobs; their sweeps will", len(jobs), exc_info=True)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault(_MARKS_KEY, {})
        marks[transaction] = len(session.info.get(_BUFFER_KEY, []))


# SQLAlchemy dispatches after_commit and after_rollback for SAVEPOINTs too (``begin_nested``):
# releasing one must send nothing (the outer transaction has not committed), and rolling one
# back drops only the jobs buffered inside it.


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(_MARKS_KEY, None)
    jobs = session.info.pop(_BUFFER_KEY, None)
    if jobs:
        dispatch(jobs)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        mark = session.info.get(_MARKS_KEY, {}).pop(savepoint, None)
        buffer = session.info.get(_BUFFER_KEY)
        if mark is not None and buffer is not None:
            del buffer[mark:]
        return
    session.info.pop(_MARKS_KEY, None)
    session.info.pop(_BUFFER_KEY, None)
