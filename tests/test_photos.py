"""Photos that cost more to decode than they weigh are refused before decoding; the others are
decoded off the event loop, a few at a time."""

from __future__ import annotations

import asyncio
import io
import threading
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import api.intake
from api.routers.reports import get_intake
from geodata.models import Report
from geodata.settings import get_settings
from tests import report_factories as make
from tests.test_reports_api import SessionIntake


def png(width: int, height: int, seed: int = 0) -> bytes:
    image = Image.new("RGB", (width, height), (seed % 256, 90, 160))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A valid grey PNG of ``width`` x ``height`` that weighs a few KB (one zlib stream of
    zeros): what a decompression bomb looks like."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width
    data = b"".join(raw.compress(row) for _ in range(height)) + raw.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def session_intake(client: TestClient, session: Session) -> None:
    client.app.dependency_overrides[get_intake] = lambda: SessionIntake(session)  # type: ignore[attr-defined]


def send(
    client: TestClient, place: make.Place, photo: bytes, name: str = "p.png"
) -> httpx.Response:
    fields = {"category": "leak", "lon": str(place.lon), "lat": str(place.lat)}
    return client.post("/api/v1/reports", data=fields, files={"photo": (name, photo, "image/png")})


def reports(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Report)) or 0


def test_a_tiny_png_of_40_megapixels_is_refused_before_decoding(
    client: TestClient, session: Session
) -> None:
    place = make.systems(session)[0]
    bomb = bomb_png(8000, 5000)
    assert len(bomb) < 100_000
    before = reports(session)
    response = send(client, place, bomb)
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "photo_too_many_pixels"
    assert "megapíxeles" in error["message"]
    assert reports(session) == before


def test_something_that_is_not_an_image_is_415_translated(
    client: TestClient, session: Session
) -> None:
    place = make.systems(session)[0]
    response = send(client, place, b"%PDF-1.4 not a photo", "doc.pdf")
    assert response.status_code == 415
    assert response.json()["error"]["message"] == "El archivo no es una imagen válida."


def test_a_large_phone_jpeg_is_decoded_at_a_reduced_scale(
    client: TestClient, session: Session
) -> None:
    """48 MP is above the pixel cap, but a JPEG is decoded at 1/4 scale (3 MP): accepted."""
    buffer = io.BytesIO()
    Image.new("RGB", (8000, 6000), (30, 120, 200)).save(buffer, format="JPEG", quality=60)
    place = make.systems(session)[0]
    response = send(client, place, buffer.getvalue(), "big.jpg")
    assert response.status_code == 201, response.text
    stored = session.scalars(select(Report).order_by(Report.id.desc()).limit(1)).one()
    assert stored.photo_path is not None
    with Image.open(get_settings().media_dir / stored.photo_path) as kept:
        assert max(kept.size) == 2048


def test_photos_are_decoded_off_the_event_loop_a_few_at_a_time(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = api.intake.store_report_photo
    running, peak, threads = 0, 0, set()
    lock = threading.Lock()

    def counted(photo: bytes | None) -> Any:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
            threads.add(threading.current_thread().name)
        try:
            return real(photo)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(api.intake, "store_report_photo", counted)
    place = make.systems(session)[0]
    # two of them the same photo: stored by two threads at once, into the same files
    photos = [png(1500, 1500, seed=min(i, 4)) for i in range(6)]

    async def all_at_once() -> list[int]:
        transport = httpx.ASGITransport(app=client.app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            fields = {"category": "leak", "lon": str(place.lon), "lat": str(place.lat)}
            answers = await asyncio.gather(
                *(
                    http.post(
                        "/api/v1/reports",
                        data={**fields, "device_id": f"d{i}"},
                        files={"photo": ("p.png", photo, "image/png")},
                    )
                    for i, photo in enumerate(photos)
                )
            )
        return [a.status_code for a in answers]

    assert asyncio.run(all_at_once()) == [201] * 6
    assert 1 <= peak <= get_settings().photo_decode_workers
    assert threads and all(name.startswith("yaku-photo") for name in threads)


def test_the_pixel_cap_is_a_setting(tmp_path: Path) -> None:
    from geodata.errors import PayloadTooLarge
    from geodata.media import store_photo
    from geodata.storage import LocalStore

    store = LocalStore(tmp_path)
    with pytest.raises(PayloadTooLarge):
        store_photo(png(200, 200), store, "secret", 10**6, max_pixels=100 * 100)
    assert store_photo(png(200, 200), store, "secret", 10**6, max_pixels=200 * 200).sha256
