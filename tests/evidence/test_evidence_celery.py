"""Official evidence drives the colour, end to end: the real application commits rounds and lab
files, the aggregation job leaves after the commit, a real Celery worker recomputes the colour.

A recent official reading within the limits turns a system green; a laboratory's E. coli turns
it red; an official result supersedes a citizen's alert of the same period.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from api import queue as intake_queue
from geodata.evidence.fields import PERU
from geodata.models import Account, Report, Role
from tests import report_factories as make
from tests.account_factories import Staff, staff
from tests.celery_support import flush_redis, running_worker, wait_for
from tests.evidence.support import lab_csv, restoring, sample

pytestmark = pytest.mark.celery


@pytest.fixture
def live(engine: Engine) -> Iterator[TestClient]:
    from api.main import create_app

    flush_redis()
    intake_queue._broker.cache_clear()
    intake_queue._outbox.breaker._open_until = 0.0
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client
    flush_redis()


@pytest.fixture
def diresa(engine: Engine) -> Iterator[Staff]:
    with Session(engine, expire_on_commit=False) as s:
        who = staff(s, Role.HEALTH)
        s.commit()
    yield who
    with Session(engine) as s:
        s.execute(delete(Account).where(Account.id == who.account.id))
        s.commit()


def place(engine: Engine, offset: int) -> make.Place:
    with Session(engine) as s:
        return make.systems(s, 1, offset=offset)[0]


def system(client: TestClient, code: str) -> dict[str, Any]:
    return client.get(f"/api/v1/systems/{code}").json()


def coloured(client: TestClient, code: str, colour: str) -> dict[str, Any] | None:
    data = system(client, code)
    return data if data["status"] == colour else None


def test_official_readings_turn_a_system_green_then_a_lab_result_turns_it_red(
    engine: Engine, live: TestClient, diresa: Staff
) -> None:
    target = place(engine, 40)
    with restoring(engine, [target.id]), running_worker():
        readings = [sample("network", chlorine=0.8, ph=7.1, turbidity=1.0, e_coli=False)]
        response = live.post(
            "/api/v1/readings",
            json={"system": target.code, "readings": readings},
            headers={**diresa.headers, "Idempotency-Key": f"k-{uuid.uuid4()}"},
        )
        assert response.status_code == 201, response.text
        green = wait_for(lambda: coloured(live, target.code, "green"))
        assert green["status_evidence"] == "official"
        assert "Medición de operador" in green["status_reason"]
        compliance = live.get(f"/api/v1/systems/{target.code}/compliance").json()
        assert compliance["stale"] is False and compliance["months"][0]["chlorine_samples"] == 1

        taken = (datetime.now(UTC) - timedelta(minutes=30)).astimezone(PERU)  # as labs write
        rows = [
            [
                target.code,
                "grifo",
                taken.strftime("%d/%m/%Y"),
                taken.strftime("%H:%M"),
                "E. coli",
                "4",
                "NMP/100 mL",
                "DIRESA La Libertad",
                f"M-{uuid.uuid4().hex[:8]}",
            ],
        ]
        upload = live.post(
            "/api/v1/lab-results",
            files={"file": ("resultados.csv", lab_csv(rows), "text/csv")},
            headers=diresa.headers,
        )
        assert upload.status_code == 201, upload.text
        red = wait_for(lambda: coloured(live, target.code, "red"))
        assert red["status_evidence"] == "official"
        assert "Medición de laboratorio" in red["status_reason"]
        assert "se detectó presencia" in red["status_reason"]


def test_an_official_result_supersedes_a_citizen_alert_of_the_same_period(
    engine: Engine, live: TestClient, diresa: Staff
) -> None:
    target = place(engine, 41)
    codes: list[str] = []
    try:
        with restoring(engine, [target.id]), running_worker():
            report = live.post(
                "/api/v1/reports",
                json={
                    "location": {"lon": target.lon, "lat": target.lat},
                    "category": "bad_taste_smell_colour",
                    "device_id": str(uuid.uuid4()),
                },
            )
            assert report.status_code == 201, report.text
            codes.append(report.json()["tracking_code"])
            alerted = wait_for(lambda: system(live, target.code)["alert_category"])
            assert alerted == "bad_taste_smell_colour"
            # The operator's reading, taken after the report, within the limits.
            readings = [sample("network", datetime.now(UTC), chlorine=0.9)]
            response = live.post(
                "/api/v1/readings",
                json={"system": target.code, "readings": readings},
                headers=diresa.headers,
            )
            assert response.status_code == 201, response.text
            after = wait_for(lambda: coloured(live, target.code, "green"))
            assert after["alert_category"] is None and after["status_evidence"] == "official"
    finally:
        with Session(engine) as s:
            s.execute(delete(Report).where(Report.tracking_code.in_(codes)))
            s.commit()


def test_nothing_is_enqueued_for_a_refused_round(
    engine: Engine, live: TestClient, diresa: Staff
) -> None:
    target = place(engine, 42)
    with restoring(engine, [target.id]):
        bad = live.post(
            "/api/v1/readings",
            json={"system": target.code, "readings": [sample(chlorine=40)]},
            headers=diresa.headers,
        )
        assert bad.status_code == 422
        with Session(engine) as s:
            from geodata.models import Measurement

            assert (
                s.scalar(select(Measurement.id).where(Measurement.system_id == target.id)) is None
            )


def test_a_round_retried_in_parallel_is_stored_once(
    engine: Engine, live: TestClient, diresa: Staff
) -> None:
    """A phone's page and its service worker may send the same round at the same moment."""
    from concurrent.futures import ThreadPoolExecutor

    from geodata.models import ReadingBatch

    target = place(engine, 43)
    key = f"parallel-{uuid.uuid4()}"
    payload = {"system": target.code, "readings": [sample(chlorine=0.7, ph=7.0)]}
    headers = {**diresa.headers, "Idempotency-Key": key}
    with restoring(engine, [target.id]), ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(
            pool.map(
                lambda _: live.post("/api/v1/readings", json=payload, headers=headers), range(6)
            )
        )
        assert sorted(r.status_code for r in responses) == [200] * 5 + [201]
        assert len({r.json()["round"] for r in responses}) == 1
        with Session(engine) as s:
            batches = s.scalars(select(ReadingBatch).where(ReadingBatch.idempotency_key == key))
            assert len(batches.all()) == 1
