"""The publish step: atomic, idempotent, rewrites only what changed; the Celery task wraps it."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import orjson
from sqlalchemy import update
from sqlalchemy.orm import Session

from geodata.models import ReportStatus, WaterSource
from geodata.opendata.exporters import TEMP_PREFIX
from geodata.opendata.publish import publish_downloads
from tests.ogc_support import BASE_URL, add_report, publish

EXPECTED_FILES = {
    f"{collection}.{suffix}"
    for collection in ("water-systems", "water-sources", "reports", "districts")
    for suffix in ("geojson", "csv", "gpkg")
} | {"water-systems.wpdx.csv", "water-sources.wpdx.csv"}


def snapshot(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}


def test_publish_writes_every_file_with_a_gzip_sibling(session: Session, tmp_path: Path) -> None:
    result = publish(session, tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert names >= EXPECTED_FILES
    assert {f"{name}.gz" for name in EXPECTED_FILES} <= names
    assert "metadata.json" in names
    assert set(result.written) == EXPECTED_FILES | {"metadata.json"}
    assert not [n for n in names if n.startswith(TEMP_PREFIX)]


def test_second_run_is_a_no_op(session: Session, tmp_path: Path) -> None:
    publish(session, tmp_path)
    before = snapshot(tmp_path)
    result = publish(session, tmp_path)
    assert result.written == []
    assert snapshot(tmp_path) == before


def test_a_change_rewrites_only_its_collection(session: Session, tmp_path: Path) -> None:
    first = publish(session, tmp_path)
    before = snapshot(tmp_path)
    session.execute(
        update(WaterSource)
        .where(WaterSource.code == WaterSource.code)
        .values(status="red", status_evidence="citizen", status_evidence_at=datetime.now(UTC))
    )
    add_report(session, ReportStatus.VALIDATED)
    later = datetime(2030, 1, 1, tzinfo=UTC)
    result = publish_downloads(session, tmp_path, BASE_URL, now=later)
    rewritten = {n for n in result.written if n != "metadata.json"}
    assert rewritten == {
        "water-sources.geojson",
        "water-sources.csv",
        "water-sources.gpkg",
        "water-sources.wpdx.csv",
        "reports.geojson",
        "reports.csv",
        "reports.gpkg",
    }
    after = snapshot(tmp_path)
    assert after["water-systems.gpkg"] == before["water-systems.gpkg"]
    assert after["water-sources.gpkg"] != before["water-sources.gpkg"]
    meta = orjson.loads((tmp_path / "metadata.json").read_bytes())
    assert meta["updated"] == "2030-01-01T00:00:00Z"
    updated = {c["id"]: c["updated"] for c in meta["collections"]}
    systems_before = next(c for c in first.metadata["collections"] if c["id"] == "water-systems")
    assert updated["water-systems"] == systems_before["updated"]
    assert updated["reports"] == "2030-01-01T00:00:00Z"


def test_missing_or_damaged_files_are_rewritten(session: Session, tmp_path: Path) -> None:
    publish(session, tmp_path)
    (tmp_path / "districts.gpkg").unlink()
    (tmp_path / "water-sources.csv").write_text("truncated")
    result = publish(session, tmp_path)
    assert "districts.gpkg" in result.written and "water-sources.csv" in result.written
    assert "water-systems.geojson" not in result.written


def test_leftover_temporary_files_are_removed(session: Session, tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    leftover = tmp_path / f"{TEMP_PREFIX}killed.geojson"
    leftover.write_text("{")
    publish(session, tmp_path)
    assert not leftover.exists()


def test_readers_never_see_a_partial_file(session: Session, tmp_path: Path) -> None:
    """While publishing runs, every read of a published file parses completely."""
    publish(session, tmp_path)
    target = tmp_path / "water-systems.geojson"
    stop = threading.Event()
    failures: list[str] = []

    def read_repeatedly() -> None:
        while not stop.is_set():
            try:
                orjson.loads(target.read_bytes())
            except orjson.JSONDecodeError as exc:
                failures.append(str(exc))

    reader = threading.Thread(target=read_repeatedly)
    reader.start()
    try:
        for _ in range(3):
            os.utime(target, (0, 0))
            (tmp_path / "metadata.json").unlink()  # force a full rewrite
            publish(session, tmp_path)
    finally:
        stop.set()
        reader.join()
    assert failures == []


def test_task_is_registered_under_its_stable_name() -> None:
    from worker.app import celery_app
    from worker.tasks import publish as publish_module

    assert publish_module.publish_downloads_task.name == "publish.downloads"
    assert celery_app.tasks["publish.downloads"].name == "publish.downloads"
    schedule = celery_app.conf.beat_schedule["publish-downloads"]
    assert schedule["task"] == "publish.downloads"


def test_task_body_publishes_into_the_configured_directory(engine: object) -> None:
    """Runs the task body in-process on the committed seed data (no broker needed)."""
    from geodata.settings import get_settings
    from worker.tasks.publish import publish_downloads_task

    directory = get_settings().publish_dir
    outcome = publish_downloads_task.run()
    assert Path(outcome["directory"]) == directory
    assert (directory / "metadata.json").is_file()
    again = publish_downloads_task.run()
    assert again["written"] == []


def test_publish_runs_from_the_command_line(engine: object, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    target = tmp_path / "cli"
    done = subprocess.run(
        [sys.executable, "-m", "geodata.opendata", "--directory", str(target)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert "files written" in done.stdout
    assert (target / "metadata.json").is_file() and (target / "water-systems.wpdx.csv").is_file()
