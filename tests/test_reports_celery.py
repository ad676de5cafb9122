"""End to end with a real Celery worker on the real Redis: nothing is ever lost.

The API runs in-process (``TestClient`` on the real app, committing to the test database); the
worker is a subprocess. Every test removes the reports it created and resets what they touched.
"""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from api import queue as intake_queue
from geodata.models import (
    DistrictIndicator,
    Measurement,
    Report,
    ReportStatus,
    ReportUpdate,
    StatusChange,
    WaterStatus,
    WaterSystem,
)
from tests import report_factories as make
from tests.celery_support import Worker, celery_client, flush_redis, running_worker, wait_for

pytestmark = pytest.mark.celery


@pytest.fixture
def live(engine: Engine) -> Iterator[TestClient]:
    """The real application: its own sessions, real commits, real enqueueing."""
    from api.main import create_app

    flush_redis()
    intake_queue._broker.cache_clear()
    intake_queue._outbox.breaker._open_until = 0.0
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client
    flush_redis()


@pytest.fixture
def created(engine: Engine) -> Iterator[list[str]]:
    """Tracking codes made by the test; their reports and what they changed are undone."""
    codes: list[str] = []
    yield codes
    with Session(engine) as s:
        rows = s.execute(
            select(Report.id, Report.system_id).where(Report.tracking_code.in_(codes))
        ).all()
        systems = [r.system_id for r in rows if r.system_id is not None]
        s.execute(delete(Report).where(Report.id.in_([r.id for r in rows])))
        s.execute(delete(StatusChange).where(StatusChange.system_id.in_(systems)))
        s.execute(
            update(WaterSystem)
            .where(WaterSystem.id.in_(systems))
            .values(
                status="grey",
                status_evidence="none",
                status_evidence_at=None,
                status_reason=None,
                status_updated_at=None,
                alert_category=None,
                alert_since=None,
            )
        )
        s.execute(delete(DistrictIndicator))
        s.commit()


def places(engine: Engine, count: int, offset: int) -> list[make.Place]:
    with Session(engine) as s:
        return make.systems(s, count, offset=offset)


def post(client: TestClient, place: make.Place, **fields: Any) -> dict[str, Any]:
    payload = {
        "location": {"lon": place.lon, "lat": place.lat},
        "category": "no_water",
        "device_id": str(uuid.uuid4()),
        **fields,
    }
    response = client.post("/api/v1/reports", json=payload)
    assert response.status_code in (200, 201), response.text
    return response.json()


def report_status(client: TestClient, code: str) -> dict[str, Any]:
    return client.get(f"/api/v1/reports/{code}").json()


def system_if(client: TestClient, code: str, colour: str) -> dict[str, Any] | None:
    data = client.get(f"/api/v1/systems/{code}").json()
    return data if data["status"] == colour else None


def settled(client: TestClient, code: str) -> dict[str, Any] | None:
    data = report_status(client, code)
    return data if data["status"] != "received" else None


def system_alert(client: TestClient, code: str) -> dict[str, Any] | None:
    data = client.get(f"/api/v1/systems/{code}").json()
    return data if data["alert_category"] else None


def test_one_report_alerts_at_once_a_second_neighbour_turns_the_system_red(
    live: TestClient, created: list[str]
) -> None:
    place = places(_engine(), 1, offset=20)[0]
    with running_worker():
        code = post(live, place)["tracking_code"]
        created.append(code)
        data = wait_for(lambda: settled(live, code))
        assert data["status"] == "validated" and data["system_code"] == place.code
        alerted = wait_for(lambda: system_alert(live, place.code))
        assert alerted["alert_category"] == "no_water" and alerted["status"] != "red"
        # another neighbour: another phone (device id) and another network address
        with TestClient(live.app, client=("10.20.30.40", 5000)) as neighbour:
            created.append(post(neighbour, place)["tracking_code"])
        system = wait_for(lambda: system_if(live, place.code, "red"))
    assert system["status_evidence"] == "citizen" and system["alert_category"] is None
    assert system["status_reason"] == "Reporte ciudadano: no hay agua"
    district = live.get(f"/api/v1/districts/{system['district_ubigeo']}").json()
    assert district["counts"]["red"] >= 1


def test_a_rejected_report_says_why(live: TestClient, created: list[str]) -> None:
    lima = make.Place(0, "", -77.03, -12.05, None)
    with running_worker():
        code = post(live, lima)["tracking_code"]
        created.append(code)
        data = wait_for(lambda: settled(live, code))
    assert data["status"] == "rejected"
    assert data["rejection_reason"] == (
        "Este lugar está fuera de La Libertad (a más de 2 km). "
        "Elige un lugar dentro de La Libertad."
    )
    assert data["updates"][-1]["note"] == data["rejection_reason"]


