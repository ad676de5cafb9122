"""Signed answer links: a body answers one report without signing in.

The notice a body gets about a report (messaging, issue 12) carries
``issue_answer_link(session, report, provider).url``. The link lets whoever holds it
acknowledge or resolve that one report and write a public note, once, until it expires.

A token is ``<link id>.<expiry, unix seconds>.<signature>``; the signature is HMAC-SHA256 with
``settings.secret_key`` over the link id, the report id, the provider id and the expiry, so any
change to the token is detected; the ``answer_link`` row records the report and body it is for
and when it was spent. Every opening and every answer, refused or not, is in the audit log.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.accounts import audit
from geodata.accounts.tokens import same
from geodata.desk import errors
from geodata.desk.actions import Answer, Result, perform
from geodata.desk.rules import TARGETS, Action
from geodata.errors import AppError
from geodata.models import ActorKind, AnswerLink, Provider, Report, ReportStatus
from geodata.reports import statuses
from geodata.reports.lifecycle import Actor, IllegalTransition
from geodata.settings import get_settings

LINK_ACTIONS = (Action.ACKNOWLEDGE, Action.RESOLVE, Action.NOTE)
MAX_TOKEN_LENGTH = 200


class LinkState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"  # single use: already answered with it
    TAMPERED = "tampered"  # malformed, unknown, or its signature does not match
    MOVED = "moved"  # the report is now with another body


@dataclass(frozen=True, slots=True)
class IssuedLink:
    token: str
    url: str
    expires_at: datetime


def issue_answer_link(
    session: Session,
    report: Report,
    provider: Provider,
    ttl: timedelta | None = None,
    now: datetime | None = None,
) -> IssuedLink:
    """A new link for ``provider`` to answer ``report`` (default life: settings'
    ``answer_link_hours``). Adds the row to the session; the caller's transaction commits it."""
    settings = get_settings()
    now = now or datetime.now(UTC)
    expiry = int((now + (ttl or timedelta(hours=settings.answer_link_hours))).timestamp())
    link_id = secrets.token_urlsafe(12)
    expires_at = datetime.fromtimestamp(expiry, UTC)
    session.add(
        AnswerLink(
            id=link_id,
            report_id=report.id,
            provider_id=provider.id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    audit.record(
        session,
        "answer_link.issued",
        "Yaku",
        subject_type="report",
        subject_id=report.tracking_code,
        link=link_id,
        provider_id=provider.id,
        expires_at=expires_at.isoformat(),
    )
    token = f"{link_id}.{expiry}.{_signature(link_id, report.id, provider.id, expiry)}"
    return IssuedLink(token, f"{settings.base_url}/responder/{token}", expires_at)


def _signature(link_id: str, report_id: int, provider_id: int, expiry: int) -> str:
    message = f"{link_id}|{report_id}|{provider_id}|{expiry}".encode()
    mac = hmac.new(get_settings().secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class Opened:
    state: LinkState
    link: AnswerLink | None = None
    report: Report | None = None
    provider: Provider | None = None


def open_link(
    session: Session, token: str, *, lock: bool = False, now: datetime | None = None
) -> Opened:
    """What a token gives access to, and whether it may still be used."""
    now = now or datetime.now(UTC)
    parts = (token or "").split(".")
    if len(token or "") > MAX_TOKEN_LENGTH or len(parts) != 3 or not parts[1].isdigit():
        return Opened(LinkState.TAMPERED)
    link_id, expiry_text, signature = parts
    stmt = select(AnswerLink).where(AnswerLink.id == link_id)
    link = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if link is None:
        return Opened(LinkState.TAMPERED)
    expiry = int(expiry_text)
    expected = _signature(link.id, link.report_id, link.provider_id, expiry)
    if not same(expected, signature) or expiry != int(link.expires_at.timestamp()):
        return Opened(LinkState.TAMPERED)
    report_stmt = select(Report).where(Report.id == link.report_id)
    report = session.scalars(report_stmt.with_for_update() if lock else report_stmt).one()
    provider = session.get_one(Provider, link.provider_id)
    if link.used_at is not None:
        state = LinkState.USED
    elif now >= link.expires_at:
        state = LinkState.EXPIRED
    elif not _still_responsible(report, provider):
        state = LinkState.MOVED
    else:
        state = LinkState.VALID
    return Opened(state, link, report, provider)


def _still_responsible(report: Report, provider: Provider) -> bool:
    """The body holds the report, or is the ATM of its district (escalations go there)."""
    if report.provider_id == provider.id:
        return True
    return provider.is_district_atm and provider.district_id == report.district_id


def view_link(session: Session, token: str, now: datetime | None = None) -> Opened:
    """Open a link to show its page; the opening is audited."""
    opened = open_link(session, token, now=now)
    _audit(session, opened, "answer_link.opened")
    return opened


@dataclass(frozen=True, slots=True)
class LinkAnswer:
    state: LinkState
    result: Result | None = None
    error: AppError | None = None  # the answer itself was refused (illegal move, bad note)


def answer_by_link(
    session: Session,
    token: str,
    action: Action | str,
    note: str | None = None,
    now: datetime | None = None,
) -> LinkAnswer:
    """Answer with a link: acknowledge, resolve, or a public note. Refusals are returned, not
    raised, so that the caller's transaction keeps their audit trace; a refused answer
    changes nothing else and leaves the link unused."""
    now = now or datetime.now(UTC)
    opened = open_link(session, token, lock=True, now=now)
    if opened.state is not LinkState.VALID:
        _audit(session, opened, "answer_link.refused")
        return LinkAnswer(opened.state)
    link, report, provider = opened.link, opened.report, opened.provider
    assert link is not None and report is not None and provider is not None
    actor = Actor(ActorKind.PROVIDER, provider.name, provider_id=provider.id, channel="link")
    chosen = next((a for a in LINK_ACTIONS if a.value == action), None)
    if chosen is None:
        return _refused(session, opened, errors.UnknownAction())
    try:
        _check_move(report, chosen)
        with session.begin_nested():
            result = perform(
                session,
                report,
                Answer(chosen, note, public=True),
                actor,
                who=_who(link, provider),
                now=now,
            )
            link.used_at = now
            link.used_for = chosen.value
    except AppError as error:
        return _refused(session, opened, error)
    _audit(session, opened, "answer_link.used", answer=chosen.value)
    return LinkAnswer(LinkState.VALID, result)


def _check_move(report: Report, action: Action) -> None:
    """A link acknowledges a waiting report and resolves an open one; it never reopens one
    (the lifecycle would let "acknowledged" reopen a resolved report)."""
    status = ReportStatus(report.status)
    allowed = {Action.ACKNOWLEDGE: (ReportStatus.VALIDATED,), Action.RESOLVE: statuses.LIVE}
    if action in allowed and status not in allowed[action]:
        raise IllegalTransition(current=status.value, target=TARGETS[action].value)


def _refused(session: Session, opened: Opened, error: AppError) -> LinkAnswer:
    _audit(session, opened, "answer_link.refused", reason=error.code)
    return LinkAnswer(LinkState.VALID, error=error)


def _who(link: AnswerLink, provider: Provider) -> str:
    return f"answer link {link.id} ({provider.name})"


def _audit(session: Session, opened: Opened, event: str, **details: Any) -> None:
    link = opened.link
    audit.record(
        session,
        event,
        _who(link, opened.provider) if link and opened.provider else "answer link (unknown)",
        subject_type="report" if opened.report else None,
        subject_id=opened.report.tracking_code if opened.report else None,
        state=opened.state.value,
        **details,
    )
