"""Who may do what with a report on the desk, and in whose name: the desk's answers, which a
role allows (``Scope``'s ``can_*``), which the report's status allows, and the public name
an answer carries (the body's, the moderators' or the health authority's; never a person's).
"""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.accounts.errors import Forbidden
from geodata.accounts.scope import MODERATION, Scope
from geodata.models import ActorKind, Report, ReportStatus, Role
from geodata.reports import statuses
from geodata.reports.codes import normalize_tracking_code
from geodata.reports.errors import ReportNotFound
from geodata.reports.lifecycle import Actor
from geodata.reports.validation import MAX_VALIDATION_ATTEMPTS
from geodata.settings import get_settings


class Action(enum.StrEnum):
    ACKNOWLEDGE = "acknowledge"
    IN_PROGRESS = "in_progress"
    RESOLVE = "resolve"
    REJECT = "reject"
    NOTE = "note"
    CONFIRM = "confirm"
    REASSIGN = "reassign"
    MERGE = "merge"
    REOPEN = "reopen"
    RETRY = "retry"


# The status each plain answer moves the report to.
TARGETS: dict[Action, ReportStatus] = {
    Action.ACKNOWLEDGE: ReportStatus.ACKNOWLEDGED,
    Action.IN_PROGRESS: ReportStatus.IN_PROGRESS,
    Action.RESOLVE: ReportStatus.RESOLVED,
    Action.REJECT: ReportStatus.REJECTED,
}
CLOSED_STATES = (ReportStatus.RESOLVED, ReportStatus.CLOSED)


def find_report(session: Session, scope: Scope, code: str, *, lock: bool = False) -> Report:
    """The report with ``code`` if this scope may know of it; 404 otherwise, exactly as for a
    code that does not exist."""
    stmt = select(Report).where(
        Report.tracking_code == normalize_tracking_code(code), scope.reports_clause()
    )
    if lock:
        stmt = stmt.with_for_update(of=Report)
    report = session.scalars(stmt).first()
    if report is None:
        raise ReportNotFound()
    return report


def permitted(scope: Scope, report: Report, action: Action) -> bool:
    """Whether the role allows ``action`` on ``report`` (whatever its status)."""
    if action in (Action.MERGE, Action.RETRY):
        return scope.can_moderate()
    if action is Action.REOPEN and report.status is ReportStatus.REJECTED:
        return scope.can_moderate()  # restoring a refused report is moderation
    if action is Action.NOTE:
        return scope.can_note(report)
    if action is Action.REJECT:
        return scope.can_reject(report)
    if action is Action.REASSIGN:
        return scope.can_reassign(report)
    return scope.can_answer(report)


def possible(report: Report, action: Action) -> bool:
    """Whether ``action`` makes sense in the report's current status."""
    status = ReportStatus(report.status)
    if action in TARGETS:
        return statuses.can_move(status, TARGETS[action])
    if action is Action.REOPEN:
        return status in CLOSED_STATES or status is ReportStatus.REJECTED
    if action in (Action.NOTE, Action.MERGE):
        return status in statuses.NOTE_ALLOWED
    if action is Action.CONFIRM:
        return status in statuses.LIVE and report.confirmed_at is None
    if action is Action.REASSIGN:
        return status in statuses.LIVE
    return status is ReportStatus.RECEIVED and report.validation_attempts >= MAX_VALIDATION_ATTEMPTS


def allowed_actions(scope: Scope, report: Report) -> list[Action]:
    """What the desk offers for this report to this account, in a stable order."""
    return [a for a in Action if permitted(scope, report, a) and possible(report, a)]


def actor_for(scope: Scope, report: Report, channel: str) -> Actor:
    """In whose name the answer is public: the body, the moderators or the health authority;
    never the person (their account id stays private on the update)."""
    settings = get_settings()
    body = scope.body_for(report)
    if body is not None:
        return Actor(
            ActorKind.PROVIDER,
            body.name,
            role=body.role.value,
            account_id=scope.account_id,
            provider_id=body.provider_id,
            channel=channel,
        )
    if scope.roles & MODERATION:
        role = Role.ADMINISTRATOR if Role.ADMINISTRATOR in scope.roles else Role.MODERATOR
        return Actor(
            ActorKind.MODERATOR,
            settings.moderators_name,
            role=role.value,
            account_id=scope.account_id,
            channel=channel,
        )
    if Role.HEALTH in scope.roles:
        return Actor(
            ActorKind.AUTHORITY,
            settings.health_authority_name,
            role=Role.HEALTH.value,
            account_id=scope.account_id,
            channel=channel,
        )
    raise Forbidden()
