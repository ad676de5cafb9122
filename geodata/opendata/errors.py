"""Errors of the open-data endpoints; messages are msgids translated in ``messages.po``."""

from __future__ import annotations

from geodata.errors import AppError, InvalidInput, NotFound


class BadParameter(InvalidInput):
    code = "invalid_parameter"
    message = "Invalid query parameter."


class CollectionNotFound(NotFound):
    code = "collection_not_found"
    message = "There is no collection '{collection}'."

    def __init__(self, collection: str) -> None:
        super().__init__(collection=collection)


class FeatureNotFound(NotFound):
    code = "feature_not_found"
    message = "Collection '{collection}' has no feature '{feature}'."

    def __init__(self, collection: str, feature: str) -> None:
        super().__init__(collection=collection, feature=feature)


class DownloadNotFound(NotFound):
    code = "download_not_found"
    message = "There is no download named '{name}'."

    def __init__(self, name: str) -> None:
        super().__init__(name=name)


class DownloadsNotPublished(AppError):
    status_code = 503
    code = "downloads_not_published"
    message = "The downloads have not been published yet; please try again in a few minutes."


class TileNotFound(NotFound):
    code = "tile_not_found"
    message = (
        "There is no tile {tile} in WebMercatorQuad (zoom 0 to 22, column and row below 2^zoom)."
    )

    def __init__(self, tile: str) -> None:
        super().__init__(tile=tile)
