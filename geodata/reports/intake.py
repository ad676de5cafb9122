"""Accepting a report: one INSERT, idempotent on the client's key, nothing else on the hot path.

The report is stored ``received``; everything that needs thought (area, links, duplicates,
measurement limits) happens in the validation worker after the commit. The same statement runs
on a SQLAlchemy session (``submit_report``) or on an async psycopg connection in autocommit
(``submit_report_async``, the API's hot path: one round trip per report).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb
from sqlalchemy.orm import Session

from geodata.models import ReportCategory, ReportStatus
from geodata.notify import contacts
from geodata.reports.codes import content_hash, new_tracking_code, reporter_fingerprint
from geodata.reports.errors import IdempotencyConflict

MAX_CODE_ATTEMPTS = 5

# ON CONFLICT without a target covers both unique keys: the idempotency key and the
# (astronomically rare) tracking-code collision; ``_settle`` tells them apart.
INSERT_REPORT = """
INSERT INTO report (
    tracking_code, idempotency_key, content_hash, category, description, language, geom,
    location_code, submitted_measurements, status, photo_path, thumbnail_path,
    reporter_contact, reporter_fingerprint, network_fingerprint, enqueued_at
) VALUES (
    %(tracking_code)s, %(idempotency_key)s, %(content_hash)s, %(category)s, %(description)s,
    %(language)s,
    CASE WHEN %(lon)s::float8 IS NULL THEN NULL
         ELSE ST_SetSRID(ST_MakePoint(%(lon)s::float8, %(lat)s::float8), 4326) END,
    %(location_code)s, %(measurements)s, 'received', %(photo_path)s, %(thumbnail_path)s,
    %(contact)s, %(fingerprint)s, %(network)s, now()
)
ON CONFLICT DO NOTHING
RETURNING id, tracking_code, status, received_at
"""

SELECT_BY_KEY = """
SELECT id, tracking_code, status, received_at, content_hash
FROM report WHERE idempotency_key = %(key)s
"""


def reporter_identity(device_id: str | None, contact: str | None) -> str | None:
    """Who sent a report, for the per-reporter limits (intake and worker alike): the install
    id of the app or form, else the contact. Never the network address: many people share one
    (a village behind a mobile network, a telecentre)."""
    return device_id or contact


@dataclass(frozen=True, slots=True)
class NewReport:
    category: ReportCategory
    description: str = ""
    lon: float | None = None
    lat: float | None = None
    location_code: str | None = None
    measurements: list[dict[str, Any]] = field(default_factory=list)
    language: str = "es"
    contact: str | None = None
    notify: bool = False  # agreed to be told at ``contact`` how it goes (geodata.notify)
    device_id: str | None = None
    client_address: str | None = None
    idempotency_key: str | None = None
    photo_sha256: str | None = None
    photo_path: str | None = None
    thumbnail_path: str | None = None

    def content(self) -> dict[str, Any]:
        """What the reporter said; a retry with the same key must say the same."""
        return {
            "category": self.category.value,
            "description": self.description,
            "lon": self.lon,
            "lat": self.lat,
            "location_code": self.location_code,
            "measurements": self.measurements,
            "language": self.language,
            "contact": self.contact,
            "photo": self.photo_sha256,
        }

    def params(self) -> dict[str, Any]:
        network = (
            reporter_fingerprint(f"net:{self.client_address}") if self.client_address else None
        )
        identity = reporter_identity(self.device_id, self.contact)
        return {
            "idempotency_key": self.idempotency_key,
            "content_hash": content_hash(self.content()),
            "category": self.category.value,
            "description": self.description,
            "language": self.language,
            "lon": self.lon,
            "lat": self.lat,
            "location_code": self.location_code,
            "measurements": Jsonb(self.measurements),
            "photo_path": self.photo_path,
            "thumbnail_path": self.thumbnail_path,
            "contact": self.contact,
            # Without a device or contact, the address stands in for the reporter where
            # independence matters (two reports from one address do not corroborate each
            # other); the worker's rate limit skips such rows (fingerprint = network).
            "fingerprint": reporter_fingerprint(identity) if identity else network,
            "network": network,
        }


@dataclass(frozen=True, slots=True)
class Accepted:
    id: int
    tracking_code: str
    status: ReportStatus
    received_at: datetime
    created: bool


def _settle(existing: Any, digest: str) -> Accepted | None:
    """The stored report for a reused key; IdempotencyConflict when its content differs."""
    if existing is None:
        return None  # not the key that conflicted: the tracking code did; draw another
    if existing[4] != digest:
        raise IdempotencyConflict()
    return Accepted(existing[0], existing[1], ReportStatus(existing[2]), existing[3], False)


def _consent(report: NewReport) -> dict[str, Any] | None:
    """The reporter's consent to hear how it goes, for ``notify_contact`` (or None)."""
    if not report.notify or not report.contact:
        return None
    address = contacts.normalize_address(report.contact)
    return {"address": address, "phone": "@" not in address} if address else None


def submit_report(session: Session, report: NewReport) -> Accepted:
    """Store a new report, or return the one already stored under the same idempotency key.

    Raises ``IdempotencyConflict`` when the key was used with different content. Flushes only.
    """
    params = report.params()
    connection = session.connection()
    for _ in range(MAX_CODE_ATTEMPTS):
        params["tracking_code"] = new_tracking_code()
        row = connection.exec_driver_sql(INSERT_REPORT, params).first()
        if row is not None:
            if (consent := _consent(report)) is not None:
                connection.exec_driver_sql(contacts.REPORTS_CONSENT_SQL, consent)
            return Accepted(row[0], row[1], ReportStatus(row[2]), row[3], True)
        if report.idempotency_key is not None:
            existing = connection.exec_driver_sql(
                SELECT_BY_KEY, {"key": report.idempotency_key}
            ).first()
            settled = _settle(existing, params["content_hash"])
            if settled is not None:
                return settled
    raise RuntimeError("could not draw a free tracking code")


async def submit_report_async(connection: AsyncConnection[Any], report: NewReport) -> Accepted:
    """The same on an autocommit connection: when this returns, the report is durable."""
    params = report.params()
    for _ in range(MAX_CODE_ATTEMPTS):
        params["tracking_code"] = new_tracking_code()
        cursor = await connection.execute(INSERT_REPORT, params)
        row = await cursor.fetchone()
        if row is not None:
            if (consent := _consent(report)) is not None:
                await connection.execute(contacts.REPORTS_CONSENT_SQL, consent)
            return Accepted(row[0], row[1], ReportStatus(row[2]), row[3], True)
        if report.idempotency_key is not None:
            cursor = await connection.execute(SELECT_BY_KEY, {"key": report.idempotency_key})
            settled = _settle(await cursor.fetchone(), params["content_hash"])
            if settled is not None:
                return settled
    raise RuntimeError("could not draw a free tracking code")
