"""Yaku on several machines: two API hosts, two worker hosts and a services host, made of
network namespaces joined by veth pairs and a bridge (``tests/netns_support.py``).

The services host (the bridge's address) runs PostgreSQL behind PgBouncer (transaction mode),
a Redis of its own and the object store (moto's S3 server). Reports are posted to both API
hosts at once; one worker host is killed (every process, then its cable) mid-load; every report
still ends validated, and a photo posted to one API host is served by the other. Figures are
printed (run with ``-s``) and used in the README.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests import report_factories as make
from tests.celery_support import REPO, wait_for
from tests.conftest import TEST_DATABASE_URL
from tests.netns_support import Host, Network, cannot_make_namespaces, wait_port
from tests.pgbouncer_support import pgbouncer, pgbouncer_binary
from tests.storage_support import free_port, start_moto
from tests.test_reports_celery import created  # noqa: F401  (fixture: undoes the reports)

WHY_NOT = cannot_make_namespaces() or (
    None if pgbouncer_binary() else "Debian's pgbouncer is not installed"
)
pytestmark = [pytest.mark.celery, pytest.mark.skipif(WHY_NOT is not None, reason=str(WHY_NOT))]

REPORTS = 600  # posted, half to each API host
KILL_AFTER = 100  # validated reports before the first worker host dies
API_PORT = 8000


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 140, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def network() -> Iterator[Network]:
    net = Network(uuid.uuid4().hex[:3], net=77)
    try:
        yield net
    finally:
        net.close()


def statuses(engine: Engine, codes: list[str]) -> dict[str, int]:
    from geodata.models import Report

    with Session(engine) as s:
        rows = s.execute(
            select(Report.status, func.count())
            .where(Report.tracking_code.in_(codes))
            .group_by(Report.status)
        ).all()
    return {str(k.value): int(n) for k, n in rows}


def test_two_api_hosts_two_worker_hosts_one_dies_nothing_is_lost(
    network: Network,
    engine: Engine,
    tmp_path: Path,
    created: list[str],  # noqa: F811
) -> None:
    services = network.gateway
    redis_port = free_port(services)
    redis_password = uuid.uuid4().hex  # reached from other hosts: not in protected mode
    redis_server = subprocess.Popen(
        [
            *("redis-server", "--bind", services, "--port", str(redis_port)),
            *("--requirepass", redis_password, "--save", "", "--appendonly", "no"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    moto = start_moto(host=services)
    try:
        wait_port(services, redis_port, process=redis_server)
        with pgbouncer(
            TEST_DATABASE_URL, pool_size=8, listen=services, idle_transaction_s=10
        ) as database_url:
            redis_url = f"redis://:{redis_password}@{services}:{redis_port}/0"
            run_cluster(network, engine, tmp_path, created, database_url, redis_url, moto.env)
    finally:
        moto.process.terminate()
        redis_server.terminate()
        moto.process.wait(timeout=10)
        redis_server.wait(timeout=10)


def run_cluster(
    network: Network,
    engine: Engine,
    tmp_path: Path,
    codes_made: list[str],
    database_url: str,
    redis_url: str,
    storage_env: object,
) -> None:
    bucket = f"yaku-multihost-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        **storage_env(bucket),  # type: ignore[operator]
        "YAKU_DATABASE_URL": database_url,
        "YAKU_DB_PREPARE_THRESHOLD": "never",  # through PgBouncer in transaction mode
        "YAKU_REDIS_URL": redis_url,
        "YAKU_INTAKE_ADDRESS_LIMITS": "100000/minute",
        "YAKU_INTAKE_PHOTO_ADDRESS_LIMITS": "100000/minute",
        "YAKU_REPORTER_RATE_LIMIT_PER_HOUR": "100000",
        "YAKU_SWEEP_AFTER_SECONDS": "5",
        "YAKU_SWEEP_EVERY_SECONDS": "3",
        "YAKU_BEAT_LOCK_SECONDS": "6",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("YAKU_PUBLIC_URL", None)
    api_hosts = [network.add_host("api1"), network.add_host("api2")]
    worker_hosts = [network.add_host("wrk1"), network.add_host("wrk2")]

    def host_env(host: Host) -> dict[str, str]:
        local = tmp_path / host.name  # each machine's own disk: nothing shared through it
        return {
            **env,
            "YAKU_MEDIA_DIR": str(local / "media"),
            "YAKU_PUBLISH_DIR": str(local / "publish"),
        }

    python = sys.executable
    for host in api_hosts:
        host.run(
            [
                *(python, "-m", "uvicorn", "api.main:app", "--host", host.address),
                *("--port", str(API_PORT), "--log-level", "warning"),
            ],
            host_env(host),
            tmp_path / f"{host.name}.log",
            cwd=str(REPO),
        )
    for host in worker_hosts:
        celery = [python, "-m", "celery", "-A", "worker.app:celery_app"]
        host.run(
            [
                *celery,
                *("worker", "--concurrency=2", "--loglevel=INFO", f"--hostname={host.name}@%h"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            host_env(host),
            tmp_path / f"{host.name}-worker.log",
            cwd=str(REPO),
        )
        # a beat on each worker host: the lock in Redis lets one schedule
        host.run(
            [*celery, "beat", "--loglevel=INFO", f"--pidfile={tmp_path / host.name}.pid"],
            host_env(host),
            tmp_path / f"{host.name}-beat.log",
            cwd=str(REPO),
        )
    for host in api_hosts:
        wait_port(host.address, API_PORT, timeout=90, process=host.processes[0])
    bases = [f"http://{h.address}:{API_PORT}" for h in api_hosts]
    for base in bases:
        wait_for(
            lambda b=base: httpx.get(f"{b}/api/v1/systems?limit=1", timeout=5).status_code == 200,
            timeout=60,
            interval=0.5,
        )

    # 1. A photo posted to one API host is served by the other, from the object store.
    with Session(engine) as s:
        seeded = make.systems(s, 120)
    first = seeded[0]
    places = [seeded[1 + i % (len(seeded) - 1)] for i in range(REPORTS)]
    answer = httpx.post(
        f"{bases[0]}/api/v1/reports",
        data={"category": "leak", "lon": str(first.lon), "lat": str(first.lat)},
        files={"photo": ("p.jpg", jpeg(), "image/jpeg")},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    photo_code = answer.json()["tracking_code"]
    codes_made.append(photo_code)
    wait_for(lambda: statuses(engine, [photo_code]).get("validated"), timeout=60, interval=0.5)
    served = httpx.get(f"{bases[1]}/api/v1/reports/{photo_code}/photo", timeout=10)
    assert served.status_code == 307, served.text
    image = httpx.get(served.headers["location"], timeout=10)
    assert image.status_code == 200 and Image.open(io.BytesIO(image.content)).format == "JPEG"

    # 2. Load on both API hosts; the first worker host dies mid-way.
    codes: list[str] = []
    per_host = [0, 0]
    lock = threading.Lock()
    clients = [httpx.Client(base_url=base, timeout=30) for base in bases]  # kept-alive, as a
    # load balancer keeps its upstream connections

    def post(item: tuple[int, make.Place]) -> None:
        index, place = item
        host = index % 2
        payload = {
            "location": {"lon": place.lon, "lat": place.lat},
            "category": "no_water",
            "device_id": str(uuid.uuid4()),
        }
        response = clients[host].post("/api/v1/reports", json=payload)
        assert response.status_code == 201, response.text
        with lock:
            codes.append(response.json()["tracking_code"])
            per_host[host] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        posting = pool.map(post, enumerate(places))
        killed_at = None
        while killed_at is None:
            with lock:
                snapshot = list(codes)
            if statuses(engine, snapshot).get("validated", 0) >= KILL_AFTER:
                worker_hosts[0].kill()
                killed_at = time.monotonic() - started
            time.sleep(0.2)
        list(posting)
    posted_in = time.monotonic() - started
    for client in clients:
        client.close()
    codes_made.extend(codes)
    assert len(codes) == REPORTS

    def all_validated() -> bool:
        return statuses(engine, codes).get("validated", 0) == REPORTS

    try:
        wait_for(all_validated, timeout=240, interval=0.5)
    finally:
        print(f"\nstatuses at the end: {statuses(engine, codes)}")
    total = time.monotonic() - started
    final = statuses(engine, codes)
    batches = [
        (tmp_path / f"{h.name}-worker.log").read_text().count("reports.validate_batch[")
        for h in worker_hosts
    ]
    print(
        f"\nmulti-host: {REPORTS} reports posted to 2 API hosts ({per_host[0]} + {per_host[1]}) "
        f"in {posted_in:.1f} s = {REPORTS / posted_in:.1f} reports/s accepted; "
        f"worker host 1 killed at {killed_at:.1f} s; all {final.get('validated', 0)} validated "
        f"after {total:.1f} s = {REPORTS / total:.1f} reports/s end to end; lost: "
        f"{REPORTS - final.get('validated', 0)}; statuses: {final}; validation batches seen "
        f"by worker host 1 (killed) / 2: {batches[0]} / {batches[1]}"
    )
    assert batches[1] > 0
    assert final == {"validated": REPORTS}
