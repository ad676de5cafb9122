"""Photos, thumbnails and downloads through the storage interface: the local directory and a
real S3-compatible server process (moto's standalone server)."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.routers.reports import get_intake
from geodata import storage
from geodata.models import Report, ReportStatus
from geodata.opendata.publish import publish_downloads
from geodata.settings import get_settings
from geodata.storage import LocalStore
from tests import report_factories as make
from tests.ogc_support import BASE_URL
from tests.storage_support import S3Server, moto_server
from tests.test_reports_api import SessionIntake


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with moto_server() as server:
        yield server


def _clear_caches() -> None:
    get_settings.cache_clear()
    storage.media_store.cache_clear()
    storage.publish_store.cache_clear()


@pytest.fixture
def on_s3(s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    """This process's settings point photos and downloads at a fresh bucket."""
    bucket = f"yaku-{datetime.now(UTC):%H%M%S%f}"
    for name, value in s3.env(bucket).items():
        monkeypatch.setenv(name, value)
    _clear_caches()
    yield s3
    monkeypatch.undo()
    _clear_caches()


def jpeg(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (seed % 256, 120, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def post_photo(client: TestClient, session: Session, photo: bytes) -> Report:
    client.app.dependency_overrides[get_intake] = lambda: SessionIntake(session)  # type: ignore[attr-defined]
    place = make.systems(session)[0]
    fields = {"category": "leak", "lon": str(place.lon), "lat": str(place.lat)}
    response = client.post(
        "/api/v1/reports", data=fields, files={"photo": ("f.jpg", photo, "image/jpeg")}
    )
    assert response.status_code == 201, response.text
    code = response.json()["tracking_code"]
    return session.scalars(select(Report).where(Report.tracking_code == code)).one()


def signed_query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# --- the backends themselves ----------------------------------------------------------------


def test_local_store_writes_reads_and_refuses_keys_that_climb(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put("reports/ab/x.jpg", b"abc", "image/jpeg")
    assert store.get("reports/ab/x.jpg") == b"abc"
    info = store.stat("reports/ab/x.jpg")
    assert info is not None and info.size == 3 and info.modified.tzinfo is not None
    assert store.local_path("reports/ab/x.jpg") == tmp_path / "reports/ab/x.jpg"
    assert store.signed_url("reports/ab/x.jpg", 60) is None  # streamed, never redirected
    assert store.stat("missing.jpg") is None and store.get("missing.jpg") is None
    for bad in ("../etc/passwd", "/etc/passwd", "a//b", "a/./b", ""):
        with pytest.raises(ValueError):
            store.put(bad, b"x", "text/plain")
    store.delete("reports/ab/x.jpg")
    assert store.stat("reports/ab/x.jpg") is None


def test_s3_store_uploads_signs_and_keeps_the_bucket_private(s3: S3Server) -> None:
    store = s3.store("yaku-unit", "media")
    store.put("reports/ab/x.jpg", b"photo-bytes", "image/jpeg")
    assert store.get("reports/ab/x.jpg") == b"photo-bytes"
    info = store.stat("reports/ab/x.jpg")
    assert info is not None and info.size == len(b"photo-bytes")
    assert store.stat("reports/ab/none.jpg") is None and store.get("none") is None
    assert store.local_path("reports/ab/x.jpg") is None
    url = store.signed_url("reports/ab/x.jpg", 120)
    assert url is not None
    fetched = httpx.get(url)
    assert fetched.status_code == 200 and fetched.content == b"photo-bytes"
    assert fetched.headers["content-type"] == "image/jpeg"
    query = signed_query(url)
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256" and query["X-Amz-Expires"] == "120"
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - signed_at).total_seconds()) < 60
    # The object itself, without a signature, is refused.
    assert httpx.get(f"{s3.endpoint}/yaku-unit/media/reports/ab/x.jpg").status_code == 403


# --- photos ---------------------------------------------------------------------------------


def test_a_photo_in_object_storage_is_reachable_only_while_its_report_is_public(
    client: TestClient, session: Session, on_s3: S3Server
) -> None:
    upload = jpeg(7)
    report = post_photo(client, session, upload)
    code = report.tracking_code
    assert report.photo_path is not None and report.thumbnail_path is not None
    # The key is keyed with the service's secret: the photo's own hash does not find it.
    import hashlib

    assert hashlib.sha256(upload).hexdigest() not in report.photo_path
    assert not (get_settings().media_dir / report.photo_path).exists()  # in the bucket only
    store = storage.media_store()
    assert store.stat(report.photo_path) is not None

    # received: not public, no URL offered, none answers, no signed URL issued
    assert client.get(f"/api/v1/reports/{code}").json()["photo_url"] is None
    for path in ("photo", "thumbnail"):
        refused = client.get(f"/api/v1/reports/{code}/{path}", follow_redirects=False)
        assert refused.status_code == 404 and "location" not in refused.headers

    report.status = ReportStatus.VALIDATED
    session.flush()
    answer = client.get(f"/api/v1/reports/{code}/photo", follow_redirects=False)
    assert answer.status_code == 307, answer.text
    location = answer.headers["location"]
    assert location.startswith(on_s3.endpoint)
    assert signed_query(location)["X-Amz-Expires"] == str(get_settings().storage_url_seconds)
    image = httpx.get(location)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(image.content)).format == "JPEG"
    etag = answer.headers["etag"]
    again = client.get(
        f"/api/v1/reports/{code}/photo", headers={"If-None-Match": etag}, follow_redirects=False
    )
    assert again.status_code == 304 and "location" not in again.headers
    thumb = client.get(f"/api/v1/reports/{code}/thumbnail", follow_redirects=False)
    assert thumb.status_code == 307
    assert max(Image.open(io.BytesIO(httpx.get(thumb.headers["location"]).content)).size) <= 320

    report.status = ReportStatus.REJECTED
    report.rejection_reason = "spam"
    session.flush()
    gone = client.get(f"/api/v1/reports/{code}/photo", follow_redirects=False)
    assert gone.status_code == 404 and "location" not in gone.headers


