"""Who is told what about reports (FixMyStreet's practice, ``../shared/domain/PROVIDERS.md``).

- A validated urgent report (``report.is_urgent``: suspected contamination, no water, an
  official red result) reaches its provider's contacts at once, with a signed answer link;
  the others wait for the daily digest per provider. ``notify_report_notice`` records which
  bodies were told (each once; a report handed to another body reaches it at once), and
  ``report.delivered_at`` when the first was.
- An overdue (escalated) report reaches the district's ATM (``routing.district_atms``).
- A reporter who left a contact and agreed (``notify_contact.reports_opt_in_at``) is told when
  a body acknowledges, answers or resolves the report.

Every notice is a ledger row (``outbox.queue_message``) with an event key, so a rule that runs
twice tells nobody twice. The rules run in the worker after the change committed
(``jobs.NOTIFY_REPORTS``, enqueued by ``lifecycle.transition``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, selectinload

from geodata.desk.links import issue_answer_link
from geodata.inbound.notices import remember_notice
from geodata.inbound.texts import PROVIDER_HELP, say
from geodata.models import (
    ActorKind,
    ChannelKind,
    Provider,
    Report,
    ReportNotice,
    ReportStatus,
    ReportUpdate,
)
from geodata.notify import contacts, texts
from geodata.notify.outbox import queue_message
from geodata.reports import statuses
from geodata.reports.routing import district_atms
from geodata.settings import get_settings

# Changes a reporter hears of; public notes of a body ("answered") too.
TOLD_STATUSES = (
    ReportStatus.ACKNOWLEDGED,
    ReportStatus.IN_PROGRESS,
    ReportStatus.RESOLVED,
    ReportStatus.CLOSED,
)
ANSWERING = (ActorKind.PROVIDER, ActorKind.AUTHORITY, ActorKind.MODERATOR)
RECENT_UPDATES = timedelta(days=7)  # older changes are not news any more


PHONE_CHANNELS = (ChannelKind.WHATSAPP, ChannelKind.SMS)


def provider_recipients(provider: Provider) -> list[tuple[str, ChannelKind]]:
    """A body's e-mail, and its WhatsApp (else its phone, by SMS)."""
    found: list[tuple[str, ChannelKind]] = []
    if provider.contact_email:
        found.append((provider.contact_email, ChannelKind.EMAIL))
    if provider.contact_whatsapp:
        found.append((provider.contact_whatsapp, ChannelKind.WHATSAPP))
    elif provider.contact_phone:
        found.append((provider.contact_phone, ChannelKind.SMS))
    return found


def notify_provider(
    session: Session,
    provider: Provider,
    *,
    event_key: str,
    subject: str,
    text: str,
    data: dict[str, Any],
    report_id: int | None = None,
    now: datetime,
) -> int:
    """Queue the notice to each of the body's contacts and to the webhook; how many."""
    count = 0
    for address, kind in provider_recipients(provider):
        if kind is ChannelKind.WHATSAPP:
            # The body registered this number for WhatsApp on its own desk: its opt-in.
            contacts.record_consent(session, address, whatsapp=True, now=now, keep_earlier=True)
        body = text
        if kind in PHONE_CHANNELS:
            # A phone answers by replying a number (geodata.inbound.answers); the notice says
            # how. After a notice of one report, a bare ``3 cambiamos la tubería`` answers it;
            # after a digest, the reply names the tracking code.
            if report_id is not None:
                remember_notice(session, address, report_id, now)
            body = f"{text}\n{say(PROVIDER_HELP)}"
        queue_message(
            session,
            event_key=event_key,
            recipient=address,
            channel=kind,
            subject=subject,
            text=body,
            report_id=report_id,
            provider_id=provider.id,
        )
        count += 1
    webhook = get_settings().webhook_url
    if webhook:
        queue_message(
            session,
            event_key=event_key,
            recipient=webhook,
            channel=ChannelKind.WEBHOOK,
            subject=subject,
            text=text,
            report_id=report_id,
            provider_id=provider.id,
            details={"data": {"provider_id": provider.id, **data}},
        )
        count += 1
    return count


def _report_data(report: Report) -> dict[str, Any]:
    return {
        "tracking_code": report.tracking_code,
        "category": report.category.value,
        "status": ReportStatus(report.status).value,
        "urgent": report.is_urgent,
        "url": texts.url(f"/seguimiento/{report.tracking_code}"),
    }


def notify_reports(session: Session, report_ids: Sequence[int], now: datetime | None = None) -> int:
    """Apply the rules to reports whose status or notes changed; returns notices queued."""
    now = now or datetime.now(UTC)
    reports = session.scalars(
        select(Report)
        .where(Report.id.in_(list(report_ids)))
        .options(selectinload(Report.updates))
        .order_by(Report.id)
    ).all()
    atms = district_atms(session, [r.district_id for r in reports if r.district_id is not None])
    told = {
        (report_id, provider_id)
        for report_id, provider_id in session.execute(
            select(ReportNotice.report_id, ReportNotice.provider_id).where(
                ReportNotice.report_id.in_([r.id for r in reports])
            )
        )
    }
    queued = 0
    for report in reports:
        queued += _to_its_body(session, report, told, now)
        queued += _escalated(session, report, atms, now)
        queued += _reporter(session, report, now)
    return queued


