"""Open-data downloads: files written by the ``publish.downloads`` task, served as they are.

Responses carry ETag and Last-Modified (If-None-Match / If-Modified-Since answer 304), a
precompressed gzip body when the client accepts it, and Link headers to the metadata document
and the licence. Files in a local publish directory are streamed; files in object storage are a
307 redirect to a short-lived signed URL of the object (same validators on the redirect).
Nothing here queries the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.contract import JSON_OR_HTML, media
from api.ogc import html
from api.ogc.links import base_url, url
from api.ogc.negotiation import wants_html
from api.stored import serve
from geodata.opendata.downloads import accepts_gzip, published_index, resolve
from geodata.opendata.licences import PROJECT_LICENCE_URL, licence_url
from geodata.opendata.metadata import MEDIA_TYPES, METADATA_FILE
from geodata.opendata.params import reject_unknown
from geodata.settings import get_settings
from geodata.storage import LocalStore, ObjectStore, publish_store

router = APIRouter(prefix="/downloads", tags=["downloads"])

CACHE_CONTROL = "public, max-age=300"


def publish_dir() -> Path:
    return get_settings().publish_dir


PublishDirDep = Annotated[Path, Depends(publish_dir)]


def downloads_store(directory: PublishDirDep) -> ObjectStore:
    """The publish store: the shared bucket, or the publish directory of this machine."""
    if get_settings().storage_backend == "s3":
        return publish_store()
    return LocalStore(directory)


StoreDep = Annotated[ObjectStore, Depends(downloads_store)]


def _listing(request: Request, metadata: dict[str, Any]) -> dict[str, Any]:
    collections = [
        {
            "id": c["id"],
            "title": c["title"],
            "records": c["records"],
            "updated": c["updated"],
            "licence": c["licence"],
            "licence_url": licence_url(c["licence"]),
            "attribution": c["attribution"],
            "files": [
                {
                    "name": f["name"],
                    "format": f["format"],
                    "media_type": f["media_type"],
                    "size": f["size"],
                    "records": f["records"],
                    "sha256": f["sha256"],
                    "href": url(request, f"/downloads/{f['name']}"),
                }
                for f in c["files"]
            ],
        }
        for c in metadata.get("collections", [])
    ]
    return {
        "title": metadata["title"],
        "updated": metadata["updated"],
        "licence": metadata["licence"],
        "links": [
            {
                "rel": "describedby",
                "type": "application/json",
                "title": "Metadata",
                "href": url(request, f"/downloads/{METADATA_FILE}"),
            },
            {
                "rel": "license",
                "type": "text/html",
                "title": "CC BY 4.0",
                "href": PROJECT_LICENCE_URL,
            },
            {
                "rel": "alternate",
                "type": "text/html",
                "title": "HTML",
                "href": url(request, "/downloads", {"f": "html"}),
            },
            {
                "rel": "service",
                "type": "application/json",
                "title": "OGC API - Features",
                "href": url(request, "/ogc"),
            },
        ],
        "third_party_layers": metadata.get("third_party_layers", []),
        "collections": collections,
    }


@router.get(
    "",
    summary="Index of the open-data downloads",
    responses={
        200: media("The published files.", *JSON_OR_HTML),
        503: {"description": "Nothing is published yet; retry in a few minutes."},
    },
)
def index(request: Request, store: StoreDep) -> Response:
    reject_unknown(request.query_params, ("f", "lang"))
    as_html = wants_html(request)
    listing = _listing(request, published_index(store))
    if as_html:
        title = "Descargas / Downloads"
        page = html.render("downloads.html", base_url(request), title, listing["links"], d=listing)
        return HTMLResponse(page)
    return Response(orjson.dumps(listing), media_type="application/json")


@router.head(
    "/{name}",
    summary="Headers, size and validators of one published file",
    operation_id="head_download",
    response_class=Response,
    responses={
        200: {"description": "The file's headers, without its body."},
        304: {"description": "Not modified since the ETag or date given."},
        503: {"description": "Nothing is published yet; retry in a few minutes."},
    },
)
@router.get(
    "/{name}",
    summary="One published file",
    response_class=Response,
    responses={
        200: media("The file, in its own format.", *sorted(set(MEDIA_TYPES.values()))),
        304: {"description": "Not modified since the ETag or date given."},
        307: {"description": "In object storage: a short-lived signed URL of the file."},
        503: {"description": "Nothing is published yet; retry in a few minutes."},
    },
)
def download(name: str, request: Request, store: StoreDep) -> Response:
    item = resolve(store, name, accepts_gzip(request.headers.get("accept-encoding")))
    metadata_url = url(request, f"/downloads/{METADATA_FILE}")
    headers = {
        "ETag": item.etag,
        "Last-Modified": item.last_modified_http,
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
        "Link": f'<{metadata_url}>; rel="describedby", <{item.licence_url}>; rel="license"',
    }
    if item.not_modified(
        request.headers.get("if-none-match"), request.headers.get("if-modified-since")
    ):
        return Response(status_code=304, headers=headers)
    if item.gzipped and store.local_path(item.key) is not None:
        headers["Content-Encoding"] = "gzip"  # the object store sends its own, stored with it
    disposition = "inline" if name == METADATA_FILE else "attachment"
    return serve(store, item.key, item.media_type, headers, filename=name, disposition=disposition)
