"""Write every download and ``metadata.json`` into the publish directory, atomically.

Idempotent: a collection whose content fingerprint (features, WPdx rows, format version, base URL)
is unchanged keeps its files untouched, so ETags and Last-Modified stay stable between runs and
an unchanged publish rewrites nothing. A file lock serialises runs on one machine, and a
transaction-level advisory lock the runs of a cluster.

Files are written into ``directory`` (GDAL writes GeoPackages to a file), then copied to the
publish store (``geodata.storage``) when that is not the same directory: each collection's files
first, ``metadata.json`` last, so a reader that finds a collection in the metadata finds its
files too.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.opendata.collections import COLLECTIONS, Collection
from geodata.opendata.exporters import (
    TEMP_PREFIX,
    atomic_write,
    write_csv,
    write_geojson,
    write_gpkg,
    write_gzip_sibling,
    write_wpdx,
)
from geodata.opendata.features import fetch_all
from geodata.opendata.licences import licence_url
from geodata.opendata.metadata import (
    CSV,
    FORMAT_VERSION,
    GEOJSON,
    GPKG,
    METADATA_FILE,
    WPDX,
    Format,
    build_metadata,
)
from geodata.opendata.wpdx import wpdx_rows
from geodata.seed.provenance import file_checksum
from geodata.storage import LocalStore, ObjectStore

LOCK_FILE = ".publish.lock"
PUBLISH_LOCK = 7303  # pg_advisory_xact_lock key: one publish at a time in the cluster


@dataclass
class PublishResult:
    directory: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    with (directory / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_metadata(directory: Path) -> dict[str, Any] | None:
    path = directory / METADATA_FILE
    try:
        return orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None


def read_stored_metadata(store: ObjectStore) -> dict[str, Any] | None:
    data = store.get(METADATA_FILE)
    if data is None:
        return None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


def _files_intact(directory: Path, store: ObjectStore, entry: dict[str, Any]) -> bool:
    for item in entry.get("files", []):
        path = directory / item["name"]
        if not path.is_file() or path.stat().st_size != item["size"]:
            return False
        stored = store.stat(item["name"])
        if stored is None or stored.size != item["size"]:
            return False
    return True


def _upload(directory: Path, store: ObjectStore, name: str, media_type: str) -> None:
    disposition = "inline" if name == METADATA_FILE else f'attachment; filename="{name}"'
    compressed = directory / f"{name}.gz"
    if compressed.is_file():
        store.put_file(f"{name}.gz", compressed, media_type, "gzip", disposition)
    store.put_file(name, directory / name, media_type, None, disposition)


def _file_entry(
    directory: Path, fmt: Format, collection: Collection, base_url: str, records: int
) -> dict[str, Any]:
    name = fmt.file_name(collection.id)
    path = directory / name
    if fmt.compress:
        write_gzip_sibling(path)
    return {
        "name": name,
        "format": fmt.title,
        "media_type": fmt.media_type,
        "records": records,
        "size": path.stat().st_size,
        "sha256": file_checksum(path),
        "url": f"{base_url}/downloads/{name}",
        **({"header_rows": 2} if fmt is WPDX else {}),
    }


def _publish_collection(
    session: Session,
    directory: Path,
    store: ObjectStore,
    collection: Collection,
    base_url: str,
    previous: dict[str, Any] | None,
    now: datetime,
) -> tuple[dict[str, Any], bool]:
    features_json = fetch_all(session, collection)
    feature_url = f"{base_url}/ogc/collections/{collection.id}/items/{{code}}"
    wpdx = list(wpdx_rows(session, collection.id, feature_url)) if collection.wpdx else []
    digest = hashlib.sha256()
    for part in (FORMAT_VERSION, base_url, features_json, orjson.dumps(wpdx).decode()):
        digest.update(part.encode())
    fingerprint = digest.hexdigest()
    if (
        previous is not None
        and previous.get("fingerprint") == fingerprint
        and _files_intact(directory, store, previous)
    ):
        return previous, False

    features: list[dict[str, Any]] = orjson.loads(features_json)
    metadata_url = f"{base_url}/downloads/{METADATA_FILE}"
    updated = now.isoformat().replace("+00:00", "Z")
    header = {
        "name": collection.id,
        "title": collection.title,
        "description": collection.description,
        "license": collection.licence,
        "attribution": collection.attribution,
        "updated": updated,
        "numberMatched": len(features),
        "links": [
            {"rel": "describedby", "type": "application/json", "href": metadata_url},
            {"rel": "license", "type": "text/html", "href": licence_url(collection.licence)},
        ],
    }
    write_geojson(directory / GEOJSON.file_name(collection.id), header, features_json)
    write_csv(directory / CSV.file_name(collection.id), collection, features)
    gpkg_metadata = {
        "TITLE": collection.title,
        "DESCRIPTION": collection.description,
        "LICENSE": collection.licence,
        "ATTRIBUTION": collection.attribution,
        "METADATA": metadata_url,
    }
    write_gpkg(directory / GPKG.file_name(collection.id), collection, features, gpkg_metadata)
    formats = [GEOJSON, CSV, GPKG]
    if collection.wpdx:
        write_wpdx(directory / WPDX.file_name(collection.id), wpdx)
        formats.append(WPDX)
    files = [_file_entry(directory, fmt, collection, base_url, len(features)) for fmt in formats]
    entry = {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "licence": collection.licence,
        "licence_url": licence_url(collection.licence),
        "attribution": collection.attribution,
        "records": len(features),
        "updated": updated,
        "fingerprint": fingerprint,
        "ogc_url": f"{base_url}/ogc/collections/{collection.id}",
        "files": files,
    }
    for item in files:
        _upload(directory, store, item["name"], item["media_type"])
    return entry, True


def _remove_leftovers(directory: Path) -> None:
    """Temporary files of a run that was killed mid-write."""
    for path in directory.glob(f"{TEMP_PREFIX}*"):
        path.unlink(missing_ok=True)


def publish_downloads(
    session: Session,
    directory: Path,
    base_url: str,
    now: datetime | None = None,
    store: ObjectStore | None = None,
) -> PublishResult:
    """Write the downloads of every collection and ``metadata.json`` into ``directory`` and the
    publish ``store`` (by default that same directory); reads only, never commits."""
    directory.mkdir(parents=True, exist_ok=True)
    store = store if store is not None else LocalStore(directory)
    now = now or datetime.now(UTC)
    result = PublishResult(directory=directory)
    # Released when the caller's transaction ends; through PgBouncer too (transaction mode).
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK})
    with _locked(directory):
        _remove_leftovers(directory)
        previous = read_stored_metadata(store) or {}
        previous_entries = {c["id"]: c for c in previous.get("collections", [])}
        entries = []
        for collection in COLLECTIONS.values():
            entry, written = _publish_collection(
                session,
                directory,
                store,
                collection,
                base_url,
                previous_entries.get(collection.id),
                now,
            )
            names = [f["name"] for f in entry["files"]]
            (result.written if written else result.unchanged).extend(names)
            entries.append(entry)
        metadata = build_metadata(base_url, entries)
        if metadata != previous:
            atomic_write(
                directory / METADATA_FILE,
                lambda handle: handle.write(orjson.dumps(metadata, option=orjson.OPT_INDENT_2)),
            )
            _upload(directory, store, METADATA_FILE, "application/json")
            result.written.append(METADATA_FILE)
        else:
            result.unchanged.append(METADATA_FILE)
        result.metadata = metadata
    return result
