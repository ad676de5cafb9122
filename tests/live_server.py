"""A real uvicorn serving the app on a free port, for clients that need HTTP (GDAL, browsers)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def uvicorn_server(env: dict[str, str], ready_path: str = "/health") -> Iterator[str]:
    """Start ``api.main:app`` with ``env`` added to the environment; yield its base URL.

    ``timeout`` bounds the server's life even if the test run is killed; links must point at
    this server, so a configured public URL is dropped.
    """
    port = free_port()
    environment = {**os.environ, **env}
    environment.pop("YAKU_PUBLIC_URL", None)
    process = subprocess.Popen(
        [
            *("timeout", "1800", sys.executable, "-m", "uvicorn", "api.main:app"),
            *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
        ],
        cwd=REPO,
        env=environment,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + ready_path, timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
