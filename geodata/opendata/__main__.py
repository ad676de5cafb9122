"""Publish the downloads without Celery: ``python -m geodata.opendata [--directory DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geodata.database import session_scope
from geodata.opendata.publish import publish_downloads
from geodata.settings import get_settings
from geodata.storage import publish_store


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Write the open-data downloads and metadata.")
    parser.add_argument("--directory", type=Path, default=settings.publish_dir)
    parser.add_argument("--base-url", default=settings.base_url)
    args = parser.parse_args(argv)
    with session_scope() as session:
        store = publish_store() if settings.storage_backend == "s3" else None
        result = publish_downloads(session, args.directory, args.base_url.rstrip("/"), store=store)
    print(
        f"published into {result.directory}: {len(result.written)} files written, "
        f"{len(result.unchanged)} unchanged"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
