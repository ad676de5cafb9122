"""Intake rate limits on the real Redis: a flood from one phone or one address stops with a
truthful 429 and Retry-After, while many phones behind one shared address get through."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api import ratelimit
from api.ratelimit import IntakeLimiter, network_key
from api.routers.reports import get_intake
from geodata.settings import get_settings
from tests import report_factories as make
from tests.test_reports_api import SessionIntake


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[IntakeLimiter]:
    """Small budgets: 3 reports an hour per reporter, 8 a minute per address, 2 photos."""
    settings = get_settings().model_copy(
        update={
            "reporter_rate_limit_per_hour": 3,
            "intake_address_limits": "8/minute",
            "intake_photo_address_limits": "2/minute",
        }
    )
    limiter = IntakeLimiter(settings)
    monkeypatch.setattr(ratelimit, "intake_limiter", lambda: limiter)
    monkeypatch.setattr("api.routers.reports.intake_limiter", lambda: limiter)
    monkeypatch.setattr("api.routers.open311.intake_limiter", lambda: limiter)
    yield limiter


@pytest.fixture(autouse=True)
def session_intake(client: TestClient, session: Session) -> None:
    client.app.dependency_overrides[get_intake] = lambda: SessionIntake(session)  # type: ignore[attr-defined]


def report(place: make.Place, device: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "location": {"lon": place.lon, "lat": place.lat},
        "category": "leak",
        "description": f"fuga {uuid.uuid4().hex[:6]}",
        **({"device_id": device} if device else {}),
        **extra,
    }


def test_one_phone_is_stopped_with_a_message_about_the_phone(
    client: TestClient, session: Session, limits: IntakeLimiter
) -> None:
    place = make.systems(session)[0]
    answers = [client.post("/api/v1/reports", json=report(place, "phone-1")) for _ in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    refused = answers[-1]
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    error = refused.json()["error"]
    assert error["code"] == "rate_limited_reporter"
    assert "teléfono o contacto" in error["message"] and "red" not in error["message"]
    # another phone from the same address is not held back by the first one
    assert client.post("/api/v1/reports", json=report(place, "phone-2")).status_code == 201


def test_a_village_behind_one_address_gets_through_until_the_address_budget(
    client: TestClient, session: Session, limits: IntakeLimiter
) -> None:
    place = make.systems(session)[0]
    phones = [client.post("/api/v1/reports", json=report(place, f"v{i}")) for i in range(8)]
    assert {a.status_code for a in phones} == {201}
    flood = client.post("/api/v1/reports", json=report(place, "v-next"))
    assert flood.status_code == 429
    error = flood.json()["error"]
    assert error["code"] == "rate_limited_network"
    assert "dirección de red" in error["message"] and "teléfono" not in error["message"]
    assert int(flood.headers["retry-after"]) <= 60


def test_the_contact_stands_for_the_reporter_without_an_install_id(
    client: TestClient, session: Session, limits: IntakeLimiter
) -> None:
    place = make.systems(session)[0]
    body = report(place, None, contact="vecina@example.org")
    codes = [client.post("/api/v1/reports", json=body | {"description": str(i)}).status_code
             for i in range(4)]  # fmt: skip
    assert codes == [201, 201, 201, 429]


def test_photos_have_their_own_budget_per_address(
    client: TestClient, session: Session, limits: IntakeLimiter
) -> None:
    from tests.test_photos import png

    place = make.systems(session)[0]
    codes = []
    for i in range(3):
        fields = {"category": "leak", "lon": str(place.lon), "lat": str(place.lat),
                  "device_id": f"cam-{i}"}  # fmt: skip
        files = {"photo": ("p.png", png(32, 32, seed=i), "image/png")}
        codes.append(client.post("/api/v1/reports", data=fields, files=files).status_code)
    assert codes == [201, 201, 429]


def test_open311_intake_has_the_same_budgets(
    client: TestClient, session: Session, limits: IntakeLimiter
) -> None:
    place = make.systems(session)[0]
    form = {"service_code": "leak", "lat": str(place.lat), "long": str(place.lon),
            "device_id": "open311-app"}  # fmt: skip
    codes = [
        client.post("/open311/v2/requests.json", data=form | {"description": str(i)}).status_code
        for i in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    refused = client.post("/open311/v2/requests.json", data=form | {"description": "x"})
    assert "retry-after" in refused.headers
    assert refused.json()[0]["code"] == 429


def test_without_redis_intake_goes_on(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings().model_copy(
        update={"redis_url": "redis://127.0.0.1:9/0", "reporter_rate_limit_per_hour": 1}
    )
    limiter = IntakeLimiter(settings)
    monkeypatch.setattr("api.routers.reports.intake_limiter", lambda: limiter)
    place = make.systems(session)[0]
    codes = [client.post("/api/v1/reports", json=report(place, "p")).status_code for _ in range(3)]
    assert codes == [201, 201, 201]


def test_the_worker_never_blames_a_shared_address(session: Session) -> None:
    """Reports known only by their address (no install id, no contact) are not rate-limited
    by the worker: the address budget at intake covers them."""
    from geodata.models import ReportStatus
    from geodata.reports.validation import validate_report
    from tests.test_validation import stored

    place = make.systems(session)[0]
    limit = get_settings().reporter_rate_limit_per_hour
    ids = [
        make.report(
            session, place, description=f"n{i}", client_address="190.0.0.7", device_id=None
        ).id
        for i in range(limit + 2)
    ]
    for report_id in ids:
        validate_report(session, report_id)
    assert {stored(session, i).status for i in ids} == {ReportStatus.VALIDATED}


def test_ipv6_subscribers_count_by_their_64_prefix() -> None:
    assert network_key("2800:200:e840:1a2b::1") == network_key("2800:200:e840:1a2b:ffff::9")
    assert network_key("2800:200:e840:1a2b::1") != network_key("2800:200:e840:1a2c::1")
    assert network_key("::ffff:190.1.2.3") == "190.1.2.3"
