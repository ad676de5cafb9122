"""What the citizen pages ask while a person uses them: search, near me, and the report form's
check of the place and the photo before it says "Sent"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import LanguageDep, ReadSessionDep
from api.schemas.responses import JSON
from geodata import nearby, search
from geodata.reports.precheck import check_photo, check_place
from geodata.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["citizen"])

MAX_RESULTS = 25


@router.get("/search", summary="Find water systems, communities, districts and places")
def find(
    session: ReadSessionDep,
    q: Annotated[str, Query(min_length=2, max_length=100, description="What to look for")],
    limit: Annotated[int, Query(ge=1, le=MAX_RESULTS)] = 10,
) -> JSON:
    """Forgiving of accents, case and small typos; the last word may be unfinished. Systems
    carry their status and any unconfirmed citizen alert; districts and provinces their bbox."""
    found = search.search(session, q, limit)
    return JSON({"query": q, "items": found.items, "more": found.more})


@router.get("/nearby", summary="The water systems and sources nearest to a point")
def near(
    session: ReadSessionDep,
    lon: Annotated[float, Query(ge=-180, le=180, allow_inf_nan=False)],
    lat: Annotated[float, Query(ge=-90, le=90, allow_inf_nan=False)],
) -> JSON:
    """Nearest first, with the distance in metres and the compass direction to walk."""
    return JSON({"lon": lon, "lat": lat, "items": nearby.nearest(session, lon, lat)})


@router.get("/report-check", summary="Check a report's place and photo before sending it")
def report_check(
    session: ReadSessionDep,
    language: LanguageDep,
    code: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, allow_inf_nan=False)] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, allow_inf_nan=False)] = None,
    photo_bytes: Annotated[int | None, Query(ge=0)] = None,
    photo_type: Annotated[str | None, Query(max_length=100)] = None,
) -> JSON:
    """What validation or intake would refuse at once (an unknown code, a place outside
    La Libertad, a photo too large or not an image), in the same words. Stores nothing."""
    settings = get_settings()
    problems = check_place(session, settings, code, lon, lat) + check_photo(
        settings, photo_bytes, photo_type
    )
    return JSON(
        {
            "ok": not problems,
            "problems": [
                {"field": p.field, "code": p.code, "message": p.message.render(language)}
                for p in problems
            ],
        }
    )
