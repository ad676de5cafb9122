"""The desk's list and detail: scope, attention order, filters, duplicates grouped under their
original, safe pagination, the whole timeline, private fields only for those allowed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geodata.models import ActorKind, Report, ReportCategory, ReportStatus
from geodata.reports.lifecycle import Actor, transition
from tests.desk.conftest import World, validated
from tests.desk.support import api


def codes(client: TestClient, world: World, who: str, query: str = "") -> list[str]:
    response = api(client, "GET", f"/api/v1/desk/reports{query}", world.staff[who])
    assert response.status_code == 200, response.text
    return [item["tracking_code"] for item in response.json()["items"]]


def test_each_scope_lists_its_own_reports(client: TestClient, world: World) -> None:
    a, b = world.report_a.tracking_code, world.report_b.tracking_code
    assert codes(client, world, "provider_staff") == [a]
    assert codes(client, world, "atm_staff") == [a]
    assert codes(client, world, "other") == [b]
    for who in ("administrator", "moderator", "health", "analyst"):
        listed = codes(client, world, who)
        assert a in listed and b in listed


def test_overdue_first_then_urgent_then_newest(
    client: TestClient, session: Session, world: World
) -> None:
    now = datetime.now(UTC)
    plain_old = world.report_a
    # Different problems at the same place: not duplicates of each other.
    urgent = validated(session, world.a, ReportCategory.SUSPECTED_CONTAMINATION)
    newest = validated(session, world.a, ReportCategory.OTHER)
    overdue = validated(session, world.a, ReportCategory.TURBID_WATER)
    assert urgent.is_urgent and not newest.is_urgent
    for report, minutes_ago in ((plain_old, 50), (urgent, 40), (newest, 10), (overdue, 30)):
        report.received_at = now - timedelta(minutes=minutes_ago)
    overdue.due_at = now - timedelta(minutes=1)
    session.flush()
    assert codes(client, world, "provider_staff") == [
        overdue.tracking_code,
        urgent.tracking_code,
        newest.tracking_code,
        plain_old.tracking_code,
    ]
    assert codes(client, world, "provider_staff", "?overdue=true") == [overdue.tracking_code]
    acknowledged = api(
        client,
        "POST",
        f"/api/v1/desk/reports/{overdue.tracking_code}/updates",
        world.staff["provider_staff"],
        json={"action": "acknowledge"},
    )
    assert acknowledged.status_code == 201
    assert codes(client, world, "provider_staff", "?overdue=true") == []  # answered: not overdue


def test_filters(client: TestClient, session: Session, world: World) -> None:
    other = validated(session, world.a, ReportCategory.TURBID_WATER)
    other.received_at = datetime.now(UTC) - timedelta(days=10)
    session.flush()
    a = world.report_a.tracking_code
    who = "moderator"
    assert codes(client, world, who, "?category=turbid_water") == [other.tracking_code]
    assert set(codes(client, world, who, f"?system={world.a.code}")) >= {a}
    assert world.report_b.tracking_code not in codes(client, world, who, f"?system={world.a.code}")
    assert codes(client, world, who, "?system=NO-SUCH") == []
    ubigeo_b = api(
        client, "GET", f"/api/v1/desk/reports/{world.report_b.tracking_code}", world.staff[who]
    ).json()["district"]["ubigeo"]
    assert codes(client, world, who, f"?district={ubigeo_b}") == [world.report_b.tracking_code]
    assert other.tracking_code in codes(client, world, who, "?min_age_days=5")
    assert a not in codes(client, world, who, "?min_age_days=5")
    assert other.tracking_code not in codes(client, world, who, "?max_age_days=5")
    assert codes(client, world, who, "?status=resolved") == []
    assert a in codes(client, world, who, "?status=validated")


@pytest.mark.parametrize(
    "query",
    ["?limit=0", "?limit=201", "?offset=-1", "?offset=100001", "?status=nope", "?district=13"],
)
def test_unsafe_pagination_and_bad_filters_are_400(
    client: TestClient, world: World, query: str
) -> None:
    response = api(client, "GET", f"/api/v1/desk/reports{query}", world.staff["moderator"])
    assert response.status_code == 400  # a bad query parameter is a bad request
    assert response.json()["error"]["code"] == "invalid_input"


def test_pages_of_the_list(client: TestClient, session: Session, world: World) -> None:
    for category in (ReportCategory.OTHER, ReportCategory.TURBID_WATER, ReportCategory.NO_WATER):
        validated(session, world.a, category)
    first = api(client, "GET", "/api/v1/desk/reports?limit=2", world.staff["provider_staff"])
    second = api(
        client, "GET", "/api/v1/desk/reports?limit=2&offset=2", world.staff["provider_staff"]
    )
    assert first.json()["total"] == second.json()["total"] == 4
    page_codes = [i["tracking_code"] for r in (first, second) for i in r.json()["items"]]
    assert len(set(page_codes)) == 4


def test_duplicates_are_grouped_under_their_original(
    client: TestClient, session: Session, world: World
) -> None:
    first = validated(session, world.a, description="Otra vez")
    second = validated(session, world.a, description="Y otra")
    assert first.duplicate_of_id == second.duplicate_of_id == world.report_a.id
    response = api(client, "GET", "/api/v1/desk/reports", world.staff["provider_staff"])
    items = response.json()["items"]
    assert [i["tracking_code"] for i in items] == [world.report_a.tracking_code]
    assert items[0]["duplicates"] == {
        "count": 2,
        "codes": [first.tracking_code, second.tracking_code],
    }
    assert response.json()["total"] == 1
    # When the original is filtered out, the duplicate that matches is listed on its own.
    transition(session, first, ReportStatus.ACKNOWLEDGED, Actor(ActorKind.PROVIDER, "JASS"))
    session.flush()
    assert codes(client, world, "provider_staff", "?status=acknowledged") == [first.tracking_code]


def test_the_detail_has_the_whole_timeline_and_private_fields_only_for_the_allowed(
    client: TestClient, session: Session, world: World
) -> None:
    code = world.report_a.tracking_code
    api(
        client,
        "POST",
        f"/api/v1/desk/reports/{code}/updates",
        world.staff["provider_staff"],
        json={"action": "note", "note": "cambiar la válvula", "public": False},
    )
    path = f"/api/v1/desk/reports/{code}"
    body = api(client, "GET", path, world.staff["provider_staff"]).json()
    assert [u["is_public"] for u in body["updates"]] == [True, False]
    assert body["updates"][-1]["note"] == "cambiar la válvula"
    assert body["reporter_contact"] == "vecina@example.org"
    assert "987 654 321" in body["description"]
    assert body["system"]["code"] == world.a.code and body["provider"]["id"] == world.provider_a.id
    for who in ("atm_staff", "health", "moderator", "administrator"):
        assert api(client, "GET", path, world.staff[who]).json()["reporter_contact"]
    analyst = api(client, "GET", path, world.staff["analyst"]).json()
    assert "reporter_contact" not in analyst
    assert "987 654 321" not in analyst["description"] and "retirado" in analyst["description"]
    listed = api(client, "GET", "/api/v1/desk/reports", world.staff["analyst"]).json()["items"]
    assert all("987 654 321" not in i["description"] for i in listed)
    assert "validation_error" in api(client, "GET", path, world.staff["moderator"]).json()
    assert "validation_error" not in body


def test_my_systems_for_the_small_map(client: TestClient, session: Session, world: World) -> None:
    report = session.get_one(Report, world.report_a.id)
    report.due_at = datetime.now(UTC) - timedelta(hours=1)
    session.flush()
    mine = api(client, "GET", "/api/v1/desk/systems", world.staff["provider_staff"]).json()
    features = {f["properties"]["code"]: f["properties"] for f in mine["features"]}
    assert world.a.code in features and world.b.code not in features
    assert features[world.a.code]["open_reports"] == 1
    assert features[world.a.code]["overdue_reports"] == 1
    assert features[world.a.code]["status"] in ("green", "yellow", "red", "grey")
    district = api(client, "GET", "/api/v1/desk/systems", world.staff["atm_staff"]).json()
    assert len(district["features"]) > len(mine["features"])  # every system of the district
    assert {f["properties"]["code"] for f in district["features"]} >= {world.a.code}
    everything = api(client, "GET", "/api/v1/desk/systems", world.staff["analyst"]).json()
    assert len(everything["features"]) == 371
