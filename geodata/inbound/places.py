"""Which system or source a code in a message names: ``SIASAR-160421``, ``siasar 160421`` or
just ``160421`` (people copy the number from the map or a sign at the reservoir)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.models import WaterSource, WaterSystem


def resolve_code(session: Session, candidates: Iterable[str]) -> str | None:
    """The stored code of the first candidate that names exactly one system (else source)."""
    for candidate in candidates:
        for model in (WaterSystem, WaterSource):
            if candidate.isdigit():
                digits = func.regexp_replace(model.code, "[^0-9]", "", "g")
                found = session.scalars(select(model.code).where(digits == candidate).limit(2))
            else:
                found = session.scalars(
                    select(model.code).where(func.upper(model.code) == candidate).limit(2)
                )
            codes = list(found)
            if len(codes) == 1:
                return codes[0]
    return None