def test_the_same_idempotency_key_gives_one_report(live: TestClient, created: list[str]) -> None:
    place = places(_engine(), 1, offset=21)[0]
    key = f"retry-{uuid.uuid4()}"
    payload = {
        "location": {"lon": place.lon, "lat": place.lat},
        "category": "intermittent_supply",
        "idempotency_key": key,
    }
    with ThreadPoolExecutor(max_workers=6) as pool:  # a flaky link retrying in parallel
        responses = list(pool.map(lambda _: live.post("/api/v1/reports", json=payload), range(6)))
    codes = {r.json()["tracking_code"] for r in responses}
    assert len(codes) == 1 and sorted(r.status_code for r in responses) == [200] * 5 + [201]
    created.extend(codes)
    with Session(_engine()) as s:
        assert s.scalar(select(func.count()).where(Report.idempotency_key == key)) == 1


def _engine() -> Engine:
    from geodata.database import get_engine

    return get_engine()


def backend_waiting_on_lock(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query ILIKE 'DELETE FROM measurement%'"
                )
            )
        )


def test_a_worker_killed_mid_task_loses_nothing(live: TestClient, created: list[str]) -> None:
    engine = _engine()
    place = places(engine, 1, offset=22)[0]
    blocker = engine.connect()
    blocker_tx = blocker.begin()
    # Freeze the validator half-way: it has claimed the report and waits on this lock.
    blocker.execute(text("LOCK TABLE measurement IN ACCESS EXCLUSIVE MODE"))
    doomed = Worker("doomed").start()
    try:
        code = post(live, place, measurements=[{"parameter": "free_chlorine", "value": 0.8}])[
            "tracking_code"
        ]
        created.append(code)
        wait_for(lambda: backend_waiting_on_lock(engine))
        doomed.kill()
    finally:
        doomed.kill()
        blocker_tx.rollback()
        blocker.close()
    assert report_status(live, code)["status"] == "received"
    time.sleep(1.1)  # older than sweep_after_seconds (1 s for the test worker)
    with running_worker("rescuer"):
        celery_client().send_task("reports.sweep")
        data = wait_for(lambda: settled(live, code))
    assert data["status"] == "validated"
    with Session(engine) as s:
        report_id = s.scalar(select(Report.id).where(Report.tracking_code == code))
        updates = select(ReportUpdate.to_status).where(ReportUpdate.report_id == report_id)
        assert s.scalars(updates).all() == [ReportStatus.VALIDATED]
        readings = s.scalar(select(func.count()).where(Measurement.report_id == report_id))
        assert readings == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_redis_stopped_during_intake_loses_nothing(
    live: TestClient, created: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API's Redis dies half-way through intake: every report is still accepted and, once a
    worker sweeps, validated - including those whose tasks died with that Redis."""
    engine = _engine()
    place = places(engine, 1, offset=23)[0]
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        broker = intake_queue.fail_fast_publisher(f"redis://127.0.0.1:{port}/0")
        wait_for(lambda: _pings(port), timeout=10)
        monkeypatch.setattr(intake_queue, "_broker", lambda: broker)
        timings = []
        for i in range(20):
            if i == 10:
                server.kill()
                server.wait(timeout=10)
            started = time.perf_counter()
            code = post(live, place, description=f"outage {i}")["tracking_code"]
            timings.append(time.perf_counter() - started)
            created.append(code)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
    assert max(timings[10:]) < 0.5, timings  # failing fast: no reconnect loop
    with Session(engine) as s:
        statuses = s.scalars(select(Report.status).where(Report.tracking_code.in_(created))).all()
    assert len(statuses) == 20 and set(statuses) == {ReportStatus.RECEIVED}
    time.sleep(1.1)
    with running_worker("after-outage"):
        celery_client().send_task("reports.sweep")

        def all_done() -> bool:
            with Session(engine) as s:
                waiting = s.scalar(
                    select(func.count()).where(
                        Report.tracking_code.in_(created), Report.status == ReportStatus.RECEIVED
                    )
                )
            return waiting == 0

        wait_for(all_done, timeout=30)
        with Session(engine) as s:
            final = s.scalars(select(Report.status).where(Report.tracking_code.in_(created))).all()
        assert final.count(ReportStatus.VALIDATED) == 20
        # twenty reports from one network address: one citizen's unconfirmed alert
        system = wait_for(lambda: system_alert(live, place.code))
    assert system["alert_category"] == "no_water" and system["status"] != WaterStatus.RED


def _pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
