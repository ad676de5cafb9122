"""Answering a report: acknowledge, in progress, resolve, reject, note, confirm, reassign, merge,
reopen, and (moderators) validate again.

Each action is: the scope's ``can_*`` check -> ``lifecycle.transition`` (the only writer of a
status or an update, in the body's public name) -> the audit log -> the aggregation job after
commit when the status, the confirmation, the responsible body or the grouping changed. Every
check runs before anything is written, so a refused action changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.accounts import audit
from geodata.accounts.errors import Forbidden
from geodata.accounts.scope import Scope
from geodata.desk import errors
from geodata.desk.rules import (
    CLOSED_STATES,
    TARGETS,
    Action,
    actor_for,
    find_report,
    permitted,
    possible,
)
from geodata.i18n import translate
from geodata.models import Provider, Report, ReportStatus, ReportUpdate
from geodata.reports import deadlines, statuses
from geodata.reports.codes import normalize_tracking_code
from geodata.reports.lifecycle import Actor, IllegalTransition, transition
from geodata.reports.routing import district_atm


@dataclass(frozen=True, slots=True)
class Answer:
    """What the body says. ``provider_id``/``escalate`` name the new body of a reassignment,
    ``duplicate_of`` the original of a merge (a tracking code)."""

    action: Action
    note: str | None = None
    public: bool = True
    provider_id: int | None = None
    escalate: bool = False
    duplicate_of: str | None = None


@dataclass(frozen=True, slots=True)
class Caller:
    """A signed-in member of staff: what they may do, how the audit log names them, and the
    channel their answers arrive by ("desk" for the pages, "api" for programs)."""

    scope: Scope
    label: str
    channel: str = "desk"


@dataclass
class Result:
    report: Report
    update: ReportUpdate | None
    aggregated: list[int] = field(default_factory=list)  # report ids sent to aggregation


def answer(
    session: Session, caller: Caller, code: str, given: Answer, now: datetime | None = None
) -> Result:
    """Apply ``given`` to the report ``code`` as ``caller``: 404 out of scope, 403 when the role
    does not allow it, 409 when the status does not, 400 for bad input."""
    scope = caller.scope
    report = find_report(session, scope, code, lock=True)
    if not permitted(scope, report, given.action):
        raise Forbidden()
    actor = actor_for(scope, report, caller.channel)
    return perform(
        session,
        report,
        given,
        actor,
        who=caller.label,
        account_id=scope.account_id,
        anywhere=scope.can_moderate(),
        now=now,
    )


def perform(
    session: Session,
    report: Report,
    given: Answer,
    actor: Actor,
    *,
    who: str,
    account_id: int | None = None,
    anywhere: bool = False,
    now: datetime | None = None,
) -> Result:
    """The action itself, once the caller is known to be allowed (signed links call this with
    the body named by the link). ``anywhere``: may hand a report to a body of another district."""
    now = now or datetime.now(UTC)
    before = (report.status, report.provider_id, report.confirmed_at, report.duplicate_of_id)
    handler = _HANDLERS[given.action]
    update, also = handler(_Context(session, report, given, actor, anywhere, now))
    after = (report.status, report.provider_id, report.confirmed_at, report.duplicate_of_id)
    audit.record(
        session,
        f"report.{given.action.value}",
        who,
        account_id=account_id,
        subject_type="report",
        subject_id=report.tracking_code,
        channel=actor.channel,
        acting_for=actor.name,
        from_status=before[0].value,
        to_status=ReportStatus(report.status).value,
        public=update.is_public if update is not None else None,
        provider_from=before[1],
        provider_to=report.provider_id,
    )
    result = Result(report, update)
    if after != before or also:
        result.aggregated = [report.id, *also]
        jobs.enqueue(session, jobs.AGGREGATE_REPORTS, result.aggregated)
    return result


@dataclass(frozen=True, slots=True)
class _Context:
    session: Session
    report: Report
    given: Answer
    actor: Actor
    anywhere: bool
    now: datetime

    def say(self, msgid: str, **params: object) -> str:
        """A sentence in the reporter's language, followed by the staff's own note if any."""
        text = translate(msgid, self.report.language).format(**params)
        note = (self.given.note or "").strip()
        return f"{text}\n{note}" if note else text


Handler = Callable[[_Context], tuple[ReportUpdate | None, list[int]]]


def _move(ctx: _Context) -> tuple[ReportUpdate | None, list[int]]:
    target = TARGETS[ctx.given.action]
    if ctx.report.status is target:  # the lifecycle would take it as a note: refuse the move
        raise IllegalTransition(current=target.value, target=target.value)
    public = True if target is ReportStatus.REJECTED else ctx.given.public  # reasons are public
    update = transition(
        ctx.session, ctx.report, target, ctx.actor, ctx.given.note, public=public, now=ctx.now
    )
    also = [] if target is ReportStatus.REJECTED else _cascade(ctx, target, public)
    return update, also


def _reopen(ctx: _Context) -> tuple[ReportUpdate | None, list[int]]:
    if ctx.report.status is ReportStatus.REJECTED:
        target = ReportStatus.VALIDATED
    elif ctx.report.status in CLOSED_STATES:
        target = ReportStatus.ACKNOWLEDGED  # someone already knows of it
    else:
        status = ReportStatus(ctx.report.status)
        raise IllegalTransition(current=status.value, target=ReportStatus.ACKNOWLEDGED.value)
    update = transition(
        ctx.session,
        ctx.report,
        target,
        ctx.actor,
        ctx.given.note,
        public=ctx.given.public,
        now=ctx.now,
    )
    also = [] if target is ReportStatus.VALIDATED else _cascade(ctx, target, ctx.given.public)
    return update, also


def _note(ctx: _Context) -> tuple[ReportUpdate | None, list[int]]:
    update = transition(
        ctx.session,
        ctx.report,
        None,
        ctx.actor,
        ctx.given.note,
        public=ctx.given.public,
        now=ctx.now,
    )
    return update, []


def _confirm(ctx: _Context) -> tuple[ReportUpdate | None, list[int]]:
    """The body says the problem is real: it then counts for the system's colour. A body that
    confirms a report has seen it, so a report still waiting is acknowledged at the same time."""
    report = ctx.report
    if report.status not in statuses.LIVE:
        raise errors.NotOpen()
    if report.confirmed_at is not None:
        raise errors.AlreadyConfirmed()
    target = ReportStatus.ACKNOWLEDGED if report.status is ReportStatus.VALIDATED else None
    note = ctx.say("{body} confirmed the problem.", body=ctx.actor.name)
    update = transition(ctx.session, report, target, ctx.actor, note, public=True, now=ctx.now)
    report.confirmed_at = ctx.now
    return update, []


def _reassign(ctx: _Context) -> tuple[ReportUpdate | None, list[int]]:
    """ "Not ours": to another body of the district, or up to the district's ATM."""
    report, session = ctx.report, ctx.session
    if report.status not in statuses.LIVE:
        raise errors.NotOpen()
    target = _reassign_target(ctx)
    if target.id == report.provider_id:
        raise errors.SameProvider()
    if not ctx.anywhere and target.district_id != report.district_id:
        raise errors.TargetOutsideDistrict()
    note = ctx.say("This report was handed to {body}.", body=target.name)
    update = transition(
        session, report, None, ctx.actor, note, public=ctx.given.public, now=ctx.now
    )
    report.provider_id = target.id
    if report.status is ReportStatus.VALIDATED:
        # The new body gets its own time to acknowledge.
        report.due_at = deadlines.due_at(report.is_urgent, ctx.now)
        report.overdue_at = None
    return update, []


