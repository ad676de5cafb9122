"""Who must answer a report: the linked system's provider, else the district's ATM.

``district_atms`` is the one rule for "the ATM of a district" (the provider flagged
``is_district_atm``): routing, escalation, the map popup and the desk all ask it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.models import Provider, WaterSystem


def district_atms(session: Session, district_ids: Iterable[int] | None = None) -> dict[int, int]:
    """district id -> provider id of its ATM (every district when ``district_ids`` is None)."""
    stmt = select(Provider.district_id, Provider.id).where(Provider.is_district_atm.is_(True))
    if district_ids is not None:
        wanted = sorted(set(district_ids))
        if not wanted:
            return {}
        stmt = stmt.where(Provider.district_id.in_(wanted))
    return {district: provider for district, provider in session.execute(stmt) if district}


def district_atm(session: Session, district_id: int | None) -> Provider | None:
    """The ATM of one district, as a row (for pages that show its contact details)."""
    if district_id is None:
        return None
    provider_id = district_atms(session, [district_id]).get(district_id)
    return session.get(Provider, provider_id) if provider_id is not None else None


class Router:
    """Responsible providers, looked up once per batch of reports."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._system_providers: dict[int, int | None] = {}
        self._atms: dict[int, int] | None = None

    def prefetch(self, system_ids: Iterable[int | None]) -> None:
        wanted = {s for s in system_ids if s is not None} - set(self._system_providers)
        if wanted:
            rows = self.session.execute(
                select(WaterSystem.id, WaterSystem.provider_id).where(WaterSystem.id.in_(wanted))
            )
            self._system_providers.update({sid: pid for sid, pid in rows})

    def atm_of(self, district_id: int | None) -> int | None:
        if district_id is None:
            return None
        if self._atms is None:
            self._atms = district_atms(self.session)
        return self._atms.get(district_id)

    def responsible(self, system_id: int | None, district_id: int | None) -> int | None:
        if system_id is not None:
            self.prefetch([system_id])
            provider = self._system_providers.get(system_id)
            if provider is not None:
                return provider
        return self.atm_of(district_id)
