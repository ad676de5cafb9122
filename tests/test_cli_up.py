"""`yaku up` (the README's first command after set-up) runs API, worker and beat together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import redis
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, recreate_database
from tests.live_server import free_port

# `yaku up` migrates, seeds, recomputes and publishes: give it a database of its own so the
# shared test database keeps its seeded state.
UP_DATABASE_URL = (
    make_url(TEST_DATABASE_URL)
    .set(database=f"{make_url(TEST_DATABASE_URL).database}_up")
    .render_as_string(hide_password=False)
)


def test_yaku_up_serves_health_with_a_worker_and_stops_everything(tmp_path: Path) -> None:
    recreate_database(UP_DATABASE_URL)
    port = free_port()
    env = dict(
        os.environ,
        YAKU_DATABASE_URL=UP_DATABASE_URL,
        YAKU_REDIS_URL=TEST_REDIS_URL,
        YAKU_PORT=str(port),
        YAKU_PUBLISH_DIR=str(tmp_path / "var" / "publish"),
        YAKU_MEDIA_DIR=str(tmp_path / "var" / "media"),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "geodata.cli",
            "up",
            "--api-workers",
            "1",
            "--worker-concurrency",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    body: dict = {}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
                if body.get("status") == "ok":
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert body.get("status") == "ok", body
        assert body["worker"]["workers"], body
        # beat is running: it holds the cluster's one beat lock (RedBeat, in Redis)
        beat_lock = redis.Redis.from_url(TEST_REDIS_URL)
        try:
            deadline = time.monotonic() + 30
            while not beat_lock.exists("yaku:beat::lock") and time.monotonic() < deadline:
                time.sleep(0.5)
            assert beat_lock.exists("yaku:beat::lock")
        finally:
            beat_lock.close()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
    assert f"Yaku is running at http://127.0.0.1:{port}/" in output
    assert "seeded from" in output and "published into" in output
    assert proc.returncode == 0
    leftovers = subprocess.run(
        ["pgrep", "-f", f"--port {port}"], capture_output=True, text=True, check=False
    )
    assert leftovers.stdout.strip() == ""
