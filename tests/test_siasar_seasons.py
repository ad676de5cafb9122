"""SIASAR's "enough water at the source in the dry/rainy season": "not recorded" is unknown.

The export writes an unanswered yes/no question as NO (see ``season_answers``); 308 of the 371
systems of La Libertad answer NO to both seasons, which the map must not read as "no water".
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata.messages import render
from geodata.models import WaterStatus, WaterSystem
from geodata.reports.aggregation import recompute_all
from geodata.reports.evidence import survey_finding
from geodata.seed.siasar import season_answers


@pytest.mark.parametrize(
    ("dry", "rainy", "expected"),
    [
        ("NO", "NO", (None, None)),  # the section left blank
        ("NO", "SI", (False, True)),  # filled in: the source falls short in the dry season
        ("SI", "SI", (True, True)),
        ("SI", "NO", (True, False)),
        ("", "", (None, None)),
        (None, "SI", (None, True)),
    ],
)
def test_season_answers(dry: str | None, rainy: str | None, expected: tuple) -> None:
    assert season_answers(dry, rainy) == expected


def test_the_seeded_systems(session: Session) -> None:
    pair = (WaterSystem.water_in_dry_season, WaterSystem.water_in_rainy_season)
    rows = session.execute(
        select(*pair, func.count()).where(WaterSystem.code.like("SIASAR-%")).group_by(*pair)
    ).all()
    assert {(dry, rainy): n for dry, rainy, n in rows} == {
        (None, None): 308,
        (False, True): 53,
        (True, True): 10,
    }


def test_the_survey_says_nothing_it_did_not_record() -> None:
    surveyed = date(2015, 9, 14)
    unknown = survey_finding(surveyed, None, True, True)
    assert unknown is not None and unknown.colour is WaterStatus.GREEN
    assert "época seca" not in render(unknown.reason, "es")
    short = survey_finding(surveyed, False, True, True)
    assert short is not None and short.colour is WaterStatus.YELLOW
    assert render(short.reason, "es") == (
        "encuesta SIASAR: en época seca la fuente no alcanzaba para la demanda"
    )
    assert render(short.reason, "en") == (
        "SIASAR survey: the source fell short of the demand in the dry season"
    )


def test_the_map_claims_a_dry_season_shortage_only_where_it_was_recorded(
    session: Session,
) -> None:
    recompute_all(session, now=datetime(2026, 11, 1, tzinfo=UTC))
    claimed = session.scalar(
        select(func.count()).where(WaterSystem.status_reason.like("%época seca%"))
    )
    assert claimed == 53
