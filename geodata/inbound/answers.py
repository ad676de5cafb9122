"""A provider answers a report by replying to its notice: ``3 ABCD2345 cambiamos la tubería``.

The number becomes the same answer as on the desk (``geodata.desk.actions``): 1 acknowledged,
2 in progress, 3 resolved, 4 "not ours" (handed to the district's ATM); the free text is a
public note in the body's name. Who may answer:

* a member of staff whose account has this phone: exactly what their desk allows (the scope);
* a body whose public contact phone or WhatsApp is this number: the reports it holds (or, for
  a district's ATM, those of its district), as a signed answer link does.

Which report: the tracking code in the reply, else the last report noticed to this phone
(``geodata.inbound.notices``). A refused answer changes nothing and is explained.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from geodata.accounts.scope import Scope, scope_for
from geodata.desk.actions import Answer, Caller, Result, answer, perform
from geodata.desk.rules import Action
from geodata.errors import InvalidInput
from geodata.inbound.notices import last_noticed
from geodata.inbound.syntax import Choice
from geodata.models import Account, ActorKind, Provider, Report
from geodata.notify.base import mask_address
from geodata.reports.errors import ReportNotFound
from geodata.reports.lifecycle import Actor

ACTIONS: dict[Choice, Action] = {
    Choice.RECEIVED: Action.ACKNOWLEDGE,
    Choice.IN_REPAIR: Action.IN_PROGRESS,
    Choice.RESOLVED: Action.RESOLVE,
    Choice.NOT_OURS: Action.REASSIGN,
}


class WhichReport(InvalidInput):
    code = "which_report"
    message = "Which report? Write its tracking code after the number, e.g. 3 ABCD2345."


@dataclass(frozen=True, slots=True)
class Answerer:
    """Who is behind a phone that may answer: a staff account, or bodies by their contact."""

    phone: str
    scope: Scope | None = None
    providers: tuple[Provider, ...] = ()


def answerer_for(session: Session, phone: str) -> Answerer | None:
    account = session.scalars(
        select(Account).where(Account.phone == phone, Account.is_active.is_(True))
    ).first()
    if account is not None:
        scope = scope_for(session, account.id)
        if scope.provider_ids or scope.district_ids or scope.can_moderate():
            return Answerer(phone, scope=scope)
    providers = tuple(
        session.scalars(
            select(Provider)
            .where(or_(Provider.contact_phone == phone, Provider.contact_whatsapp == phone))
            .order_by(Provider.id)
        )
    )
    return Answerer(phone, providers=providers) if providers else None


def _report_code(session: Session, answerer: Answerer, code: str | None) -> str:
    if code:
        return code
    report_id = last_noticed(session, answerer.phone)
    report = session.get(Report, report_id) if report_id is not None else None
    if report is None:
        raise WhichReport()
    return report.tracking_code


def _holder(providers: tuple[Provider, ...], report: Report) -> Provider | None:
    """The body among ``providers`` that answers ``report`` (as a signed link's holder)."""
    for provider in providers:
        if report.provider_id == provider.id:
            return provider
    for provider in providers:
        if provider.is_district_atm and provider.district_id == report.district_id:
            return provider
    return None


def answer_by_reply(
    session: Session,
    answerer: Answerer,
    choice: Choice,
    code: str | None,
    note: str,
    channel: str,
) -> Result:
    """Apply the numbered answer; raises an AppError (nothing written) when it is refused."""
    given = Answer(ACTIONS[choice], note.strip() or None, public=True, escalate=True)
    tracking_code = _report_code(session, answerer, code)
    with session.begin_nested():
        if answerer.scope is not None:
            caller = Caller(answerer.scope, f"{channel} {mask_address(answerer.phone)}", channel)
            return answer(session, caller, tracking_code, given)
        report = session.scalars(
            select(Report).where(Report.tracking_code == tracking_code).with_for_update()
        ).first()
        provider = _holder(answerer.providers, report) if report is not None else None
        if report is None or provider is None:
            raise ReportNotFound()  # as for a code that does not exist: nothing is revealed
        actor = Actor(ActorKind.PROVIDER, provider.name, provider_id=provider.id, channel=channel)
        who = f"{channel} {mask_address(answerer.phone)} ({provider.name})"
        return perform(session, report, given, actor, who=who)
