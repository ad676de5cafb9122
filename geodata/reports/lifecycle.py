"""Every change of a report goes through ``transition``: it checks the move against
``statuses.TRANSITIONS``, writes the update row (who, in which role, for which body, when, the
note, public or internal) and keeps the report's timestamps true.

Validation, the desk, signed links and the overdue check all call it; nothing else writes
``report.status`` or a ``ReportUpdate``. Each change also buffers ``jobs.NOTIFY_REPORTS`` for
after commit: the messaging rules (``geodata.notify.rules``) tell whoever must hear of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from geodata import jobs, messages
from geodata.errors import Conflict, InvalidInput
from geodata.i18n import translate
from geodata.models import ActorKind, Report, ReportStatus, ReportUpdate
from geodata.reports import statuses

MAX_NOTE_LENGTH = 4000


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts. ``name`` is what the public sees: a body's name or "Yaku", never a person's."""

    kind: ActorKind
    name: str
    role: str | None = None
    account_id: int | None = None
    provider_id: int | None = None
    channel: str = "system"


YAKU = Actor(ActorKind.SYSTEM, "Yaku", channel="worker")


class IllegalTransition(Conflict):
    code = "illegal_transition"
    message = "A report that is '{current}' cannot become '{target}'."

    def localized(self, language: str) -> str:
        labels = {
            k: translate(statuses.LABELS[ReportStatus(v)], language) for k, v in self.params.items()
        }
        return translate(self.text, language).format(**labels)


class NoteRequired(InvalidInput):
    code = "note_required"
    message = "Write a note, or choose a new status."


class ReasonRequired(InvalidInput):
    code = "reason_required"
    message = "Say why the report is rejected."


class NoteTooLong(InvalidInput):
    code = "note_too_long"
    message = "The note is too long (at most {limit} characters)."


def transition(
    session: Session,
    report: Report,
    to: ReportStatus | None,
    actor: Actor,
    note: str | None = None,
    *,
    public: bool = True,
    now: datetime | None = None,
    message: messages.Text | None = None,
) -> ReportUpdate:
    """Move ``report`` to ``to`` (None, or its own status: a note only) and record it. Flushes
    nothing; raises IllegalTransition (409) for a move the lifecycle does not allow.

    ``message``: Yaku's own note as message ids (``geodata.messages``), kept beside ``note``
    (its text in the report's language) so that pages show it in the reader's language; for a
    rejection it is also the report's ``rejection_reason_msg``. People's notes are plain text.
    """
    now = now or datetime.now(UTC)
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise NoteTooLong(limit=MAX_NOTE_LENGTH)
    current = ReportStatus(report.status)
    target = current if to is None else ReportStatus(to)
    if target is current:
        if current not in statuses.NOTE_ALLOWED:
            raise IllegalTransition(current=current.value, target=target.value)
        if note is None:
            raise NoteRequired()
    elif not statuses.can_move(current, target):
        raise IllegalTransition(current=current.value, target=target.value)
    if target is ReportStatus.REJECTED and note is None:
        raise ReasonRequired()
    update = ReportUpdate(
        report_id=report.id,
        from_status=current,
        to_status=target,
        actor_kind=actor.kind,
        actor_name=actor.name,
        actor_role=actor.role,
        account_id=actor.account_id,
        provider_id=actor.provider_id,
        channel=actor.channel,
        note=note,
        note_msg=messages.to_json(message),
        is_public=public,
        created_at=now,
    )
    session.add(update)
    if target is not current:
        _stamp(report, current, target, note, now)
        report.status = target
        if target is ReportStatus.VALIDATED:
            report.rejection_reason_msg = None
        elif target is ReportStatus.REJECTED:
            report.rejection_reason_msg = messages.to_json(message)
    report.updated_at = now
    # Who must hear of it (the body, the ATM, the reporter) is decided after commit.
    jobs.enqueue(session, jobs.NOTIFY_REPORTS, [report.id])
    return update


def _stamp(
    report: Report, current: ReportStatus, target: ReportStatus, note: str | None, now: datetime
) -> None:
    """The timestamps a move sets or clears (the clocks of the indicators)."""
    if target is ReportStatus.VALIDATED:
        report.validated_at = report.validated_at or now
        report.rejection_reason = None
    elif target is ReportStatus.REJECTED:
        report.rejection_reason = note
    if target in statuses.ANSWERED and report.acknowledged_at is None:
        report.acknowledged_at = now  # the first answer stops the "time to acknowledge" clock
    if target is ReportStatus.RESOLVED:
        report.resolved_at = now
    if target is ReportStatus.CLOSED:
        report.closed_at = now
    if current in (ReportStatus.RESOLVED, ReportStatus.CLOSED) and target in statuses.OPEN:
        report.resolved_at = None  # re-opened: it is not solved after all
        report.closed_at = None
