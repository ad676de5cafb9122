"""Providers: names as surveyed, the kind inferred from the name, one municipality per district."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geodata.models import AdminArea, AreaLevel, Provider, ProviderKind

# Survey entries that name only the kind of board, not which one.
GENERIC_PROVIDER_NAMES = {"jass", "jaap", "comit", "comite", "junta vecinal", "prestador"}


def fold(text: str) -> str:
    """Lower case without accents, for comparing names typed by hand."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def provider_kind(name: str) -> ProviderKind:
    folded = fold(name)
    if "municipal" in folded:
        return ProviderKind.MUNICIPALITY
    if re.search(r"\beps\b|sedalib", folded):
        return ProviderKind.EPS
    return ProviderKind.JASS


def provider_name(surveyed: str | None, community: str) -> str:
    """The surveyed name, tidied; a bare 'JASS' becomes 'JASS <community>' so boards stay apart."""
    name = re.sub(r"\s+", " ", surveyed or "").strip(" -")
    if not name or fold(name) in GENERIC_PROVIDER_NAMES:
        prefix = name.upper() if name else "Prestador"
        return f"{prefix} {community}".strip()
    return name


def municipality_name(district: AdminArea) -> str:
    # The first district of a province (ubigeo ending in 01) is run by the provincial municipality.
    scope = "Provincial" if district.ubigeo_inei.endswith("01") else "Distrital"
    return f"Municipalidad {scope} de {district.name} (ATM)"


def ensure_district_municipalities(session: Session) -> int:
    """One municipality per district, flagged as the district's ATM (``routing.district_atms``):
    reports go to it when no system is linked, and unanswered ones are escalated to it."""
    districts = session.scalars(select(AdminArea).where(AdminArea.level == AreaLevel.DISTRICT))
    rows = [
        {
            "kind": ProviderKind.MUNICIPALITY,
            "name": municipality_name(d),
            "district_id": d.id,
            "is_district_atm": True,
        }
        for d in districts
    ]
    if not rows:
        return 0
    # No conflict target: a district that already has its ATM (under any name) keeps it.
    inserted = session.scalars(
        insert(Provider).values(rows).on_conflict_do_nothing().returning(Provider.id)
    ).all()
    return len(inserted)


def upsert_providers(
    session: Session, keys: set[tuple[str, int | None]]
) -> dict[tuple[str, int | None], int]:
    rows = [{"kind": provider_kind(name), "name": name, "district_id": d} for name, d in keys]
    if rows:
        session.execute(
            insert(Provider)
            .values(rows)
            .on_conflict_do_nothing(constraint="uq_provider_kind_name_district")
        )
    found = session.execute(select(Provider.name, Provider.district_id, Provider.id)).all()
    return {(name, district): pid for name, district, pid in found}
