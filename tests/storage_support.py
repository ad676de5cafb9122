"""A real S3-compatible server for the tests: moto's standalone server (``moto_server``), in
its own process on a free port. Its buckets live in that process's memory; nothing is mocked
inside the test process (boto3 speaks HTTP to it as to AWS or MinIO).

Known limit of moto's server: it does not check the signature or the expiry of a presigned URL
(AWS and MinIO do); tests assert the expiry the URL carries and that unsigned access is refused.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from geodata.storage.s3 import S3Store

ACCESS_KEY = "yaku-test-access"
SECRET_KEY = "yaku-test-secret-key"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen[bytes]

    def store(self, bucket: str, prefix: str = "") -> S3Store:
        store = S3Store(
            bucket,
            prefix,
            endpoint_url=self.endpoint,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
        )
        store.ensure_bucket()
        return store

    def env(self, bucket: str) -> dict[str, str]:
        """Settings that put a Yaku process's photos and downloads in ``bucket``."""
        return {
            "YAKU_STORAGE_BACKEND": "s3",
            "YAKU_STORAGE_BUCKET": bucket,
            "YAKU_STORAGE_ENDPOINT_URL": self.endpoint,
            "YAKU_STORAGE_ACCESS_KEY": ACCESS_KEY,
            "YAKU_STORAGE_SECRET_KEY": SECRET_KEY,
            "YAKU_STORAGE_CREATE_BUCKET": "true",
        }


def start_moto(host: str = "127.0.0.1", port: int | None = None) -> S3Server:
    port = port or free_port(host)
    binary = os.path.join(os.path.dirname(sys.executable), "moto_server")
    process = subprocess.Popen(
        [binary, "-H", host, "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://{host}:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{endpoint}/moto-api/", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.2)
    return S3Server(endpoint, process)


@contextmanager
def moto_server() -> Iterator[S3Server]:
    server = start_moto()
    try:
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
