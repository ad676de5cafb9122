"""The default store: a directory on this machine (one host, or a shared volume)."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from geodata.storage.base import ObjectInfo, check_key


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(
        self,
        key: str,
        data: bytes,
        content_type: str,
        content_encoding: str | None = None,
        content_disposition: str | None = None,
    ) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A name of its own per writer: the same object may be stored by two threads at once.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)

    def put_file(
        self,
        key: str,
        path: Path,
        content_type: str,
        content_encoding: str | None = None,
        content_disposition: str | None = None,
    ) -> None:
        target = self._path(key)
        if target.resolve() == path.resolve():
            return  # already in place (publishing straight into the store's directory)
        self.put(key, path.read_bytes(), content_type, content_encoding, content_disposition)

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def stat(self, key: str) -> ObjectInfo | None:
        try:
            result = os.stat(self._path(key))
        except (FileNotFoundError, NotADirectoryError):
            return None
        return ObjectInfo(
            size=result.st_size,
            version=f"{result.st_mtime_ns:x}",
            modified=datetime.fromtimestamp(int(result.st_mtime), UTC),
        )

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def signed_url(self, key: str, expires_seconds: int) -> str | None:
        return None
