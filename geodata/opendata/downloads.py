"""Which published file answers a download request, and its validators (ETag, Last-Modified).

Everything here reads the publish store only (``geodata.storage``: the publish directory or a
bucket): a download never waits on a database query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from geodata.opendata.errors import DownloadNotFound, DownloadsNotPublished
from geodata.opendata.licences import PROJECT_LICENCE_URL, licence_url
from geodata.opendata.metadata import METADATA_FILE, media_type
from geodata.opendata.publish import read_stored_metadata
from geodata.storage import ObjectInfo, ObjectStore


@dataclass(frozen=True, slots=True)
class Download:
    name: str
    key: str  # the object in the publish store (``name`` or its .gz sibling)
    media_type: str
    gzipped: bool
    etag: str
    last_modified: datetime
    licence_url: str = PROJECT_LICENCE_URL

    @property
    def last_modified_http(self) -> str:
        return format_datetime(self.last_modified, usegmt=True)

    def not_modified(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """RFC 9110 13.1: If-None-Match decides when present, else If-Modified-Since."""
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or self.etag in tags
        if if_modified_since:
            try:
                since = parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return self.last_modified <= since
        return False


def published_index(store: ObjectStore) -> dict[str, Any]:
    metadata = read_stored_metadata(store)
    if metadata is None:
        raise DownloadsNotPublished()
    return metadata


def published_names(metadata: dict[str, Any]) -> set[str]:
    names = {METADATA_FILE}
    for collection in metadata.get("collections", []):
        names.update(item["name"] for item in collection.get("files", []))
    return names


def licence_of(metadata: dict[str, Any], name: str) -> str:
    """The licence URL of the collection a file belongs to (the project's for metadata.json)."""
    for collection in metadata.get("collections", []):
        if any(item["name"] == name for item in collection.get("files", [])):
            return licence_url(collection.get("licence", ""))
    return PROJECT_LICENCE_URL


def _validators(info: ObjectInfo, gzipped: bool) -> tuple[str, datetime]:
    suffix = "-gz" if gzipped else ""
    # HTTP dates have whole seconds (the store's are truncated), so If-Modified-Since
    # round-trips.
    return f'"{info.size:x}-{info.version}{suffix}"', info.modified


def resolve(store: ObjectStore, name: str, accepts_gzip: bool) -> Download:
    """The object for ``name`` (or its .gz sibling when the client accepts gzip)."""
    metadata = published_index(store)
    if name not in published_names(metadata):
        raise DownloadNotFound(name)
    compressed = store.stat(name + ".gz") if accepts_gzip else None
    info = compressed or store.stat(name)
    if info is None:
        raise DownloadNotFound(name)
    gzipped = compressed is not None
    etag, modified = _validators(info, gzipped)
    key = name + ".gz" if gzipped else name
    return Download(
        name, key, media_type(name), gzipped, etag, modified, licence_of(metadata, name)
    )


def accepts_gzip(accept_encoding: str | None) -> bool:
    for part in (accept_encoding or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False
