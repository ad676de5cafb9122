"""One anonymous report must not paint a system red: it raises an unconfirmed citizen alert;
the colour moves on independent corroboration, the body's confirmation or official evidence."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from geodata.models import EvidenceKind, Report, ReportCategory, ReportStatus, WaterStatus
from geodata.reports.aggregation import aggregate_for_reports, recompute_all
from geodata.reports.lifecycle import YAKU, transition
from geodata.reports.status_rules import Finding, decide, independent, witnessed
from geodata.reports.validation import validate_report
from tests import report_factories as make
from tests.test_aggregation import official, system

NOW = datetime(2026, 11, 1, tzinfo=UTC)
RECENT = NOW - timedelta(days=90)


def problem(
    who: str, net: str | None, topic: str = "no_water", days: float = 1, **kw: Any
) -> Finding:
    return Finding(
        WaterStatus.RED,
        NOW - timedelta(days=days),
        "no hay agua",
        official=False,
        reporter=who,
        network=net,
        topic=topic,
        **kw,
    )


# --- the rule as a pure function ------------------------------------------------------------


def test_one_phone_or_one_network_is_one_citizen() -> None:
    same_phone = decide([problem("a", "x"), problem("a", "y")], RECENT)
    same_network = decide([problem("a", "x"), problem("b", "x")], RECENT)
    two_people = decide([problem("a", "x"), problem("b", "y")], RECENT)
    assert (same_phone.status, same_phone.alert) == (WaterStatus.GREY, "no_water")
    assert (same_network.status, same_network.alert) == (WaterStatus.GREY, "no_water")
    assert (two_people.status, two_people.alert) == (WaterStatus.RED, None)


def test_corroboration_is_about_the_same_problem() -> None:
    decision = decide(
        [problem("a", "x"), problem("b", "y", topic="suspected_contamination")], RECENT
    )
    assert decision.status is WaterStatus.GREY and decision.alert is not None


def test_the_bodys_confirmation_makes_one_report_count() -> None:
    decision = decide([problem("a", "x", confirmed=True)], RECENT)
    assert (decision.status, decision.evidence, decision.alert) == (
        WaterStatus.RED,
        EvidenceKind.CITIZEN,
        None,
    )


def test_a_later_official_reading_lifts_the_alert_an_earlier_one_does_not() -> None:
    good = Finding(WaterStatus.GREEN, NOW - timedelta(hours=1), "cloro 0.8", official=True)
    old_good = Finding(WaterStatus.GREEN, NOW - timedelta(days=5), "cloro 0.8", official=True)
    lifted = decide([problem("a", "x", days=2), good], RECENT)
    kept = decide([problem("a", "x", days=2), old_good], RECENT)
    assert (lifted.status, lifted.alert) == (WaterStatus.GREEN, None)
    assert (kept.status, kept.alert) == (WaterStatus.GREEN, "no_water")
    assert kept.alert_since == NOW - timedelta(days=2)


def test_witnessed_agrees_with_pairwise_independence() -> None:
    """The counting shortcut equals the definition, on random villages."""
    rng = random.Random(7)
    for _ in range(300):
        group = [
            problem(rng.choice("abcd"), rng.choice(["x", "y", None]))
            for _ in range(rng.randint(1, 7))
        ]
        expected = [f for f in group if any(independent(f, o) for o in group if o is not f)]
        assert [id(f) for f in witnessed(group)] == [id(f) for f in expected]


# --- on the database, through validation and aggregation -------------------------------------


def _report(session: Session, place: make.Place, device: str, address: str) -> int:
    accepted = make.report(
        session, place, category=ReportCategory.NO_WATER, device_id=device, client_address=address
    )
    assert validate_report(session, accepted.id) is not None
    return accepted.id


@pytest.fixture
def place(session: Session) -> make.Place:
    recompute_all(session)
    return make.systems(session, 1, offset=3)[0]


def test_one_report_alerts_and_keeps_the_colour(session: Session, place: make.Place) -> None:
    before = system(session, place.id).status
    report_id = _report(session, place, "phone-1", "10.0.0.1")
    aggregate_for_reports(session, [report_id])
    row = system(session, place.id)
    assert row.status is before
    assert row.alert_category == "no_water" and row.alert_since is not None


def test_two_independent_reports_turn_it_red(session: Session, place: make.Place) -> None:
    ids = [
        _report(session, place, "phone-1", "10.0.0.1"),
        _report(session, place, "phone-2", "10.9.9.9"),
    ]
    aggregate_for_reports(session, ids)
    row = system(session, place.id)
    assert (row.status, row.status_evidence, row.alert_category) == (
        WaterStatus.RED,
        EvidenceKind.CITIZEN,
        None,
    )


@pytest.mark.parametrize(
    "second",
    [("phone-1", "10.0.0.2"), ("phone-3", "10.0.0.1")],
    ids=["same phone, other network", "other phone, same network"],
)
def test_two_reports_from_one_device_or_one_address_stay_an_alert(
    session: Session, place: make.Place, second: tuple[str, str]
) -> None:
    ids = [_report(session, place, "phone-1", "10.0.0.1"), _report(session, place, *second)]
    aggregate_for_reports(session, ids)
    row = system(session, place.id)
    assert row.status is not WaterStatus.RED and row.alert_category == "no_water"


def test_the_provider_confirms_then_resolves(session: Session, place: make.Place) -> None:
    report_id = _report(session, place, "phone-1", "10.0.0.1")
    report = session.get_one(Report, report_id)
    report.confirmed_at = datetime.now(UTC)
    aggregate_for_reports(session, [report_id])
    assert system(session, place.id).status is WaterStatus.RED
    report = session.get_one(Report, report_id)
    transition(session, report, ReportStatus.RESOLVED, YAKU, "reparado")
    aggregate_for_reports(session, [report_id])
    row = system(session, place.id)
    assert row.status is not WaterStatus.RED and row.alert_category is None


def test_resolving_an_unconfirmed_report_lifts_its_alert(
    session: Session, place: make.Place
) -> None:
    report_id = _report(session, place, "phone-1", "10.0.0.1")
    aggregate_for_reports(session, [report_id])
    assert system(session, place.id).alert_category == "no_water"
    transition(session, session.get_one(Report, report_id), ReportStatus.RESOLVED, YAKU, "listo")
    aggregate_for_reports(session, [report_id])
    assert system(session, place.id).alert_category is None


def test_a_later_official_reading_within_limits_lifts_it(
    session: Session, place: make.Place
) -> None:
    report_id = _report(session, place, "phone-1", "10.0.0.1")
    aggregate_for_reports(session, [report_id])
    official(session, place.id, "free_chlorine", 0.9, days_ago=-0.01)  # sampled just after
    aggregate_for_reports(session, [report_id])
    row = system(session, place.id)
    assert (row.status, row.alert_category) == (WaterStatus.GREEN, None)
