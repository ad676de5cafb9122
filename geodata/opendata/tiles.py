"""Mapbox vector tiles of the collections (OGC API - Tiles, WebMercatorQuad), made by PostGIS.

One statement per tile: the features whose geometry meets the tile (GiST index on the 4326
geometry, the tile's envelope transformed to it), clipped and quantised by ``ST_AsMVTGeom`` and
encoded by ``ST_AsMVT``. Properties are the collection's public scalar ones; dates are written as
ISO text (MVT has no date type). A CQL2 filter applies as on the items.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    LargeBinary,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from geodata.opendata.collections import Collection
from geodata.opendata.errors import BadParameter, TileNotFound
from geodata.opendata.queryables import SCALAR_TYPES

TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
MAX_ZOOM = 22
EXTENT = 4096
BUFFER = 64
MVT = "application/vnd.mapbox-vector-tile"
# The square of EPSG:3857 (metres) and the scale of zoom 0 (OGC 17-083r4, Annex D).
HALF_WORLD = 20037508.3427892
SCALE_0 = 559082264.028717


def tile_indices(z: str, x: str, y: str) -> tuple[int, int, int]:
    """The zoom level, column and row, or a 400 (not numbers) or a 404 (outside the matrix)."""
    try:
        zoom, col, row = int(z), int(x), int(y)
    except ValueError:
        raise BadParameter(
            "tile indices must be whole numbers, got {value}", value=f"{z}/{y}/{x}"
        ) from None
    if not 0 <= zoom <= MAX_ZOOM or not (0 <= col < 2**zoom and 0 <= row < 2**zoom):
        raise TileNotFound(f"{zoom}/{row}/{col}")
    return zoom, col, row


def tile_properties(collection: Collection) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, kind in collection.property_types.items():
        if kind not in SCALAR_TYPES:
            continue
        expression = collection.properties[name]
        properties[name] = cast(expression, Text) if kind in ("date", "date-time") else expression
    return properties


def tile_statement(collection: Collection, condition: Any | None) -> Any:
    envelope = func.ST_TileEnvelope(
        bindparam("tile_z", type_=Integer),
        bindparam("tile_x", type_=Integer),
        bindparam("tile_y", type_=Integer),
    )
    # A margin of BUFFER/EXTENT of the tile, so symbols near an edge show in both tiles.
    margin = func.ST_Expand(envelope, bindparam("tile_margin", type_=Float))
    geometry = func.ST_AsMVTGeom(
        func.ST_Transform(collection.geometry, 3857), envelope, EXTENT, BUFFER, True
    )
    where = [
        *collection.where,
        collection.geometry.op("&&")(func.ST_Transform(margin, 4326)),
    ]
    if condition is not None:
        where.append(condition)
    rows = (
        select(
            collection.feature_id.label("id"),
            *(expr.label(name) for name, expr in tile_properties(collection).items()),
            geometry.label("mvt_geom"),
        )
        .select_from(collection.from_clause)
        .where(*where)
        .subquery("tile_rows")
    )
    layer = bindparam("tile_layer", type_=Text)
    return (
        select(
            cast(func.ST_AsMVT(literal_column("tile_rows"), layer, EXTENT, "mvt_geom"), LargeBinary)
        )
        .select_from(rows)
        .where(rows.c.mvt_geom.is_not(None))
    )


def fetch_tile(
    session: Session, collection: Collection, z: int, x: int, y: int, condition: Any | None = None
) -> bytes:
    margin = 2 * HALF_WORLD / 2**z * BUFFER / EXTENT
    values = {
        "tile_z": z,
        "tile_x": x,
        "tile_y": y,
        "tile_layer": collection.id,
        "tile_margin": margin,
    }
    data = session.connection().execute(tile_statement(collection, condition), values).scalar()
    return bytes(data or b"")


def tile_matrix_set() -> dict[str, Any]:
    """The WebMercatorQuad definition (OGC Two Dimensional Tile Matrix Set, 17-083r4)."""
    matrices = []
    for zoom in range(MAX_ZOOM + 1):
        size = 2**zoom
        matrices.append(
            {
                "id": str(zoom),
                "scaleDenominator": SCALE_0 / size,
                "cellSize": 2 * HALF_WORLD / (256 * size),
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-HALF_WORLD, HALF_WORLD],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": size,
                "matrixHeight": size,
            }
        )
    return {
        "id": TMS_ID,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    }


def lon_lat_to_tile(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The column and row of the tile holding a point (for clients and tests)."""
    n = 2**zoom
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y