def test_a_photo_on_the_local_backend_is_streamed_with_its_etag(
    client: TestClient, session: Session
) -> None:
    report = post_photo(client, session, jpeg(9))
    report.status = ReportStatus.VALIDATED
    session.flush()
    assert report.photo_path is not None
    assert (get_settings().media_dir / report.photo_path).is_file()
    answer = client.get(f"/api/v1/reports/{report.tracking_code}/photo")
    assert answer.status_code == 200 and answer.content[:2] == b"\xff\xd8"
    cached = client.get(
        f"/api/v1/reports/{report.tracking_code}/photo",
        headers={"If-None-Match": answer.headers["etag"]},
    )
    assert cached.status_code == 304


# --- downloads ------------------------------------------------------------------------------


def test_downloads_in_object_storage_redirect_to_signed_urls_with_validators(
    client: TestClient, session: Session, on_s3: S3Server, tmp_path: Path
) -> None:
    store = storage.publish_store()
    first = publish_downloads(session, tmp_path / "staging", BASE_URL, store=store)
    assert first.written and store.stat("metadata.json") is not None
    # A second host (empty staging directory) publishing the same data changes nothing.
    again = publish_downloads(session, tmp_path / "other-host", BASE_URL, store=store)
    assert len(again.written) <= len(first.written)

    listing = client.get("/downloads")
    assert listing.status_code == 200, listing.text
    name = next(
        f["name"]
        for c in listing.json()["collections"]
        for f in c["files"]
        if f["name"].endswith(".geojson")
    )
    plain = client.get(
        f"/downloads/{name}", headers={"Accept-Encoding": "identity"}, follow_redirects=False
    )
    assert plain.status_code == 307
    assert urlsplit(plain.headers["location"]).path.endswith(f"/publish/{name}")
    body = httpx.get(plain.headers["location"])
    assert body.status_code == 200 and orjson.loads(body.content)["type"] == "FeatureCollection"
    assert "attachment" in body.headers.get("content-disposition", "")

    zipped = client.get(
        f"/downloads/{name}", headers={"Accept-Encoding": "gzip"}, follow_redirects=False
    )
    assert zipped.status_code == 307
    assert urlsplit(zipped.headers["location"]).path.endswith(f"/publish/{name}.gz")
    with httpx.stream("GET", zipped.headers["location"]) as raw:
        assert raw.headers.get("content-encoding") == "gzip"
        compressed = b"".join(raw.iter_raw())
    assert orjson.loads(gzip.decompress(compressed))["type"] == "FeatureCollection"
    assert zipped.headers["etag"] != plain.headers["etag"]

    etag, modified = plain.headers["etag"], plain.headers["last-modified"]
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        cached = client.get(
            f"/downloads/{name}",
            headers={"Accept-Encoding": "identity", **headers},
            follow_redirects=False,
        )
        assert cached.status_code == 304 and "location" not in cached.headers
    assert client.get("/downloads/nope.csv", follow_redirects=False).status_code == 404
