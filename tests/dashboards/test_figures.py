"""The dashboard figures of a district, province and the region, against the same figures
computed by hand from the scenario (``tests.dashboards.scenario``)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.dashboards import figures as dash
from geodata.dashboards.refresh import refresh
from geodata.models import AreaLevel
from tests.dashboards import scenario as sc


@pytest.fixture
def built(session: Session) -> sc.Scenario:
    built = sc.build(session)
    refresh(session, now=built.now)
    return built


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-6)


def district(session: Session, s: sc.Scenario) -> dash.AreaFigures:
    area = dash.find_area(session, AreaLevel.DISTRICT, s.district_ubigeo)
    return dash.area_figures(session, area, s.now)


def test_summary_of_now_matches_the_hand_count(session: Session, built: sc.Scenario) -> None:
    got = district(session, built).summary
    for key, value in sc.expected_summary(built).items():
        assert close(got[key], value) if "hours" in key else got[key] == value, key
    assert got["red"] == 1 and got["yellow"] == 1 and got["overdue_reports"] == 1


def test_colours_week_by_week_follow_the_status_history(
    session: Session, built: sc.Scenario
) -> None:
    weeks = district(session, built).colour_weeks
    assert len(weeks) == 52
    for item in weeks:
        expected = sc.expected_colours(built, item["week"])
        assert {k: item[k] for k in expected} == expected, item["week"]
    assert weeks[0]["systems"] == 0  # the systems did not exist a year ago
    assert weeks[-1]["red"] == 1


def test_reports_per_week_and_category(session: Session, built: sc.Scenario) -> None:
    expected = sc.expected_report_weeks(built)
    got = {
        (w["week"], c): w[c]
        for w in district(session, built).report_weeks
        for c in dash.CATEGORIES
        if w[c]
    }
    assert got == expected
    assert sum(got.values()) == 6  # the duplicate and the rejected report do not count


def test_answer_times_per_month(session: Session, built: sc.Scenario) -> None:
    expected = sc.expected_months(built)
    months = {m["month"]: m for m in district(session, built).answer_months}
    for month, figures in expected.items():
        for key, value in figures.items():
            assert close(months[month][key], value), (month, key)
    assert sum(m["received"] for m in months.values()) == 6


def test_monthly_chlorine_compliance_reuses_the_art_66_figures(
    session: Session, built: sc.Scenario
) -> None:
    months = {m["month"]: m for m in district(session, built).compliance_months}
    got = months[built.chlorine_month]
    expected = sc.expected_chlorine()
    assert {k: got[k] for k in expected} == expected
    assert got["chlorine_share"] == 0.8


def test_province_and_region_add_up_and_compute_their_own_medians(
    session: Session, built: sc.Scenario
) -> None:
    own = district(session, built)
    assert own.area.parent_ubigeo is not None
    province = dash.area_figures(
        session, dash.find_area(session, AreaLevel.PROVINCE, own.area.parent_ubigeo), built.now
    )
    region = dash.area_figures(session, dash.find_area(session, AreaLevel.DEPARTMENT), built.now)
    for upper in (province, region):
        assert upper.summary["received_reports"] == own.summary["received_reports"]
        assert close(upper.summary["hours_to_resolve_p90"], own.summary["hours_to_resolve_p90"])
        assert upper.summary["red"] >= own.summary["red"]
        assert upper.colour_weeks[-1]["systems"] >= own.colour_weeks[-1]["systems"]
    assert any(c["ubigeo"] == own.area.ubigeo for c in province.children)
    assert len(region.children) == 12


def test_bodies_of_the_month(session: Session, built: sc.Scenario) -> None:
    expected = sc.expected_bodies(built)
    for (provider_id, month), figures in expected.items():
        rows = [b for b in dash.bodies_of_month(session, month) if b["provider_id"] == provider_id]
        assert len(rows) == 1
        for key, value in figures.items():
            assert close(rows[0][key], value), key


def test_incremental_refresh_equals_the_full_one(session: Session, built: sc.Scenario) -> None:
    full = district(session, built)
    refresh(session, [sc.DISTRICT_ID], now=built.now)
    again = district(session, built)
    assert full.summary | {"computed_at": None} == again.summary | {"computed_at": None}
    assert full.colour_weeks == again.colour_weeks
    assert full.report_weeks == again.report_weeks


def test_a_districts_refresh_rolls_up_into_its_province(
    session: Session, built: sc.Scenario
) -> None:
    own = district(session, built)
    assert own.area.parent_ubigeo is not None
    province = dash.find_area(session, AreaLevel.PROVINCE, own.area.parent_ubigeo)
    before = dash.area_figures(session, province, built.now)
    session.execute(
        text("UPDATE report SET category = 'other' WHERE id = :id"), {"id": built.reports[1].id}
    )
    refresh(session, [sc.DISTRICT_ID], now=built.now)
    after = dash.area_figures(session, province, built.now)
    week = sc.week_of(built.reports[1].received_at)
    [b] = [w for w in before.report_weeks if w["week"] == week]
    [a] = [w for w in after.report_weeks if w["week"] == week]
    assert (a["leak"], a["other"]) == (b["leak"] - 1, b["other"] + 1)
    assert after.colour_weeks == before.colour_weeks
    assert after.summary["received_reports"] == before.summary["received_reports"]
