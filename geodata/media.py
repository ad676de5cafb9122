"""Report photos: real images only, re-encoded without metadata (EXIF, GPS), with a thumbnail.

Files are stored in the media store (``geodata.storage``: a directory or an S3 bucket) under a
key derived from the upload's SHA-256 keyed with the service's secret (HMAC): a retried upload
reuses the same objects, and nobody can compute a photo's key, even holding the photo. Keys
stored in the database are relative to the store (``media_dir`` for the local one).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from geodata.errors import PayloadTooLarge, UnsupportedMedia
from geodata.storage import ObjectStore

MAX_PIXELS = 24_000_000  # default of Settings.max_photo_pixels: a 6000 x 4000 photo
# Pillow's own guard, far above ours: ours is checked on the size actually decoded (a JPEG is
# decoded at 1/2, 1/4 or 1/8 scale when that is enough for MAX_SIDE).
Image.MAX_IMAGE_PIXELS = 256_000_000
MAX_SIDE = 2048
THUMBNAIL_SIDE = 320
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"})
DRAFT_FORMATS = frozenset({"JPEG", "MPO"})  # decodable at a reduced scale


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    sha256: str
    photo_path: str
    thumbnail_path: str


class TooManyPixels(PayloadTooLarge):
    code = "photo_too_many_pixels"
    message = "The photo has too many pixels (at most {mp} megapixels); send a smaller one."


def photo_key(digest: str, secret: str) -> str:
    """The object name of a photo: unguessable without ``secret``, stable for one upload."""
    return hmac.new(secret.encode(), digest.encode(), hashlib.sha256).hexdigest()


def store_photo(
    data: bytes, store: ObjectStore, secret: str, max_bytes: int, max_pixels: int = MAX_PIXELS
) -> StoredPhoto:
    """Decode, strip, re-encode and store; raises PayloadTooLarge (bytes or pixels, checked
    before any pixel is decoded) or UnsupportedMedia. CPU-bound: run it in a bounded pool."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            "The photo is larger than {mb} MB.", mb=f"{max_bytes / 1024 / 1024:g}"
        )
    image = _decode(data, max_pixels)
    digest = hashlib.sha256(data).hexdigest()
    key = photo_key(digest, secret)
    photo_name, thumb_name = f"reports/{key[:2]}/{key}.jpg", f"reports/{key[:2]}/{key}.thumb.jpg"
    if store.stat(photo_name) is None or store.stat(thumb_name) is None:
        image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF asked for
        image = image.convert("RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        store.put(photo_name, _jpeg(image, quality=85), "image/jpeg")
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        store.put(thumb_name, _jpeg(image, quality=75), "image/jpeg")
    return StoredPhoto(digest, photo_name, thumb_name)


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))  # reads the header only
            if probe.format not in ACCEPTED_FORMATS:
                raise UnsupportedMedia()
            if probe.format not in DRAFT_FORMATS:
                _check_pixels(probe.size, max_pixels)
            probe.verify()  # structural check of the whole file
            image = Image.open(io.BytesIO(data))
            if image.format in DRAFT_FORMATS:
                # Decode a JPEG at the smallest scale that still gives MAX_SIDE: a phone's
                # 48 MP photo costs a sixteenth of its memory and time.
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
                _check_pixels(image.size, max_pixels)
            image.load()  # actually decode the pixels
            return image
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise UnsupportedMedia() from exc


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    if size[0] * size[1] > max_pixels:
        raise TooManyPixels(mp=f"{max_pixels / 1e6:g}")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # A fresh save from pixels writes no EXIF, XMP or GPS block.
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
