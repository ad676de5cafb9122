"""A file of official readings delivered: checked rows stored as one batch, or refused.

Shared by the laboratory upload and the logbook import. A file with a bad row loads nothing
(unless the caller skips bad rows); a file delivered again changes nothing (its readings are
already stored under their natural keys); a row whose key is stored with another value is a
row error. A delivery that stores something leaves a batch (file name, digest, rows), an audit
event, and the aggregation of the systems and sources it touched, after the commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.accounts import audit
from geodata.evidence.errors import FileRefused
from geodata.evidence.store import OfficialReading, store
from geodata.io.rows import RowError
from geodata.models import ReadingBatch


@dataclass
class Delivery:
    file_name: str
    digest: str
    rows: int
    loaded: int = 0
    already: int = 0
    batch_id: int | None = None
    skipped: list[RowError] = field(default_factory=list)
    delivered_before: datetime | None = None  # the very same file, stored earlier
    systems: list[int] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def earlier_delivery(session: Session, kind: str, digest: str) -> ReadingBatch | None:
    return session.scalars(
        select(ReadingBatch)
        .where(ReadingBatch.kind == kind, ReadingBatch.content_hash == digest)
        .order_by(ReadingBatch.id)
    ).first()


def deliver(
    session: Session,
    *,
    kind: str,
    file_name: str,
    digest: str,
    rows: int,
    checked: Sequence[OfficialReading],
    errors: Sequence[RowError],
    skip_bad: bool,
    actor: str,
    account_id: int | None,
    action: str,
) -> Delivery:
    """Store the checked rows of a file as one batch, or raise FileRefused. Flushes only."""
    if errors and not skip_bad:
        raise FileRefused(sorted(errors, key=lambda e: e.row))
    delivery = Delivery(file_name, digest, rows, skipped=sorted(errors, key=lambda e: e.row))
    if not checked:
        return delivery
    batch = ReadingBatch(
        kind=kind,
        content_hash=digest,
        file_name=file_name[:255],
        rows=rows,
        loaded=0,
        account_id=account_id,
        actor=actor,
    )
    session.add(batch)
    session.flush()
    result = store(session, checked, batch.id)
    if result.conflicts:
        by_row = {r.row: r for r in checked}
        raise FileRefused(
            [
                RowError(
                    c.row,
                    "{parameter} of this sample is already recorded with another value ({value})",
                    {
                        "parameter": by_row[c.row].parameter,
                        "value": f"{c.stored_value:g} {c.stored_unit}".strip(),
                    },
                )
                for c in result.conflicts
            ]
        )
    delivery.loaded, delivery.already = result.inserted, result.already
    if not result.inserted:  # everything was there already: leave no trace
        session.delete(batch)
        session.flush()
        return delivery
    batch.loaded = result.inserted
    delivery.batch_id = batch.id
    delivery.systems = sorted({r.system_id for r in checked if r.system_id is not None})
    delivery.sources = sorted({r.source_id for r in checked if r.source_id is not None})
    audit.record(
        session,
        action,
        actor,
        account_id=account_id,
        subject_type="reading_batch",
        subject_id=batch.id,
        file=file_name,
        sha256=digest,
        rows=rows,
        loaded=result.inserted,
        already=result.already,
        skipped=len(errors),
    )
    if delivery.systems:
        jobs.enqueue(session, jobs.AGGREGATE_SYSTEMS, delivery.systems)
    if delivery.sources:
        jobs.enqueue(session, jobs.AGGREGATE_SOURCES, delivery.sources)
    session.flush()
    return delivery
