"""Catalogue records harvesters read: DCAT-AP (JSON-LD), DCAT-US ``/data.json``, ISO 19139 per
layer and a data dictionary per collection, all from ``geodata.opendata.catalogue``'s one
description of each collection."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.contract import media
from api.deps import ReadSessionDep
from api.ogc.links import base_url
from geodata.opendata import catalogue
from geodata.opendata.collections import COLLECTIONS, Collection
from geodata.opendata.dictionary import dictionary_csv
from geodata.opendata.errors import CollectionNotFound
from geodata.opendata.features import extent
from geodata.opendata.params import reject_unknown

router = APIRouter(tags=["catalogue"])
JSON_LD = "application/ld+json"
PLAIN = ("lang",)


def _collection(collection_id: str) -> Collection:
    spec = COLLECTIONS.get(collection_id)
    if spec is None:
        raise CollectionNotFound(collection_id)
    return spec


def record(session: Session, request: Request, spec: Collection) -> dict[str, object]:
    today = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return catalogue.mcf(spec, extent(session, spec), base_url(request), today)


@router.get(
    "/catalogue/dcat.jsonld",
    summary="DCAT-AP 2 catalogue of the collections (JSON-LD)",
    response_class=Response,
    responses={200: media("The catalogue.", JSON_LD, schema={"type": "object"})},
)
def dcat(request: Request, session: ReadSessionDep) -> Response:
    reject_unknown(request.query_params, PLAIN)
    datasets = [
        catalogue.dcat_dataset(record(session, request, spec), spec)
        for spec in COLLECTIONS.values()
    ]
    body = catalogue.dcat_catalogue(base_url(request), datasets)
    return Response(orjson.dumps(body), media_type=JSON_LD)


@router.get(
    "/data.json",
    summary="DCAT-US 1.1 catalogue (data.json), harvested by DKAN and CKAN",
    response_class=Response,
    responses={200: media("The catalogue.", "application/json", schema={"type": "object"})},
)
def data_json(request: Request, session: ReadSessionDep) -> Response:
    reject_unknown(request.query_params, PLAIN)
    datasets = [
        catalogue.data_json_dataset(record(session, request, spec)) for spec in COLLECTIONS.values()
    ]
    body = catalogue.data_json(base_url(request), datasets)
    return Response(orjson.dumps(body), media_type="application/json")


@router.get(
    "/catalogue/iso19139/{collection_id}.xml",
    summary="ISO 19139 metadata record of one layer (for GeoNetwork / GeoIDEP)",
    response_class=Response,
    responses={200: media("The record.", "application/xml")},
)
def iso19139(collection_id: str, request: Request, session: ReadSessionDep) -> Response:
    spec = _collection(collection_id)
    reject_unknown(request.query_params, PLAIN)
    xml = catalogue.iso19139(record(session, request, spec))
    return Response(xml.encode(), media_type="application/xml")


@router.get(
    "/catalogue/dictionaries/{collection_id}.csv",
    summary="Data dictionary of one collection (CSV)",
    response_class=Response,
    responses={200: media("The dictionary.", "text/csv")},
)
def dictionary(collection_id: str, request: Request) -> Response:
    spec = _collection(collection_id)
    reject_unknown(request.query_params, PLAIN)
    return Response(
        dictionary_csv(spec).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{spec.id}.dictionary.csv"'},
    )
