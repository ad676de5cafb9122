"""Where photos, thumbnails and published downloads live: one interface, two backends.

``media_store()`` holds report photos and thumbnails, ``publish_store()`` the open-data
downloads. With ``YAKU_STORAGE_BACKEND=local`` (the default) they are ``media_dir`` and
``publish_dir``; with ``s3`` they are the prefixes ``media/`` and ``publish/`` of one bucket, so
every API and worker host sees the same files.
"""

from __future__ import annotations

from functools import lru_cache

from geodata.settings import Settings, get_settings
from geodata.storage.base import ObjectInfo, ObjectStore
from geodata.storage.local import LocalStore

__all__ = ["LocalStore", "ObjectInfo", "ObjectStore", "make_store", "media_store", "publish_store"]


def make_store(settings: Settings, area: str) -> ObjectStore:
    """The store of ``area`` ("media" or "publish") as the settings configure it."""
    if settings.storage_backend == "s3":
        from geodata.storage.s3 import S3Store

        store = S3Store(
            settings.storage_bucket,
            f"{settings.storage_prefix.strip('/')}/{area}".lstrip("/"),
            endpoint_url=settings.storage_endpoint_url,
            public_endpoint_url=settings.storage_public_endpoint_url,
            region=settings.storage_region,
            access_key=settings.storage_access_key,
            secret_key=(
                settings.storage_secret_key.get_secret_value()
                if settings.storage_secret_key
                else None
            ),
        )
        if settings.storage_create_bucket:
            store.ensure_bucket()
        return store
    return LocalStore(settings.media_dir if area == "media" else settings.publish_dir)


@lru_cache
def media_store() -> ObjectStore:
    return make_store(get_settings(), "media")


@lru_cache
def publish_store() -> ObjectStore:
    return make_store(get_settings(), "publish")
