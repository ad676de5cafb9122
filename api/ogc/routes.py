"""Routes of the OGC API - Features under ``/ogc``: parse, call one geodata function, render.

Query parameters are read from the request (not declared one by one) so that unknown ones can be
refused with a 400, as the standard recommends, and every bad value gets a translated message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.contract import JSON_OR_HTML, media
from api.deps import ReadSessionDep
from api.ogc import documents, html
from api.ogc.links import GEOJSON, JSON, OPENAPI, PREFIX, base_url, link, self_and_alternate, url
from api.ogc.negotiation import wants_html
from api.ogc.openapi import openapi_document
from geodata.opendata import catalogue
from geodata.opendata.collections import COLLECTIONS, Collection
from geodata.opendata.errors import CollectionNotFound, FeatureNotFound
from geodata.opendata.features import extent, fetch_feature, fetch_page, parse_items_query
from geodata.opendata.params import reject_unknown
from geodata.opendata.queryables import (
    feature_schema_document,
    queryables_document,
    schema_document,
)

router = APIRouter(prefix=PREFIX, tags=["OGC API - Features"])

PLAIN_PARAMS = ("f", "lang")


def _collection(collection_id: str) -> Collection:
    spec = COLLECTIONS.get(collection_id)
    if spec is None:
        raise CollectionNotFound(collection_id)
    return spec


def _plain(request: Request) -> bool:
    """Routes without filters accept only ``f`` and ``lang``; returns whether HTML is wanted."""
    reject_unknown(request.query_params, PLAIN_PARAMS)
    return wants_html(request)


def _json(document: dict[str, Any], media_type: str = JSON) -> Response:
    return Response(orjson.dumps(document), media_type=media_type)


def _html(
    request: Request, template: str, title: str, document: dict[str, Any], **context: Any
) -> HTMLResponse:
    page = html.render(
        template,
        base_url(request),
        title,
        document.get("links", []),
        document.get("description"),
        **context,
    )
    return HTMLResponse(page)


@router.get("", summary="Landing page", responses={200: media("Landing page.", *JSON_OR_HTML)})
def landing_page(request: Request) -> Response:
    as_html = _plain(request)
    document = documents.landing(request, as_html)
    if as_html:
        return _html(request, "base.html", document["title"], document)
    return _json(document)


@router.get(
    "/conformance",
    summary="Conformance classes",
    responses={200: media("Conformance classes.", *JSON_OR_HTML)},
)
def conformance(request: Request) -> Response:
    as_html = _plain(request)
    document = documents.conformance(request, as_html)
    if as_html:
        title = "Conformidad / Conformance"
        return _html(request, "list.html", title, document, items=document["conformsTo"])
    return _json(document)


@router.get(
    "/api",
    summary="OpenAPI 3.0 definition of the OGC API",
    response_class=Response,
    responses={
        200: media("The OGC API's own OpenAPI document.", OPENAPI, schema={"type": "object"})
    },
)
def openapi(request: Request) -> Response:
    reject_unknown(request.query_params, PLAIN_PARAMS)
    return _json(openapi_document(url(request, PREFIX)), OPENAPI)


@router.get(
    "/collections",
    summary="Feature collections",
    responses={200: media("Collections.", *JSON_OR_HTML)},
)
def collections(request: Request, session: ReadSessionDep) -> Response:
    as_html = _plain(request)
    items = [
        documents.collection(request, spec, extent(session, spec), as_html)
        for spec in COLLECTIONS.values()
    ]
    document = {
        "links": [
            *self_and_alternate(request, f"{PREFIX}/collections", JSON, as_html),
            *documents.common_links(request),
        ],
        "collections": items,
    }
    if as_html:
        rows = [{**c, "href": html.html_link(c)} for c in items]
        title = "Colecciones / Collections"
        return _html(request, "collections.html", title, document, collections=rows)
    return _json(document)


@router.get(
    "/collections/{collection_id}",
    summary="One feature collection",
    responses={200: media("One collection.", *JSON_OR_HTML)},
)
def collection(collection_id: str, request: Request, session: ReadSessionDep) -> Response:
    spec = _collection(collection_id)
    as_html = _plain(request)
    document = documents.collection(request, spec, extent(session, spec), as_html)
    if as_html:
        items_href = url(request, f"{PREFIX}/collections/{spec.id}/items", {"f": "html"})
        today = datetime.now(UTC).isoformat(timespec="seconds")
        record = catalogue.mcf(spec, extent(session, spec), base_url(request), today)
        return _html(
            request,
            "collection.html",
            spec.title,
            document,
            collection=document,
            items_href=items_href,
            jsonld=catalogue.schema_org_script(record),
        )
    return _json(document)


@router.get(
    "/collections/{collection_id}/queryables",
    summary="What the features can be filtered and sorted on (JSON Schema 2020-12)",
    responses={200: media("Queryables.", documents.QUERYABLES, "text/html")},
)
def collection_queryables(collection_id: str, request: Request) -> Response:
    spec = _collection(collection_id)
    as_html = _plain(request)
    path = f"{PREFIX}/collections/{spec.id}/queryables"
    document = queryables_document(spec, url(request, path))
    if as_html:
        rows = [
            f"{k}: {v.get('format') or v.get('type')}" for k, v in document["properties"].items()
        ]
        return _html(request, "list.html", f"{spec.title}: queryables", document, items=rows)
    return _json(document, schema_media_type(request))


@router.get(
    "/collections/{collection_id}/schema",
    summary="The schema of the features' properties (JSON Schema 2020-12)",
    responses={200: media("Schema.", documents.QUERYABLES, "text/html")},
)
def collection_schema(collection_id: str, request: Request) -> Response:
    spec = _collection(collection_id)
    as_html = _plain(request)
    path = f"{PREFIX}/collections/{spec.id}/schema"
    document = schema_document(spec, url(request, path))
    if as_html:
        rows = [
            f"{k}: {v.get('format') or v.get('type')}" for k, v in document["properties"].items()
        ]
        return _html(request, "list.html", f"{spec.title}: schema", document, items=rows)
    return _json(document, documents.QUERYABLES)


@router.get(
    "/collections/{collection_id}/feature-schema",
    summary="The JSON Schema of one GeoJSON feature of the collection",
    response_class=Response,
    responses={200: media("Feature schema.", documents.QUERYABLES, schema={"type": "object"})},
)
def collection_feature_schema(collection_id: str, request: Request) -> Response:
    spec = _collection(collection_id)
    reject_unknown(request.query_params, PLAIN_PARAMS)
    path = f"{PREFIX}/collections/{spec.id}/feature-schema"
    return _json(feature_schema_document(spec, url(request, path)), documents.QUERYABLES)


def schema_media_type(request: Request) -> str:
    """``application/schema+json``, or plain JSON for a client that asks for nothing else (GDAL
    up to 3.6 refuses any other type for the queryables)."""
    accept = request.headers.get("accept", "").lower()
    if "application/json" in accept and documents.QUERYABLES not in accept and "*/*" not in accept:
        return JSON
    return documents.QUERYABLES


def _page_links(
    request: Request,
    spec: Collection,
    params: dict[str, str],
    offset: int,
    more: bool,
    as_html: bool,
) -> list[dict[str, Any]]:
    path = f"{PREFIX}/collections/{spec.id}/items"
    limit = int(params["limit"])
    here = {**params, **({"offset": str(offset)} if offset else {})}
    links = self_and_alternate(request, path, GEOJSON, as_html, here)
    fmt = "html" if as_html else "json"
    kind = "text/html" if as_html else GEOJSON
    if more:
        following = {**params, "offset": str(offset + limit), "f": fmt}
        links.append(link(url(request, path, following), "next", kind, "Next page"))
    if offset > 0:
        earlier = max(offset - limit, 0)
        previous = {**params, **({"offset": str(earlier)} if earlier else {}), "f": fmt}
        links.append(link(url(request, path, previous), "prev", kind, "Previous page"))
    collection_path = f"{PREFIX}/collections/{spec.id}"
    links.append(link(url(request, collection_path), "collection", JSON, spec.title))
    links.extend(documents.common_links(request))
    return links


@router.get(
    "/collections/{collection_id}/items",
    summary="Features of a collection",
    responses={200: media("A page of features.", GEOJSON, "text/html")},
)
def items(collection_id: str, request: Request, session: ReadSessionDep) -> Response:
    spec = _collection(collection_id)
    as_html = wants_html(request)
    query = parse_items_query(spec, request.query_params)
    page = fetch_page(session, spec, query)
    more = query.offset + page.number_returned < page.number_matched
    links = _page_links(request, spec, query.as_params(), query.offset, more, as_html)
    if as_html:
        base = url(request, f"{PREFIX}/collections/{spec.id}/items/")
        features = [
            {**f, "href": f"{base}{quote(str(f['id']), safe='')}?f=html"}
            for f in orjson.loads(page.features_json)
        ]
        document = {"links": links, "description": spec.description}
        return _html(
            request,
            "items.html",
            spec.title,
            document,
            features=features,
            columns=list(spec.properties)[:8],
            matched=page.number_matched,
        )
    head = orjson.dumps(
        {
            "type": "FeatureCollection",
            "numberMatched": page.number_matched,
            "numberReturned": page.number_returned,
            "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "links": links,
        }
    )
    body = b"".join((head[:-1], b',"features":', page.features_json.encode(), b"}"))
    return Response(body, media_type=GEOJSON)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="One feature",
    responses={200: media("One feature.", GEOJSON, "text/html")},
)
def item(
    collection_id: str, feature_id: str, request: Request, session: ReadSessionDep
) -> Response:
    spec = _collection(collection_id)
    as_html = _plain(request)
    text = fetch_feature(session, spec, feature_id)
    if text is None:
        raise FeatureNotFound(spec.id, feature_id)
    path = f"{PREFIX}/collections/{spec.id}/items/{feature_id}"
    collection_path = f"{PREFIX}/collections/{spec.id}"
    links = [
        *self_and_alternate(request, path, GEOJSON, as_html),
        link(url(request, collection_path), "collection", JSON, spec.title),
        *documents.common_links(request),
    ]
    if as_html:
        title = f"{spec.title}: {feature_id}"
        return _html(request, "item.html", title, {"links": links}, feature=orjson.loads(text))
    body = b"".join((text.encode()[:-1], b', "links": ', orjson.dumps(links), b"}"))
    return Response(body, media_type=GEOJSON)
