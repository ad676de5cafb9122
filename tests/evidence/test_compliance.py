"""DS 031-2010-SA Art. 66 per system and month, on hand-computed months: the 90 % boundary
exactly, a single sample below 0.3 mg/L, exactly 0.3, too few samples, what does not count
(taps, reservoirs, citizens), Peru's month boundary, faecal indicators; the district indicators
and the monthly report; incremental equals full."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from geodata.evidence import compliance, monthly
from geodata.evidence.readings import ReadingIn, RoundIn, record_round
from geodata.models import (
    DistrictIndicator,
    Measurement,
    Report,
    ReportCategory,
    Role,
    SamplePoint,
    SystemComplianceMonth,
    WaterSystem,
)
from geodata.reports.aggregation import aggregate_for_subjects, recompute_all
from tests import report_factories
from tests.account_factories import Staff, staff
from tests.evidence.support import System, jass_systems

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)  # last complete month: May 2026


def at(day: str, hour: int = 9) -> datetime:
    """A time on ``day`` (YYYY-MM-DD) in Peru (UTC-5)."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00-05:00")


class Recorder:
    """Rounds of network chlorine readings recorded by one DIRESA account."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.health: Staff = staff(session, Role.HEALTH)

    def __call__(
        self,
        system: System,
        samples: list[tuple[datetime, float]],
        point: SamplePoint = SamplePoint.NETWORK,
    ) -> None:
        readings = [
            ReadingIn(point, when, [{"parameter": "free_chlorine", "value": value}])
            for when, value in samples
        ]
        record_round(
            self.session,
            self.health.scope(self.session),
            RoundIn(system.code, readings),
            actor="tests",
            account_id=self.health.account.id,
            now=NOW,
        )


def month_row(session: Session, system: System, month: date) -> SystemComplianceMonth:
    return session.scalars(
        select(SystemComplianceMonth).where(
            SystemComplianceMonth.system_id == system.id, SystemComplianceMonth.month == month
        )
    ).one()


@pytest.fixture
def hand_computed(session: Session) -> list[System]:
    a, b, c = jass_systems(session, 3)
    chlorine = Recorder(session)
    april = [f"2026-04-{d:02d}" for d in range(1, 11)]
    # A, April: 9 of 10 at or above 0.5 (two exactly 0.5) and one 0.45: 90 % exactly.
    values = [0.5, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 0.55, 0.45]
    chlorine(a, [(at(d), v) for d, v in zip(april, values, strict=True)])
    # ...what does not count: taps, reservoirs, a citizen's reading.
    chlorine(a, [(at("2026-04-11"), 0.1)], SamplePoint.TAP)
    chlorine(a, [(at("2026-04-12"), 0.2)], SamplePoint.RESERVOIR)
    report = report_factories.report(session, category=ReportCategory.OTHER, location_code=a.code)
    session.add(
        Measurement(
            parameter_code="free_chlorine",
            value=0.05,
            unit="mg/L",
            method="kit",
            sample_point="network",
            measured_by="citizen",
            sampled_at=at("2026-04-13"),
            system_id=a.id,
            report_id=report.id,
            record_source="citizen report",
        )
    )
    # A, May: 8 of 10 (80 %): the rule is not met.
    may = [f"2026-05-{d:02d}" for d in range(1, 11)]
    chlorine(a, [(at(d), v) for d, v in zip(may, [0.6] * 8 + [0.4, 0.4], strict=True)])
    # B, April: 9 of 10 at 0.6, but one sample at 0.29: below 0.3, the rule is not met.
    chlorine(b, [(at(d), v) for d, v in zip(april, [0.6] * 9 + [0.29], strict=True)])
    # B, June: 9 of 10 at 0.6 and one at exactly 0.3: not below 0.3, the rule is met.
    june = [f"2026-06-{d:02d}" for d in range(1, 11)]
    chlorine(b, [(at(d), v) for d, v in zip(june, [0.6] * 9 + [0.3], strict=True)])
    # C: two good samples in April and two either side of midnight of 30 April in Peru (three
    # in April: too few), and E. coli found by the laboratory.
    chlorine(c, [(at(d), 0.8) for d in april[:2]])
    chlorine(c, [(datetime(2026, 5, 1, 3, 0, tzinfo=UTC), 0.9)])  # 30/04 22:00
    chlorine(c, [(datetime(2026, 5, 1, 5, 30, tzinfo=UTC), 0.7)])  # 01/05 00:30
    session.add(
        Measurement(
            parameter_code="e_coli",
            value=1.0,
            unit="UFC/100 mL",
            method="lab",
            sample_point="tap",
            measured_by="lab",
            sampled_at=at("2026-04-20"),
            system_id=c.id,
            record_source="laboratorio DIRESA",
            record_key="lab:T-1:e_coli",
        )
    )
    aggregate_for_subjects(session, [a.id, b.id, c.id], now=NOW)
    return [a, b, c]


APRIL, MAY, JUNE = date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)


def test_ninety_percent_exactly_meets_the_rule(
    session: Session, hand_computed: list[System]
) -> None:
    a = month_row(session, hand_computed[0], APRIL)
    assert (a.chlorine_samples, a.chlorine_at_least_05, a.chlorine_below_03) == (10, 9, 0)
    assert a.chlorine_share == 0.9 and a.chlorine_min == 0.45
    assert a.chlorine_rule_met is True and a.enough_samples is True
    assert a.complies is True
    assert (a.operator_samples, a.lab_samples) == (12, 0)  # with tap and reservoir; no citizen


def test_eighty_percent_does_not(session: Session, hand_computed: list[System]) -> None:
    a = month_row(session, hand_computed[0], MAY)
    assert (a.chlorine_samples, a.chlorine_at_least_05, a.chlorine_share) == (10, 8, 0.8)
    assert a.chlorine_rule_met is False and a.complies is False


def test_a_single_sample_below_03_breaks_the_rule_even_at_ninety_percent(
    session: Session, hand_computed: list[System]
) -> None:
    b = month_row(session, hand_computed[1], APRIL)
    assert (b.chlorine_samples, b.chlorine_at_least_05, b.chlorine_below_03) == (10, 9, 1)
    assert b.chlorine_share == 0.9
    assert b.chlorine_rule_met is False and b.complies is False


def test_exactly_03_is_not_below(session: Session, hand_computed: list[System]) -> None:
    b = month_row(session, hand_computed[1], JUNE)
    assert (b.chlorine_below_03, b.chlorine_min, b.chlorine_rule_met) == (0, 0.3, True)


def test_too_few_samples_or_faecal_bacteria_do_not_comply_and_months_are_peru_months(
    session: Session, hand_computed: list[System]
) -> None:
    c = month_row(session, hand_computed[2], APRIL)
    assert c.chlorine_samples == 3  # two, and the one of 22:00 on 30 April in Peru
    assert c.chlorine_rule_met is True and c.enough_samples is False
    assert (c.bacteriology_samples, c.faecal_positive) == (1, 1)
    assert c.complies is False
    may = month_row(session, hand_computed[2], MAY)
    assert (may.chlorine_samples, may.chlorine_rule_met, may.enough_samples) == (1, True, False)


def test_the_district_indicators_show_the_last_complete_month(
    session: Session, hand_computed: list[System]
) -> None:
    district_id = hand_computed[0].district_id
    row = session.get(DistrictIndicator, district_id)
    assert row is not None
    systems = row.systems
    assert row.compliance_month == MAY
    assert (row.systems_sampled, row.chlorine_samples) == (2, 11)  # A (10) and C (1)
    assert (row.systems_chlorine_ok, row.systems_enough_samples) == (1, 1)  # C; A
    assert (row.systems_compliant, row.systems_faecal_detected) == (0, 0)
    assert row.systems_stale == systems - 1  # only B was sampled within 30 days of 15 June


def test_incremental_equals_full(session: Session, hand_computed: list[System]) -> None:
    def snapshot() -> tuple[Any, ...]:
        months = session.execute(
            select(
                *[c for c in SystemComplianceMonth.__table__.columns if c.key != "computed_at"]
            ).order_by(SystemComplianceMonth.system_id, SystemComplianceMonth.month)
        ).all()
        district = session.get(DistrictIndicator, hand_computed[0].district_id)
        assert district is not None
        session.refresh(district)
        columns = (
            "compliance_month",
            "systems_sampled",
            "systems_enough_samples",
            "systems_chlorine_ok",
            "systems_faecal_detected",
            "systems_compliant",
            "chlorine_samples",
            "systems_stale",
        )
        return tuple(months), tuple(getattr(district, c) for c in columns)

    incremental = snapshot()
    recompute_all(session, now=NOW)
    assert snapshot() == incremental


def test_staleness(session: Session, hand_computed: list[System]) -> None:
    a, b, _ = hand_computed
    last = compliance.last_official(session, [a.id, b.id])
    assert last[a.id] == at("2026-05-10")
    assert compliance.freshness(last[a.id], NOW).stale is True  # 36 days before 15 June
    assert compliance.freshness(last[b.id], NOW).stale is False
    assert compliance.freshness(None, NOW).stale is True


def test_the_monthly_report_of_the_district(session: Session, hand_computed: list[System]) -> None:
    a, b, c = hand_computed
    ubigeo = session.scalar(select(WaterSystem.district_id).where(WaterSystem.id == a.id))
    from geodata.models import AdminArea

    district = session.get(AdminArea, ubigeo)
    assert district is not None
    for received, acknowledged, resolved in (
        (at("2026-04-03", 8), at("2026-04-03", 12), at("2026-04-05", 8)),  # 4 h; 48 h
        (at("2026-04-10", 8), at("2026-04-11", 8), None),  # 24 h, still open
        (at("2026-03-30", 8), None, at("2026-04-02", 8)),  # received before, resolved in April
    ):
        accepted = report_factories.report(session, location_code=a.code)
        session.execute(
            update(Report)
            .where(Report.id == accepted.id)
            .values(
                status="resolved" if resolved else "acknowledged",
                system_id=a.id,
                district_id=district.id,
                received_at=received,
                acknowledged_at=acknowledged,
                resolved_at=resolved,
            )
        )
    report = monthly.monthly_report(session, district.ubigeo_inei, APRIL, NOW)
    by_code = {row["code"]: row for row in report.systems}
    assert by_code[a.code]["chlorine_samples"] == 10 and by_code[a.code]["complies"] is True
    assert by_code[b.code]["chlorine_below_03"] == 1 and by_code[b.code]["complies"] is False
    assert by_code[c.code]["faecal_positive"] == 1
    assert (by_code[a.code]["reports_received"], by_code[a.code]["reports_resolved"]) == (2, 2)
    assert float(by_code[a.code]["median_hours_to_acknowledge"]) == 14.0  # of 4 h and 24 h
    assert report.totals["systems"] == len(report.systems)
    assert (report.totals["sampled"], report.totals["complies"], report.totals["faecal"]) == (
        3,
        1,
        1,
    )
    assert report.reports["received"] == 2 and report.reports["resolved"] == 2
    assert report.reports["open_at_end"] == 1
    assert float(report.reports["median_hours_to_resolve"]) == pytest.approx((48 + 72) / 2)
    text = monthly.monthly_csv(report, "es")
    header, *rows = text.splitlines()
    assert header.startswith("codigo,sistema,prestador,poblacion servida,color,muestras oficiales")
    assert len(rows) == len(report.systems) + 1
    assert rows[-1].startswith(f"{district.ubigeo_inei},TOTAL DEL DISTRITO {district.name}")
    assert "@" not in text and "tests" not in text  # no staff or reporter data
    english = monthly.monthly_csv(report, "en").splitlines()[0]
    assert english.startswith("code,system,provider")


def test_month_helpers() -> None:
    assert compliance.month_of(datetime(2026, 5, 1, 3, 0, tzinfo=UTC)) == APRIL
    assert compliance.last_complete_month(datetime(2026, 1, 10, tzinfo=UTC)) == date(2025, 12, 1)
    start, end = monthly.month_bounds(date(2026, 12, 1))
    assert end - start == timedelta(days=31) and end.year == 2027
