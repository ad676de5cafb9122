"""Answer a request for a stored object: 304 when the client's copy is current, the file
streamed from a local store, or a redirect to a short-lived signed URL of an object store.

Validators (ETag, Last-Modified) are computed by the caller and sent on every answer, so
conditional requests behave the same whichever backend holds the object.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from geodata.errors import NotFound
from geodata.settings import get_settings
from geodata.storage import ObjectStore


def matches(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags


def serve(
    store: ObjectStore,
    key: str,
    media_type: str,
    headers: Mapping[str, str],
    *,
    filename: str | None = None,
    disposition: str = "inline",
) -> Response:
    """The object itself (local store) or a 307 to where it may be fetched for a short while.
    Conditional requests are decided by the caller before this is called."""
    path = store.local_path(key)
    if path is not None:
        return FileResponse(
            path,
            media_type=media_type,
            headers=dict(headers),
            filename=filename,
            content_disposition_type=disposition,
        )
    expiry = get_settings().storage_url_seconds
    signed = store.signed_url(key, expiry)
    if signed is None:
        raise NotFound()
    redirect_headers = dict(headers)
    # The redirect may be reused a little, never past the life of the URL it names.
    redirect_headers["Cache-Control"] = f"private, max-age={max(0, min(60, expiry // 2))}"
    return RedirectResponse(signed, status_code=307, headers=redirect_headers)


def photo_response(request: Request, store: ObjectStore, key: str) -> Response:
    """Photos are content-addressed: the key names the content, so it is the ETag."""
    if store.stat(key) is None:
        raise NotFound()
    stem = key.rsplit("/", 1)[-1].split(".", 1)[0]
    etag = f'"{stem[:32]}"'
    headers = {"ETag": etag}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return serve(store, key, "image/jpeg", headers)
