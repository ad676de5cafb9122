"""Measurements against the Peru limits, and the traffic-light rule, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from geodata.messages import render
from geodata.models import Compliance, EvidenceKind, WaterStatus
from geodata.reports.quality import (
    ImplausibleReading,
    Limits,
    check_measurement,
    classify,
    colour_of,
)
from geodata.reports.status_rules import Finding, decide, rule_text

CATALOGUE = {
    "free_chlorine": Limits("free_chlorine", "Cloro residual libre", "mg/L", 0.5, 5),
    "turbidity": Limits("turbidity", "Turbiedad", "NTU", None, 5),
    "ph": Limits("ph", "pH", "pH", 6.5, 8.5),
    "e_coli": Limits("e_coli", "Escherichia coli", "UFC/100 mL", None, 0),
    "total_coliforms": Limits("total_coliforms", "Coliformes totales", "UFC/100 mL", None, 0),
    "odour_taste": Limits("odour_taste", "Olor y sabor", "", None, None),
}
NOW = datetime(2026, 11, 1, tzinfo=UTC)
RECENT = NOW - timedelta(days=90)


@pytest.mark.parametrize(
    ("code", "value", "compliance", "colour"),
    [
        ("free_chlorine", 0.1, Compliance.VIOLATION, WaterStatus.RED),
        ("free_chlorine", 0.3, Compliance.WARNING, WaterStatus.YELLOW),
        ("free_chlorine", 0.49, Compliance.WARNING, WaterStatus.YELLOW),
        ("free_chlorine", 0.5, Compliance.WITHIN, WaterStatus.GREEN),
        ("free_chlorine", 5.0, Compliance.WITHIN, WaterStatus.GREEN),
        ("free_chlorine", 6.0, Compliance.VIOLATION, WaterStatus.YELLOW),
        ("turbidity", 5.0, Compliance.WITHIN, WaterStatus.GREEN),
        ("turbidity", 12.0, Compliance.VIOLATION, WaterStatus.YELLOW),
        ("ph", 6.4, Compliance.VIOLATION, WaterStatus.YELLOW),
        ("ph", 7.2, Compliance.WITHIN, WaterStatus.GREEN),
        ("ph", 8.6, Compliance.VIOLATION, WaterStatus.YELLOW),
        ("e_coli", 0.0, Compliance.WITHIN, WaterStatus.GREEN),
        ("e_coli", 3.0, Compliance.VIOLATION, WaterStatus.RED),
        ("total_coliforms", 1.0, Compliance.VIOLATION, WaterStatus.YELLOW),
        ("odour_taste", 1.0, Compliance.WARNING, WaterStatus.YELLOW),
    ],
)
def test_classification_follows_the_peru_limits(
    code: str, value: float, compliance: Compliance, colour: WaterStatus
) -> None:
    verdict = classify(code, value, CATALOGUE)
    assert verdict.compliance is compliance
    assert CATALOGUE[code].name_es in verdict.explanation
    assert colour_of(code, value, verdict.compliance) is colour


def test_explanations_are_plain_spanish() -> None:
    low = classify("free_chlorine", 0.2, CATALOGUE).explanation
    assert "por debajo de 0.3 mg/L" in low and "hiérvala" in low
    assert "presencia" in classify("e_coli", 1, CATALOGUE).explanation


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"parameter": "ph", "value": 20}, "not a possible reading"),
        ({"parameter": "free_chlorine", "value": -1}, "cannot be negative"),
        ({"parameter": "free_chlorine", "value": 25}, "not a possible reading"),
        ({"parameter": "free_chlorine", "value": 1, "unit": "ppm-ish"}, "not accepted"),
        ({"parameter": "unobtainium", "value": 1}, "is not known"),
        ({"parameter": "turbidity"}, "write the value you measured"),
    ],
)
def test_impossible_readings_are_refused_with_a_reason(raw: dict, fragment: str) -> None:
    with pytest.raises(ImplausibleReading) as caught:
        check_measurement(raw, CATALOGUE)
    assert fragment in str(caught.value)


def test_units_and_presence_are_normalised() -> None:
    assert check_measurement({"parameter": "turbidity", "value": 3, "unit": "UNT"}, CATALOGUE)
    assert check_measurement({"parameter": "free_chlorine", "value": 1, "unit": "mg/l"}, CATALOGUE)
    reading = check_measurement({"parameter": "e_coli", "present": True}, CATALOGUE)
    assert reading.value == 1.0 and reading.unit == "UFC/100 mL"


def finding(
    colour: WaterStatus, days_ago: float, official: bool, who: str = "a", net: str | None = None
) -> Finding:
    return Finding(
        colour,
        NOW - timedelta(days=days_ago),
        f"{colour} {who}",
        official,
        who,
        network=net or f"net-{who}",
        topic="no_water" if colour is WaterStatus.RED else "bad_taste_smell_colour",
    )


def test_no_evidence_is_grey() -> None:
    assert decide([], RECENT).status is WaterStatus.GREY
    assert decide([], RECENT).evidence is EvidenceKind.NONE


def test_one_citizen_report_alone_never_turns_green() -> None:
    decision = decide([finding(WaterStatus.GREEN, 1, False, "a")], RECENT)
    assert decision.status is WaterStatus.YELLOW
    two = decide(
        [finding(WaterStatus.GREEN, 1, False, "a"), finding(WaterStatus.GREEN, 2, False, "b")],
        RECENT,
    )
    assert (two.status, two.evidence) == (WaterStatus.GREEN, EvidenceKind.CITIZEN)
    same_person = decide(
        [finding(WaterStatus.GREEN, 1, False, "a"), finding(WaterStatus.GREEN, 2, False, "a")],
        RECENT,
    )
    assert same_person.status is WaterStatus.YELLOW


def test_a_single_citizen_problem_is_an_alert_two_independent_ones_count() -> None:
    alone = decide([finding(WaterStatus.RED, 1, False)], RECENT)
    assert alone.status is WaterStatus.GREY and alone.alert == "no_water"
    two = decide(
        [finding(WaterStatus.RED, 1, False, "a"), finding(WaterStatus.RED, 2, False, "b")], RECENT
    )
    assert (two.status, two.alert) == (WaterStatus.RED, None)


def test_official_outranks_older_citizen_evidence() -> None:
    decision = decide(
        [finding(WaterStatus.GREEN, 2, True), finding(WaterStatus.RED, 10, False)], RECENT
    )
    assert (decision.status, decision.evidence) == (WaterStatus.GREEN, EvidenceKind.OFFICIAL)


def test_newer_citizen_problem_can_worsen_but_never_improve_official() -> None:
    worse = decide(
        [
            finding(WaterStatus.GREEN, 10, True),
            finding(WaterStatus.RED, 1, False, "a"),
            finding(WaterStatus.RED, 2, False, "b"),
        ],
        RECENT,
    )
    assert (worse.status, worse.evidence) == (WaterStatus.RED, EvidenceKind.CITIZEN)
    better = decide(
        [
            finding(WaterStatus.RED, 10, True),
            finding(WaterStatus.GREEN, 1, False, "a"),
            finding(WaterStatus.GREEN, 1, False, "b"),
        ],
        RECENT,
    )
    assert (better.status, better.evidence) == (WaterStatus.RED, EvidenceKind.OFFICIAL)


def test_old_evidence_turns_yellow_and_says_so() -> None:
    decision = decide([finding(WaterStatus.GREEN, 400, True)], RECENT)
    assert (decision.status, decision.evidence) == (WaterStatus.YELLOW, EvidenceKind.OFFICIAL)
    assert decision.reason is not None
    assert render(decision.reason, "es").startswith("Evidencia antigua")
    assert render(decision.reason, "en").startswith("Old evidence")
    assert decision.evidence_at == NOW - timedelta(days=400)


def test_rule_text_is_spanish_and_names_the_age() -> None:
    text = rule_text(90)
    assert "90 días" in text and "Rojo" in text and "Gris" in text