def _reassign_target(ctx: _Context) -> Provider:
    if ctx.given.escalate:
        atm = district_atm(ctx.session, ctx.report.district_id)
        if atm is None:
            raise errors.NoDistrictAtm()
        return atm
    if ctx.given.provider_id is None:
        raise errors.TargetRequired()
    target = ctx.session.get(Provider, ctx.given.provider_id)
    if target is None:
        raise errors.UnknownProvider()
    return target


def _merge(ctx: _Context) -> tuple[ReportUpdate | None, list[int]]:
    """Mark the report as a duplicate of an original (one level: the original's original if
    it was itself a duplicate; the report's own duplicates follow it)."""
    report, session = ctx.report, ctx.session
    code = normalize_tracking_code(ctx.given.duplicate_of or "")
    if not code:
        raise errors.OriginalRequired()
    original = session.scalars(select(Report).where(Report.tracking_code == code)).first()
    if original is None:
        raise errors.OriginalNotFound()
    if original.duplicate_of_id is not None:
        original = session.get_one(Report, original.duplicate_of_id)
    if original.id == report.id:
        raise errors.OwnDuplicate()
    note = ctx.say("Same problem as report {code}.", code=original.tracking_code)
    update = transition(
        session, report, None, ctx.actor, note, public=ctx.given.public, now=ctx.now
    )
    followers = list(session.scalars(select(Report).where(Report.duplicate_of_id == report.id)))
    for follower in followers:
        follower.duplicate_of_id = original.id
    report.duplicate_of_id = original.id
    return update, [original.id, *(f.id for f in followers)]


def _retry(ctx: _Context) -> tuple[ReportUpdate | None, list[int]]:
    """Give a report whose validation failed every time another round (after a fix)."""
    report = ctx.report
    if not possible(report, Action.RETRY):
        raise errors.NotRetryable()
    report.validation_attempts = 0
    report.validation_error = None
    report.enqueued_at = ctx.now
    jobs.enqueue(ctx.session, jobs.VALIDATE_REPORTS, [report.id])
    return None, []


def _cascade(ctx: _Context, target: ReportStatus, public: bool) -> list[int]:
    """The original's answer reaches the reporters of its duplicates held by the same body
    (each follows their own tracking code). Reopening only reopens closed duplicates."""
    report = ctx.report
    only_from: Collection[ReportStatus] | None = (
        CLOSED_STATES if ctx.given.action is Action.REOPEN else None
    )
    duplicates = ctx.session.scalars(
        select(Report)
        .where(
            Report.duplicate_of_id == report.id,
            Report.provider_id.is_not_distinct_from(report.provider_id),
        )
        .order_by(Report.id)
        .with_for_update()
    ).all()
    moved = []
    for duplicate in duplicates:
        current = ReportStatus(duplicate.status)
        if current is target or not statuses.can_move(current, target):
            continue
        if only_from is not None and current not in only_from:
            continue
        transition(
            ctx.session, duplicate, target, ctx.actor, ctx.given.note, public=public, now=ctx.now
        )
        moved.append(duplicate.id)
    return moved


_HANDLERS: dict[Action, Handler] = {
    Action.ACKNOWLEDGE: _move,
    Action.IN_PROGRESS: _move,
    Action.RESOLVE: _move,
    Action.REJECT: _move,
    Action.NOTE: _note,
    Action.CONFIRM: _confirm,
    Action.REASSIGN: _reassign,
    Action.MERGE: _merge,
    Action.REOPEN: _reopen,
    Action.RETRY: _retry,
}
