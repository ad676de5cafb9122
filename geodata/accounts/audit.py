"""The audit log: every sign-in, and every change to a report, an account or a body."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from geodata.models import AuditEvent


def record(
    session: Session,
    action: str,
    actor: str,
    *,
    account_id: int | None = None,
    subject_type: str | None = None,
    subject_id: object | None = None,
    **details: Any,
) -> AuditEvent:
    """Add one event to the request's transaction (it is kept only if that commits, except
    where the caller records a failure in its own transaction)."""
    event = AuditEvent(
        action=action,
        actor=actor[:200],
        account_id=account_id,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        details=details,
    )
    session.add(event)
    return event
