"""Reports whose validation failed every time wait for the moderators, with their error: they
can reject them, or send them to validation again."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.models import AuditEvent, Report, ReportCategory, ReportStatus
from geodata.reports.validation import MAX_VALIDATION_ATTEMPTS
from tests import report_factories as make
from tests.desk.conftest import World
from tests.desk.support import api, browser


@pytest.fixture
def poison(session: Session, world: World) -> Report:
    accepted = make.report(session, world.a, ReportCategory.OTHER, device_id="poison")
    report = session.get_one(Report, accepted.id)
    report.validation_attempts = MAX_VALIDATION_ATTEMPTS
    report.validation_error = "ValueError: could not convert string to float: 'x'"
    session.flush()
    return report


def test_moderators_see_failed_validations_with_their_error(
    client: TestClient, world: World, poison: Report
) -> None:
    moderator = world.staff["moderator"]
    listed = api(client, "GET", "/api/v1/desk/reports?failed=true", moderator).json()
    assert [i["tracking_code"] for i in listed["items"]] == [poison.tracking_code]
    normal = api(client, "GET", "/api/v1/desk/reports", moderator).json()["items"]
    assert poison.tracking_code not in [i["tracking_code"] for i in normal]
    detail = api(client, "GET", f"/api/v1/desk/reports/{poison.tracking_code}", moderator).json()
    assert detail["validation_error"].startswith("ValueError")
    assert detail["validation_attempts"] == MAX_VALIDATION_ATTEMPTS
    assert detail["allowed_actions"] == ["reject", "retry"]
    page = browser(client, "GET", "/desk", moderator)
    assert "Validación fallida (1)" in page.text and poison.tracking_code in page.text
    assert "Validación fallida" not in browser(client, "GET", "/desk", world.staff["analyst"]).text


def test_validate_again_resets_the_attempts_and_enqueues_validation(
    client: TestClient, session: Session, world: World, poison: Report
) -> None:
    response = api(
        client,
        "POST",
        f"/api/v1/desk/reports/{poison.tracking_code}/updates",
        world.staff["moderator"],
        json={"action": "retry"},
    )
    assert response.status_code == 201 and response.json()["update"] is None
    session.expire_all()
    report = session.get_one(Report, poison.id)
    assert report.validation_attempts == 0 and report.validation_error is None
    assert jobs.Job(jobs.VALIDATE_REPORTS, ([poison.id],)) in jobs.pending(session)
    assert session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "report.retry")
    ).one()
    again = api(
        client,
        "POST",
        f"/api/v1/desk/reports/{poison.tracking_code}/updates",
        world.staff["moderator"],
        json={"action": "retry"},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_retryable"


def test_a_failed_report_is_rejected_with_a_reason(
    client: TestClient, session: Session, world: World, poison: Report
) -> None:
    response = api(
        client,
        "POST",
        f"/api/v1/desk/reports/{poison.tracking_code}/updates",
        world.staff["moderator"],
        json={"action": "reject", "note": "Lectura ilegible"},
    )
    assert response.status_code == 201
    session.expire_all()
    report = session.get_one(Report, poison.id)
    assert report.status is ReportStatus.REJECTED and report.rejection_reason == "Lectura ilegible"
    public = client.get(f"/api/v1/reports/{poison.tracking_code}").json()
    assert public["status"] == "rejected" and public["updates"][-1]["actor_name"] == "Equipo Yaku"
