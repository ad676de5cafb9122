"""The answer figures on an account's desk: its bodies and, for ATM staff, every body of its
district; accounts that see everything get the bodies with most overdue reports first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, true
from sqlalchemy.orm import Session

from geodata.accounts.scope import Scope
from geodata.models import Provider
from geodata.reports.indicators import provider_figures

EVERYTHING_LIMIT = 100


def indicators_for(session: Session, scope: Scope) -> list[dict[str, Any]]:
    if scope.sees_everything:
        return provider_figures(session, true(), limit=EVERYTHING_LIMIT)
    if not scope.provider_ids and not scope.district_ids:
        return []
    condition = or_(
        Provider.id.in_(sorted(scope.provider_ids)),
        Provider.district_id.in_(sorted(scope.district_ids)),
    )
    return provider_figures(session, condition)
