"""Who must answer a report: the linked system's provider, else the district's ATM."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.models import Provider, ProviderKind, WaterSystem


class Router:
    """Responsible providers, looked up once per batch of reports."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._system_providers: dict[int, int | None] = {}
        self._municipalities: dict[int, int] | None = None

    def prefetch(self, system_ids: Iterable[int | None]) -> None:
        wanted = {s for s in system_ids if s is not None} - set(self._system_providers)
        if wanted:
            rows = self.session.execute(
                select(WaterSystem.id, WaterSystem.provider_id).where(WaterSystem.id.in_(wanted))
            )
            self._system_providers.update({sid: pid for sid, pid in rows})

    def municipalities(self) -> dict[int, int]:
        """The ATM of each district (the seeded 'Municipalidad ... (ATM)' provider)."""
        if self._municipalities is None:
            rows = self.session.execute(
                select(Provider.district_id, func.min(Provider.id))
                .where(
                    Provider.kind == ProviderKind.MUNICIPALITY,
                    Provider.name.like("Municipalidad % (ATM)"),
                    Provider.district_id.is_not(None),
                )
                .group_by(Provider.district_id)
            )
            self._municipalities = {d: p for d, p in rows if d is not None}
        return self._municipalities

    def responsible(self, system_id: int | None, district_id: int | None) -> int | None:
        if system_id is not None:
            self.prefetch([system_id])
            provider = self._system_providers.get(system_id)
            if provider is not None:
                return provider
        if district_id is not None:
            return self.municipalities().get(district_id)
        return None


def responsible_provider(
    session: Session, system_id: int | None, district_id: int | None
) -> int | None:
    return Router(session).responsible(system_id, district_id)
