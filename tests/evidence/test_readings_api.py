"""POST /api/v1/readings: an operator's round, all or nothing, idempotent, within the scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.models import AuditEvent, Measurement, ReadingBatch, Role
from tests.account_factories import Staff, atm, staff
from tests.evidence.support import (
    System,
    jass_systems,
    official_count,
    other_district_system,
    post_round,
    recent,
    sample,
)


@pytest.fixture
def systems(session: Session) -> list[System]:
    return jass_systems(session, 2)


def jass_staff(session: Session, system: System) -> Staff:
    from geodata.models import Provider

    who = staff(session, Role.PROVIDER_STAFF, session.get(Provider, system.provider_id))
    session.commit()
    return who


def test_a_round_becomes_classified_operator_measurements_and_enqueues_aggregation(
    session: Session, client: TestClient, systems: list[System]
) -> None:
    system = systems[0]
    jass = jass_staff(session, system)
    samples = [
        sample("network", chlorine=0.8, ph=7.2, turbidity=(2, "UNT"), e_coli=False),
        sample("tap", recent(1), chlorine=(400, "µg/L")),
    ]
    response = post_round(client, jass.headers, system.code, samples, key="round-0001-aaaa")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["created"] is True and body["system"] == system.code
    by_parameter = {(r["sample_point"], r["parameter"]): r for r in body["readings"]}
    assert by_parameter[("tap", "free_chlorine")]["value"] == 0.4  # 400 µg/L
    assert by_parameter[("tap", "free_chlorine")]["compliance"] == "warning"
    assert by_parameter[("network", "e_coli")]["value"] == 0.0
    assert by_parameter[("network", "turbidity")]["unit"] == "NTU"
    rows = session.scalars(select(Measurement).where(Measurement.system_id == system.id)).all()
    official = [m for m in rows if m.record_key]
    assert len(official) == 5
    assert {(m.measured_by.value, m.method.value) for m in official} == {("operator", "kit")}
    assert all(m.explanation for m in official)
    assert jobs.Job(jobs.AGGREGATE_SYSTEMS, ([system.id],)) in jobs.pending(session)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "readings.round")).one()
    assert event.subject_id == system.code and event.account_id == jass.account.id
    assert event.details["stored"] == 5


def test_the_same_key_and_content_returns_the_stored_round_other_content_is_refused(
    session: Session, client: TestClient, systems: list[System]
) -> None:
    system = systems[0]
    jass = jass_staff(session, system)
    samples = [sample("network", recent(3), chlorine=0.6)]
    first = post_round(client, jass.headers, system.code, samples, key="round-0002-bbbb")
    again = post_round(client, jass.headers, system.code, samples, key="round-0002-bbbb")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["round"] == first.json()["round"]
    assert again.json()["readings"] == first.json()["readings"]
    other = [sample("network", recent(3), chlorine=0.7)]
    refused = post_round(client, jass.headers, system.code, other, key="round-0002-bbbb")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "idempotency_key_reused"
    assert official_count(session, system.id) == 1
    assert (
        session.scalar(select(Measurement.value).where(Measurement.system_id == system.id)) == 0.6
    )


def test_the_same_reading_under_another_key_with_another_value_is_a_conflict(
    session: Session, client: TestClient, systems: list[System]
) -> None:
    system = systems[0]
    jass = jass_staff(session, system)
    at = recent(5)
    assert (
        post_round(client, jass.headers, system.code, [sample(at=at, chlorine=0.6)]).status_code
        == 201
    )
    same = post_round(client, jass.headers, system.code, [sample(at=at, chlorine=0.6)])
    assert same.status_code == 200 and same.json()["created"] is False
    changed = post_round(client, jass.headers, system.code, [sample(at=at, chlorine=0.9)])
    assert changed.status_code == 409
    assert "0.6 mg/L" in changed.json()["error"]["message"]
    assert official_count(session, system.id) == 1


@pytest.mark.parametrize(
    ("bad", "spanish"),
    [
        (sample(chlorine=25), "25 mg/L no es una lectura posible"),
        (sample(chlorine=-1), "no puede ser negativo"),
        (sample(ph=20, chlorine=0.5), "20 pH no es una lectura posible"),
        (sample(chlorine=(0.6, "NTU")), "la unidad 'NTU' no se acepta"),
        (sample(chlorine=(0.6, "mg/m3")), "la unidad 'mg/m3' no se acepta"),
        (sample(turbidity=3), "se requiere el cloro residual libre"),
        (sample(chlorine=0.6, arsenic=0.001), "se mide en un laboratorio"),
        (sample(chlorine=0.6, radon=1), "No conocemos el parámetro de calidad del agua radon"),
        (
            sample(at=datetime.now(UTC) + timedelta(days=1), chlorine=0.6),
            "está en el futuro",
        ),
        (
            sample(at=datetime(1999, 5, 1, tzinfo=UTC), chlorine=0.6),
            "es anterior al 2000",
        ),
    ],
)
def test_an_implausible_reading_refuses_the_whole_round_with_a_translated_reason(
    session: Session, client: TestClient, systems: list[System], bad: dict, spanish: str
) -> None:
    system = systems[0]
    jass = jass_staff(session, system)
    good = sample("reservoir", recent(4), chlorine=1.1)
    response = post_round(client, jass.headers, system.code, [good, bad])
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert message.startswith("Lectura 2: "), message
    assert spanish in message, message
    assert official_count(session, system.id) == 0
    assert session.scalar(select(ReadingBatch.id)) is None
    english = post_round(client, jass.headers, system.code, [good, bad], lang="en")
    assert english.json()["error"]["message"].startswith("Reading 2: ")


def test_malformed_rounds_are_422_not_500(
    session: Session, client: TestClient, systems: list[System]
) -> None:
    jass = jass_staff(session, systems[0])
    for payload in (
        {"system": systems[0].code, "readings": []},
        {"system": systems[0].code, "readings": [{"sample_point": "roof", "sampled_at": "x"}]},
        {"readings": [sample(chlorine=0.5)]},
    ):
        response = client.post("/api/v1/readings", json=payload, headers=jass.headers)
        assert response.status_code == 422
    broken = {**jass.headers, "Content-Type": "application/json"}
    assert client.post("/api/v1/readings", content=b"{", headers=broken).status_code == 422
    assert client.post("/api/v1/readings", content=b"{", headers=jass.headers).status_code == 415
    assert official_count(session) == 0


def test_unknown_systems_are_404(
    session: Session, client: TestClient, systems: list[System]
) -> None:
    health = staff(session, Role.HEALTH)
    session.commit()
    response = post_round(client, health.headers, "NO-SUCH-SYSTEM", [sample(chlorine=0.5)])
    assert response.status_code == 404
    assert "NO-SUCH-SYSTEM" in response.json()["error"]["message"]
    assert official_count(session) == 0


def test_a_jass_cannot_record_for_another_jass_system(
    session: Session, client: TestClient, systems: list[System]
) -> None:
    mine, theirs = systems
    jass = jass_staff(session, mine)
    response = post_round(client, jass.headers, theirs.code, [sample(chlorine=0.2)])
    assert response.status_code == 404  # as if it did not exist: scope hides it
    assert official_count(session, theirs.id) == 0
    assert session.scalar(select(ReadingBatch.id)) is None


def test_who_may_record_readings(
    session: Session, client: TestClient, systems: list[System]
) -> None:
    mine, _ = systems
    elsewhere = other_district_system(session)
    from geodata.models import Provider

    own_atm = staff(session, Role.ATM_STAFF, atm(session, mine.district_id))
    other_atm = staff(session, Role.ATM_STAFF, atm(session, elsewhere.district_id))
    analyst = staff(session, Role.ANALYST)
    moderator = staff(session, Role.MODERATOR)
    health = staff(session, Role.HEALTH)
    admin = staff(session, Role.ADMINISTRATOR)
    nobody = staff(session, None)
    other_jass = staff(session, Role.PROVIDER_STAFF, session.get(Provider, elsewhere.provider_id))
    session.commit()
    expected = [
        (own_atm, mine, 201),  # the ATM supervises every system of its district
        (other_atm, mine, 404),
        (other_jass, mine, 404),
        (nobody, mine, 404),
        (analyst, mine, 403),  # sees everything, records nothing
        (moderator, mine, 403),
        (health, mine, 201),  # DIRESA: any system
        (health, elsewhere, 201),
        (admin, elsewhere, 201),
    ]
    for hours, (who, system, status) in enumerate(expected, start=1):
        response = post_round(
            client, who.headers, system.code, [sample(at=recent(hours), chlorine=0.7)]
        )
        assert response.status_code == status, (who.account.email, system.code, response.text)
    assert official_count(session, mine.id) == 2
    assert official_count(session, elsewhere.id) == 2
    assert client.post("/api/v1/readings", json={}).status_code == 401


def test_a_browser_session_needs_its_csrf_token(
    session: Session, client: TestClient, systems: list[System]
) -> None:
    system = systems[0]
    jass = jass_staff(session, system)
    client.cookies.set("yaku_session", jass.cookie)
    try:
        payload = {"system": system.code, "readings": [sample(chlorine=0.7)]}
        assert client.post("/api/v1/readings", json=payload).status_code == 403
        ok = client.post("/api/v1/readings", json=payload, headers={"X-CSRF-Token": jass.csrf})
        assert ok.status_code == 201
    finally:
        client.cookies.clear()
