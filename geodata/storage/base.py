"""What the service needs from a place to keep files: photos, thumbnails, published downloads.

Two backends implement it: ``LocalStore`` (a directory; the default, nothing to configure) and
``S3Store`` (any S3-compatible object store: MinIO, AWS S3, Ceph...). Keys are relative,
slash-separated names (``reports/ab/<key>.jpg``, ``wpdx.csv``). Code that serves a file asks
``local_path`` first (stream it) and otherwise ``signed_url`` (redirect the client there), so
no API process ever proxies object-store bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What validators (ETag, Last-Modified) are made of."""

    size: int
    version: str  # changes whenever the content does (mtime for files, the store's ETag)
    modified: datetime  # timezone-aware, UTC


@runtime_checkable
class ObjectStore(Protocol):
    def put(
        self,
        key: str,
        data: bytes,
        content_type: str,
        content_encoding: str | None = None,
        content_disposition: str | None = None,
    ) -> None:
        """Write ``data`` under ``key`` atomically (readers see the old or the new object)."""
        ...

    def put_file(
        self,
        key: str,
        path: Path,
        content_type: str,
        content_encoding: str | None = None,
        content_disposition: str | None = None,
    ) -> None: ...

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is none."""
        ...

    def stat(self, key: str) -> ObjectInfo | None: ...

    def delete(self, key: str) -> None: ...

    def local_path(self, key: str) -> Path | None:
        """The file to stream when the store is a local directory; None for remote stores."""
        ...

    def signed_url(self, key: str, expires_seconds: int) -> str | None:
        """A short-lived URL the client may fetch directly; None for local stores."""
        ...


def check_key(key: str) -> str:
    """Keys come from our own code, but a path that climbs out of its root is refused anyway."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad storage key: {key!r}")
    return key