def mark_told(session: Session, report: Report, provider_id: int, now: datetime) -> None:
    """Record that ``provider_id`` was told of ``report`` (and when the first body was)."""
    session.execute(
        insert(ReportNotice)
        .values(report_id=report.id, provider_id=provider_id, notified_at=now)
        .on_conflict_do_nothing()
    )
    report.delivered_at = report.delivered_at or now


def _to_its_body(
    session: Session, report: Report, told: set[tuple[int, int]], now: datetime
) -> int:
    """At once to its body when urgent, or when it was handed over from a body already told
    (the new one must not wait for tomorrow's digest). Each body once."""
    status = ReportStatus(report.status)
    provider_id = report.provider_id
    if status not in statuses.LIVE or provider_id is None or (report.id, provider_id) in told:
        return 0
    handed = any(r == report.id for r, _ in told)
    if not (report.is_urgent or handed):
        return 0
    provider = session.get(Provider, provider_id)
    if provider is None:
        return 0
    link = issue_answer_link(session, report, provider, now=now).url
    subject, text = (
        texts.urgent_notice(report, link) if report.is_urgent else texts.handed_notice(report, link)
    )
    count = notify_provider(
        session,
        provider,
        event_key=f"report:{report.id}:to:{provider_id}",
        subject=subject,
        text=text,
        data={
            "event": "report.urgent" if report.is_urgent else "report.handed",
            **_report_data(report),
        },
        report_id=report.id,
        now=now,
    )
    if count:
        mark_told(session, report, provider_id, now)
        told.add((report.id, provider_id))
    return count


def _escalated(session: Session, report: Report, atms: dict[int, int], now: datetime) -> int:
    if report.overdue_at is None or ReportStatus(report.status) not in statuses.OPEN:
        return 0
    atm_id = atms.get(report.district_id) if report.district_id is not None else None
    if atm_id is None or atm_id == report.provider_id:
        return 0
    atm = session.get(Provider, atm_id)
    holder = session.get(Provider, report.provider_id) if report.provider_id else None
    assert atm is not None
    subject, text = texts.overdue_notice(report, holder.name if holder else None)
    return notify_provider(
        session,
        atm,
        event_key=f"report:{report.id}:overdue",
        subject=subject,
        text=text,
        data={"event": "report.overdue", **_report_data(report)},
        report_id=report.id,
        now=now,
    )


def _told(update: ReportUpdate) -> bool:
    if not update.is_public or ActorKind(update.actor_kind) is ActorKind.CITIZEN:
        return False
    to = ReportStatus(update.to_status)
    if update.from_status is not None and ReportStatus(update.from_status) is not to:
        return to in TOLD_STATUSES
    return bool(update.note) and ActorKind(update.actor_kind) in ANSWERING


def _reporter(session: Session, report: Report, now: datetime) -> int:
    recent = [u for u in report.updates if u.created_at >= now - RECENT_UPDATES and _told(u)]
    if not recent:
        return 0
    route = contacts.citizen_route(session, report.reporter_contact, now)
    if route is None:
        return 0
    address, kind = route
    for update in recent:
        to = ReportStatus(update.to_status)
        changed = update.from_status is not None and ReportStatus(update.from_status) is not to
        subject, text = texts.citizen_update(report, to, changed, update.actor_name, update.note)
        queue_message(
            session,
            event_key=f"report:{report.id}:update:{update.id}",
            recipient=address,
            channel=kind,
            subject=subject,
            text=text,
            language=report.language,
            report_id=report.id,
        )
    return len(recent)


def _digest_key(reports: Sequence[Report]) -> str:
    ids = ",".join(str(r.id) for r in sorted(reports, key=lambda r: r.id))
    return hashlib.sha256(ids.encode()).hexdigest()[:24]


def send_digests(session: Session, now: datetime | None = None) -> int:
    """One summary per body of its validated reports nobody has told it of yet; returns the
    number of bodies told. A body with no contact is not told (its reports wait)."""
    now = now or datetime.now(UTC)
    waiting = session.scalars(
        select(Report)
        .where(
            Report.status == ReportStatus.VALIDATED,
            Report.provider_id.is_not(None),
            ~exists().where(
                ReportNotice.report_id == Report.id, ReportNotice.provider_id == Report.provider_id
            ),
        )
        .order_by(Report.provider_id, Report.received_at)
        .with_for_update(skip_locked=True)
    ).all()
    by_provider: dict[int, list[Report]] = defaultdict(list)
    for report in waiting:
        assert report.provider_id is not None
        by_provider[report.provider_id].append(report)
    told = 0
    for provider_id, reports in by_provider.items():
        provider = session.get(Provider, provider_id)
        assert provider is not None
        subject, text = texts.digest(reports)
        count = notify_provider(
            session,
            provider,
            # The same waiting reports make the same key: a digest run twice sends once.
            event_key=f"digest:{provider_id}:{_digest_key(reports)}",
            subject=subject,
            text=text,
            data={"event": "reports.digest", "reports": [_report_data(r) for r in reports]},
            now=now,
        )
        if count:
            told += 1
            for report in reports:
                mark_told(session, report, provider_id, now)
    session.flush()
    return told
