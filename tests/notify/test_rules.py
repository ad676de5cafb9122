"""Who is told what: urgent reports at once (with a signed answer link), the others in one
daily digest per body, escalations to the district's ATM, reporters who agreed when their
report is acknowledged, answered or resolved; each event once per recipient."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from geodata import jobs
from geodata.desk.overdue import mark_overdue
from geodata.models import ActorKind, ChannelKind, ReportCategory, ReportStatus
from geodata.notify import contacts, rules
from geodata.reports.lifecycle import Actor, transition
from tests import account_factories as accounts
from tests import report_factories as make
from tests.notify.support import (
    ATM_EMAIL,
    CITIZEN,
    JASS_EMAIL,
    body_with_contacts,
    deliveries,
    report,
)


def _place(session: Session, offset: int = 7) -> make.Place:
    return make.systems(session, 1, offset=offset)[0]


def test_urgent_at_once_the_others_in_one_digest_each_once(session: Session) -> None:
    place = _place(session)
    provider = body_with_contacts(session, place)
    urgent = report(session, place, ReportCategory.SUSPECTED_CONTAMINATION)
    leak = report(session, place, ReportCategory.LEAK)
    assert urgent.is_urgent and not leak.is_urgent
    queued = {i for j in jobs.pending(session) if j.name == jobs.NOTIFY_REPORTS for i in j.args[0]}
    assert {urgent.id, leak.id} <= queued

    rules.notify_reports(session, [urgent.id, leak.id])
    rules.notify_reports(session, [urgent.id, leak.id])  # a rule run twice tells once
    (notice,) = deliveries(session, provider_id=provider.id)
    assert notice.event_key == f"report:{urgent.id}:to:{provider.id}"
    assert (notice.recipient, notice.channel) == (JASS_EMAIL, ChannelKind.EMAIL)
    assert urgent.tracking_code in notice.subject and "/responder/" in notice.text
    assert notice.subject.startswith("Reporte urgente")
    assert urgent.delivered_at is not None and leak.delivered_at is None

    assert rules.send_digests(session) >= 1
    rows = deliveries(session, provider_id=provider.id)
    assert len(rows) == 2
    digest = rows[1]
    assert digest.event_key.startswith(f"digest:{provider.id}:")
    assert leak.tracking_code in digest.text and urgent.tracking_code not in digest.text
    assert leak.delivered_at is not None
    rules.send_digests(session)
    assert len(deliveries(session, provider_id=provider.id)) == 2


def test_a_body_without_contacts_is_not_told_and_its_reports_wait(session: Session) -> None:
    place = _place(session, 9)
    provider = body_with_contacts(session, place)
    provider.contact_email = None
    leak = report(session, place)
    rules.send_digests(session)
    assert deliveries(session, provider_id=provider.id) == []
    assert leak.delivered_at is None


def test_an_overdue_report_is_escalated_to_the_district_atm(session: Session) -> None:
    place = _place(session, 11)
    provider = body_with_contacts(session, place)
    assert place.district_id is not None
    atm = accounts.atm(session, place.district_id)
    assert atm.id != provider.id
    atm.contact_email = ATM_EMAIL
    leak = report(session, place)
    leak.due_at = datetime.now(UTC) - timedelta(hours=1)
    session.flush()
    assert leak.id in mark_overdue(session)
    assert any(
        j.name == jobs.NOTIFY_REPORTS and leak.id in j.args[0] for j in jobs.pending(session)
    )
    rules.notify_reports(session, [leak.id])
    (notice,) = deliveries(session, provider_id=atm.id)
    assert notice.event_key == f"report:{leak.id}:overdue" and notice.recipient == ATM_EMAIL
    assert provider.name in notice.text and leak.tracking_code in notice.subject


def test_a_reporter_who_agreed_is_told_of_acknowledge_answer_and_resolve(session: Session) -> None:
    place = _place(session, 13)
    provider = body_with_contacts(session, place)
    agreed = report(session, place)
    silent = report(session, place, contact="otra.vecina@example.org")
    contacts.record_consent(session, CITIZEN, reports=True)
    body = Actor(ActorKind.PROVIDER, provider.name, provider_id=provider.id, channel="desk")
    for item in (agreed, silent):
        transition(session, item, ReportStatus.ACKNOWLEDGED, body, "Vamos mañana")
        transition(session, item, None, body, "Revisión interna", public=False)
        transition(session, item, None, body, "Llevamos tubos nuevos")
        transition(session, item, ReportStatus.RESOLVED, body, "Cambiamos el tramo")
    session.flush()
    rules.notify_reports(session, [agreed.id, silent.id])
    rules.notify_reports(session, [agreed.id, silent.id])
    told = deliveries(session, recipient=CITIZEN)
    assert [d.event_key.split(":")[2] for d in told] == ["update"] * 3
    first, answered, resolved = (d.text for d in told)
    assert "ahora está: recibido por el responsable" in first
    assert agreed.tracking_code in first and "Vamos mañana" in first
    assert "Llevamos tubos nuevos" in answered and provider.name in answered
    assert "Cambiamos el tramo" in resolved and "/seguimiento/" in resolved
    assert deliveries(session, recipient="otra.vecina@example.org") == []


def test_a_report_handed_to_the_atm_reaches_it_at_once_and_each_body_once(
    session: Session,
) -> None:
    from geodata.accounts.scope import scope_for
    from geodata.desk.actions import Answer, Caller, answer
    from geodata.desk.rules import Action
    from geodata.models import Role
    from tests.desk.conftest import member

    place = _place(session, 15)
    provider = body_with_contacts(session, place)
    assert place.district_id is not None
    atm = accounts.atm(session, place.district_id)
    atm.contact_email = ATM_EMAIL
    leak = report(session, place)
    rules.send_digests(session)
    assert len(deliveries(session, provider_id=provider.id)) == 1
    staff = member(session, Role.PROVIDER_STAFF, provider)
    caller = Caller(scope_for(session, staff.account.id), "tests", "desk")
    answer(session, caller, leak.tracking_code, Answer(Action.REASSIGN, escalate=True))
    assert leak.provider_id == atm.id
    rules.notify_reports(session, [leak.id])
    rules.notify_reports(session, [leak.id])
    (notice,) = deliveries(session, provider_id=atm.id)
    assert notice.event_key == f"report:{leak.id}:to:{atm.id}" and notice.recipient == ATM_EMAIL
    assert notice.subject.startswith("Reporte") and "derivado" in notice.subject
    rules.send_digests(session)  # the ATM was told: no digest line for it again
    assert len(deliveries(session, provider_id=atm.id)) == 1
    assert len(deliveries(session, provider_id=provider.id)) == 1
