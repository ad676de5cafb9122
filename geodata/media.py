"""Report photos: real images only, re-encoded without metadata (EXIF, GPS), with a thumbnail.

Files are content-addressed (SHA-256 of the upload), so a retried upload reuses the same files.
Paths stored in the database are relative to ``media_dir``.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from geodata.errors import PayloadTooLarge, UnsupportedMedia

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


def store_photo(
    data: bytes, media_dir: Path, max_bytes: int, max_pixels: int = MAX_PIXELS
) -> StoredPhoto:
    """Decode, strip, re-encode and store; raises PayloadTooLarge (bytes or pixels, checked
    before any pixel is decoded) or UnsupportedMedia. CPU-bound: run it in a bounded pool."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            "The photo is larger than {mb} MB.", mb=f"{max_bytes / 1024 / 1024:g}"
        )
    image = _decode(data, max_pixels)
    digest = hashlib.sha256(data).hexdigest()
    relative = Path("reports") / digest[:2]
    photo_rel, thumb_rel = relative / f"{digest}.jpg", relative / f"{digest}.thumb.jpg"
    photo_abs, thumb_abs = media_dir / photo_rel, media_dir / thumb_rel
    if not (photo_abs.is_file() and thumb_abs.is_file()):
        photo_abs.parent.mkdir(parents=True, exist_ok=True)
        image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF asked for
        image = image.convert("RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        _write_atomically(photo_abs, _jpeg(image, quality=85))
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        _write_atomically(thumb_abs, _jpeg(image, quality=75))
    return StoredPhoto(digest, photo_rel.as_posix(), thumb_rel.as_posix())


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


def _write_atomically(path: Path, data: bytes) -> None:
    # A name of its own per writer: the same photo may be stored by two threads at once.
    tmp = path.with_suffix(f".{os.getpid()}.{secrets.token_hex(6)}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
