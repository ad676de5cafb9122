"""What an account may see and do: the only producer of a scope (as Polar's ``authz``).

Every desk query takes a ``Scope`` and filters with its clauses; every change asks one of its
``can_*`` predicates. A report outside the scope is treated as if it did not exist (404), so
staff of one body cannot even learn that another body's reports exist.

Who may do what (``../shared/domain/DOMAIN.md``):

* administrator: everything, and accounts and roles;
* moderator: every report: rejects spam, merges duplicates, reassigns;
* provider staff (a JASS or EPS): the reports routed to its body, with the reporter's contact;
  their status and notes; its own public contact details;
* ATM staff: as provider staff for every report of its district (and what is escalated to it);
  reassigns within the district;
* health (DIRESA): reads everything with reporters' contacts; adds notes;
* analyst: reads everything except reporters' private fields; changes nothing.

Official readings (``geodata/evidence``): provider staff record the readings of their body's
systems, ATM staff those of every system of their district, health staff (DIRESA) and
administrators those of any system; laboratory results are uploaded by health staff and
administrators only. Moderators and analysts record nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import Session

from geodata.models import Membership, Provider, Report, Role, WaterSystem

EVERYTHING = frozenset({Role.ADMINISTRATOR, Role.MODERATOR, Role.HEALTH, Role.ANALYST})
PRIVATE_EVERYWHERE = frozenset({Role.ADMINISTRATOR, Role.MODERATOR, Role.HEALTH})
MODERATION = frozenset({Role.ADMINISTRATOR, Role.MODERATOR})
OFFICIAL_EVIDENCE_EVERYWHERE = frozenset({Role.ADMINISTRATOR, Role.HEALTH})


@dataclass(frozen=True, slots=True)
class Body:
    """A provider the account acts for, and in which role."""

    provider_id: int
    name: str
    role: Role
    district_id: int | None


@dataclass(frozen=True, slots=True)
class Scope:
    account_id: int
    roles: frozenset[Role]
    bodies: tuple[Body, ...] = ()
    provider_ids: frozenset[int] = field(default=frozenset())
    district_ids: frozenset[int] = field(default=frozenset())  # supervised as ATM staff

    # --- what it sees -----------------------------------------------------------------------

    @property
    def sees_everything(self) -> bool:
        return bool(self.roles & EVERYTHING)

    @property
    def is_staff(self) -> bool:
        return bool(self.roles)

    def reports_clause(self) -> Any:
        """SQL condition on ``Report``: the reports this account may know about."""
        if self.sees_everything:
            return true()
        if not self.provider_ids and not self.district_ids:
            return false()
        return or_(
            Report.provider_id.in_(sorted(self.provider_ids)),
            Report.district_id.in_(sorted(self.district_ids)),
        )

    def systems_clause(self) -> Any:
        """SQL condition on ``WaterSystem``: the systems on this account's desk map."""
        if self.sees_everything:
            return true()
        if not self.provider_ids and not self.district_ids:
            return false()
        return or_(
            WaterSystem.provider_id.in_(sorted(self.provider_ids)),
            WaterSystem.district_id.in_(sorted(self.district_ids)),
        )

    def sees(self, report: Report) -> bool:
        return (
            self.sees_everything
            or report.provider_id in self.provider_ids
            or report.district_id in self.district_ids
        )

    def sees_private(self, report: Report) -> bool:
        """The reporter's contact: the responsible bodies, moderators and health; never analysts."""
        if self.roles & PRIVATE_EVERYWHERE:
            return True
        return self._answers(report)

    # --- what it changes --------------------------------------------------------------------

    def _answers(self, report: Report) -> bool:
        return report.provider_id in self.provider_ids or report.district_id in self.district_ids

    def can_answer(self, report: Report) -> bool:
        """Acknowledge, set in progress, resolve, mark "not ours" (provider or ATM staff)."""
        return bool(self.roles & MODERATION) or self._answers(report)

    def can_note(self, report: Report) -> bool:
        return self.can_answer(report) or Role.HEALTH in self.roles

    def can_reject(self, report: Report) -> bool:
        """Reject as spam or off-topic (moderators, and the bodies that hold the report)."""
        return self.can_answer(report)

    def can_moderate(self) -> bool:
        """Merge duplicates, restore rejected reports, see reports that failed validation."""
        return bool(self.roles & MODERATION)

    def can_reassign(self, report: Report) -> bool:
        """Give a report to another body: moderators anywhere, ATM staff in their district,
        and the holding body ("not ours": it may hand it on or escalate it)."""
        return self.can_answer(report)

    def can_edit_provider(self, provider_id: int) -> bool:
        """Fill or correct a body's public contact details."""
        return Role.ADMINISTRATOR in self.roles or provider_id in self.provider_ids

    def can_manage_accounts(self) -> bool:
        return Role.ADMINISTRATOR in self.roles

    def can_record_readings(self, system: WaterSystem) -> bool:
        """Record an operator's readings (chlorine logbook) of ``system``: staff of its
        provider, ATM staff of its district, health staff and administrators anywhere."""
        if self.roles & OFFICIAL_EVIDENCE_EVERYWHERE:
            return True
        return system.provider_id in self.provider_ids or system.district_id in self.district_ids

    def can_upload_lab_results(self) -> bool:
        """Upload a laboratory's results file, for any system or source (health surveillance)."""
        return bool(self.roles & OFFICIAL_EVIDENCE_EVERYWHERE)

    # --- in whose name ----------------------------------------------------------------------

    def body_for(self, report: Report) -> Body | None:
        """The body this account answers ``report`` for (its public name on the answer)."""
        for body in self.bodies:
            if body.provider_id == report.provider_id:
                return body
        for body in self.bodies:
            if body.role is Role.ATM_STAFF and body.district_id == report.district_id:
                return body
        return None


def scope_for(session: Session, account_id: int) -> Scope:
    """Read the account's memberships once; the result is what every check uses."""
    rows = session.execute(
        select(Membership.role, Provider.id, Provider.name, Provider.district_id)
        .outerjoin(Provider, Provider.id == Membership.provider_id)
        .where(Membership.account_id == account_id)
        .order_by(Membership.id)
    ).all()
    roles = frozenset(Role(r.role) for r in rows)
    bodies = tuple(
        Body(r.id, r.name, Role(r.role), r.district_id) for r in rows if r.id is not None
    )
    districts = frozenset(
        b.district_id for b in bodies if b.role is Role.ATM_STAFF and b.district_id is not None
    )
    return Scope(
        account_id=account_id,
        roles=roles,
        bodies=bodies,
        provider_ids=frozenset(b.provider_id for b in bodies),
        district_ids=districts,
    )
