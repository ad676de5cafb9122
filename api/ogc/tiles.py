"""OGC API - Tiles of the collections (vector tiles, WebMercatorQuad) under ``/ogc``."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.contract import media
from api.deps import ReadSessionDep
from api.ogc.links import JSON, PREFIX, link, url
from geodata.opendata.collections import COLLECTIONS, Collection
from geodata.opendata.errors import CollectionNotFound
from geodata.opendata.params import reject_unknown
from geodata.opendata.query import parse_cql
from geodata.opendata.tiles import MAX_ZOOM, MVT, TMS_ID, TMS_URI, fetch_tile, tile_indices
from geodata.opendata.tiles import tile_matrix_set as matrix_set

router = APIRouter(prefix=PREFIX, tags=["OGC API - Tiles"])
PLAIN = ("f", "lang")
TILE_PARAMS = ("lang", "filter", "filter-lang", "filter-crs")
CACHE_CONTROL = "public, max-age=60"


def _collection(collection_id: str) -> Collection:
    spec = COLLECTIONS.get(collection_id)
    if spec is None:
        raise CollectionNotFound(collection_id)
    return spec


def _json(document: dict[str, Any]) -> Response:
    return Response(orjson.dumps(document), media_type=JSON)


@router.get(
    "/tileMatrixSets",
    summary="Tile matrix sets",
    response_class=Response,
    responses={200: media("The tile matrix sets.", JSON, schema={"type": "object"})},
)
def tile_matrix_sets(request: Request) -> Response:
    reject_unknown(request.query_params, PLAIN)
    href = url(request, f"{PREFIX}/tileMatrixSets/{TMS_ID}")
    return _json(
        {
            "tileMatrixSets": [
                {
                    "id": TMS_ID,
                    "title": "Google Maps Compatible for the World",
                    "uri": TMS_URI,
                    "links": [link(href, "self", JSON, TMS_ID)],
                }
            ]
        }
    )


@router.get(
    "/tileMatrixSets/{tms_id}",
    summary="The WebMercatorQuad tile matrix set",
    response_class=Response,
    responses={200: media("The definition.", JSON, schema={"type": "object"})},
)
def tile_matrix_set(tms_id: str, request: Request) -> Response:
    reject_unknown(request.query_params, PLAIN)
    if tms_id != TMS_ID:
        raise CollectionNotFound(tms_id)
    return _json(matrix_set())


def _tileset(request: Request, spec: Collection) -> dict[str, Any]:
    base = f"{PREFIX}/collections/{spec.id}/tiles/{TMS_ID}"
    return {
        "title": f"{spec.title} (vector tiles)",
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "links": [
            link(url(request, base), "self", JSON, "This tileset"),
            link(
                url(request, f"{PREFIX}/tileMatrixSets/{TMS_ID}"),
                "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                JSON,
                TMS_ID,
            ),
            {
                **link(
                    url(request, base) + "/{tileMatrix}/{tileRow}/{tileCol}",
                    "item",
                    MVT,
                    "Mapbox vector tiles",
                ),
                "templated": True,
            },
        ],
        "layers": [
            {
                "id": spec.id,
                "dataType": "vector",
                "geometryDimension": 0 if spec.points else 2,
                "minTileMatrix": "0",
                "maxTileMatrix": str(MAX_ZOOM),
            }
        ],
    }


@router.get(
    "/collections/{collection_id}/tiles",
    summary="Vector tilesets of a collection",
    response_class=Response,
    responses={200: media("The tilesets.", JSON, schema={"type": "object"})},
)
def tilesets(collection_id: str, request: Request) -> Response:
    spec = _collection(collection_id)
    reject_unknown(request.query_params, PLAIN)
    return _json({"tilesets": [_tileset(request, spec)]})


@router.get(
    "/collections/{collection_id}/tiles/{tms_id}",
    summary="The WebMercatorQuad vector tileset of a collection",
    response_class=Response,
    responses={200: media("The tileset.", JSON, schema={"type": "object"})},
)
def tileset(collection_id: str, tms_id: str, request: Request) -> Response:
    spec = _collection(collection_id)
    reject_unknown(request.query_params, PLAIN)
    if tms_id != TMS_ID:
        raise CollectionNotFound(tms_id)
    return _json(_tileset(request, spec))


@router.get(
    "/collections/{collection_id}/tiles/{tms_id}/{z}/{y}/{x}",
    summary="One vector tile (Mapbox Vector Tile)",
    response_class=Response,
    responses={
        200: media("The tile.", MVT),
        204: {"description": "No feature in this tile."},
    },
)
def tile(
    collection_id: str,
    tms_id: str,
    z: str,
    y: str,
    x: str,
    request: Request,
    session: ReadSessionDep,
) -> Response:
    spec = _collection(collection_id)
    reject_unknown(request.query_params, TILE_PARAMS)
    if tms_id != TMS_ID:
        raise CollectionNotFound(tms_id)
    zoom, col, row = tile_indices(z, x, y)
    cql = parse_cql(spec, request.query_params)
    condition = cql.condition if cql is not None else None
    data = fetch_tile(session, spec, zoom, col, row, condition)
    headers = {"Cache-Control": CACHE_CONTROL}
    if not data:
        return Response(status_code=204, headers=headers)
    return Response(data, media_type=MVT, headers=headers)
