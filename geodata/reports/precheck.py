"""The report form's check before "Sent": what validation would refuse at once, said now.

While the phone is online, the form asks this before it queues a report, so a code that does
not exist, a point outside La Libertad, or a photo the intake would refuse is answered in the
form, with the same words validation and intake use, instead of after "Sent". Validation stays
the authority (it runs again on the stored report); this only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from geodata.errors import PayloadTooLarge, UnsupportedMedia
from geodata.messages import Message, message
from geodata.reports import locate
from geodata.reports.validation import OUTSIDE, SWAPPED, UNKNOWN_CODE
from geodata.settings import Settings
from geodata.spatial import region_checks

# What the intake decodes (geodata.media.ACCEPTED_FORMATS), as browsers name the files.
PHOTO_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/x-ms-bmp"}
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing to correct: the form field it belongs to and what to say."""

    field: str  # "place" or "photo"
    code: str
    message: Message


def check_place(
    session: Session,
    settings: Settings,
    code: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> list[Problem]:
    if code:
        if locate.resolve_code(session, code.strip()) is None:
            return [Problem("place", "unknown_code", message(UNKNOWN_CODE, code=code.strip()))]
        return []
    if lon is None or lat is None:
        return []
    tolerance = settings.region_tolerance_m
    inside, swapped = region_checks(session, [(lon, lat)], tolerance)[0]
    if inside:
        return []
    if swapped:
        return [Problem("place", "swapped", message(SWAPPED, lon=lon, lat=lat))]
    return [Problem("place", "outside", message(OUTSIDE, km=f"{tolerance / 1000:g}"))]


def check_photo(settings: Settings, size: int | None, media_type: str | None) -> list[Problem]:
    """The intake's own refusals (same error classes, same words) for a file of this size and
    type, before it is uploaded over a slow link."""
    if size is None:
        return []
    problems = []
    if size > settings.max_photo_bytes:
        too_large = PayloadTooLarge(
            "The photo is larger than {mb} MB.", mb=f"{settings.max_photo_bytes / 2**20:g}"
        )
        problems.append(
            Problem("photo", too_large.code, message(too_large.text, **too_large.params))
        )
    if media_type is not None and media_type.lower() not in PHOTO_TYPES:
        not_image = UnsupportedMedia()
        problems.append(Problem("photo", not_image.code, message(not_image.text)))
    return problems
