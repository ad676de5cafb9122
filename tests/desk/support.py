"""Helpers of the desk tests: calling as a member of staff, and a snapshot of what the desk
may change (to assert that a refused request changed nothing)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.account_factories import Staff


def api(
    client: TestClient, method: str, path: str, who: Staff | None, **kwargs: Any
) -> httpx.Response:
    headers = who.headers if who is not None else {}
    return client.request(method, path, headers=headers, **kwargs)


def browser(
    client: TestClient,
    method: str,
    path: str,
    who: Staff | None,
    data: dict[str, str] | None = None,
    csrf: bool = True,
) -> httpx.Response:
    """A page request as a signed-in browser (session cookie; forms carry the CSRF token)."""
    client.cookies.clear()
    if who is not None:
        client.cookies.set("yaku_session", who.cookie)
    if data is not None and who is not None and csrf:
        data = {"csrf_token": who.csrf, **data}
    try:
        return client.request(method, path, data=data, follow_redirects=False)
    finally:
        client.cookies.clear()


def snapshot(session: Session) -> dict[str, Any]:
    """Everything a desk request may write (reports, updates, audit, templates, contacts,
    answer links), read fresh from the database."""
    session.flush()
    session.expire_all()
    return {
        "reports": session.execute(
            text(
                "SELECT id, status, provider_id, confirmed_at, duplicate_of_id, overdue_at, "
                "due_at, validation_attempts, rejection_reason, updated_at FROM report ORDER BY id"
            )
        ).all(),
        "updates": session.execute(text("SELECT count(*), max(id) FROM report_update")).one(),
        "audit": session.execute(
            text("SELECT count(*) FROM audit_event WHERE action NOT LIKE 'sign_in%'")
        ).scalar(),
        "templates": session.execute(
            text("SELECT id, provider_id, key, title, body FROM response_template ORDER BY id")
        ).all(),
        "providers": session.execute(
            text(
                "SELECT id, contact_phone, contact_whatsapp, contact_email, office_hours, "
                "contact_updated_at FROM provider ORDER BY id"
            )
        ).all(),
        "links": session.execute(text("SELECT id, used_at FROM answer_link ORDER BY id")).all(),
    }
