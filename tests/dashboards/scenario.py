"""A district's history built from the factories, and its figures computed by hand.

Systems of district 56 (real seeded systems of two JASS) get a known status history; reports
go through the real intake and validation (``tests.report_factories``), then get known times;
official chlorine readings feed the real monthly compliance. ``expected_*`` compute the same
figures in plain Python from the scenario's own lists, never from the dashboard tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from geodata.evidence import compliance
from geodata.evidence.fields import PERU
from geodata.models import (
    AdminArea,
    Measurement,
    Report,
    ReportCategory,
    StatusChange,
    WaterSystem,
)
from geodata.reports.validation import validate_report
from tests import report_factories
from tests.evidence.support import jass_systems

DISTRICT_ID = 56
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@dataclass
class Planned:
    days_ago: float
    category: ReportCategory
    status: str
    ack_hours: float | None = None
    resolve_hours: float | None = None
    duplicate: bool = False
    # filled in when built
    id: int = 0
    provider_id: int | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


PLAN = [
    Planned(5, ReportCategory.NO_WATER, "validated"),  # overdue
    Planned(10, ReportCategory.LEAK, "resolved", ack_hours=5, resolve_hours=48),
    Planned(12, ReportCategory.LEAK, "acknowledged", ack_hours=80),  # answered late
    Planned(40, ReportCategory.TURBID_WATER, "resolved", ack_hours=10, resolve_hours=100),
    Planned(45, ReportCategory.LEAK, "resolved", ack_hours=2, resolve_hours=20),
    Planned(1, ReportCategory.NO_WATER, "validated"),  # not yet due
    Planned(9, ReportCategory.LEAK, "validated", duplicate=True),  # counts with its original
    Planned(8, ReportCategory.OTHER, "rejected"),  # never public
]
COUNTED_STATUSES = ("validated", "acknowledged", "in_progress", "resolved", "closed")
LIVE = ("validated", "acknowledged", "in_progress")
CHLORINE = [0.6, 0.7, 0.4, 0.8, 0.5]  # official network readings of system A, last month


@dataclass
class Scenario:
    now: datetime
    systems: list[dict[str, Any]]  # id, created_at, changes [(at, colour)], status
    reports: list[Planned]
    chlorine_month: date
    district_ubigeo: str
    district_name: str

    def counted(self) -> list[Planned]:
        return [r for r in self.reports if r.status in COUNTED_STATUSES and not r.duplicate]


def build(session: Session, now: datetime | None = None) -> Scenario:
    now = now or datetime.now(UTC)
    a, b = jass_systems(session, 2, DISTRICT_ID)
    ids = list(
        session.scalars(select(WaterSystem.id).where(WaterSystem.district_id == DISTRICT_ID))
    )
    created = now - 60 * DAY
    session.execute(delete(StatusChange).where(StatusChange.system_id.in_(ids)))
    session.execute(
        update(WaterSystem)
        .where(WaterSystem.id.in_(ids))
        .values(
            created_at=created,
            status="grey",
            status_evidence="none",
            status_evidence_at=None,
            alert_category=None,
            alert_since=None,
        )
    )
    history = {
        a.id: [(now - 50 * DAY, "green"), (now - 8 * DAY, "red")],
        b.id: [(now - 20 * DAY, "yellow")],
    }
    for system_id, changes in history.items():
        for at, colour in changes:
            session.add(
                StatusChange(system_id=system_id, status=colour, evidence="official", changed_at=at)
            )
        session.execute(
            update(WaterSystem)
            .where(WaterSystem.id == system_id)
            .values(
                status=changes[-1][1], status_evidence="official", status_evidence_at=changes[-1][0]
            )
        )
    systems = [
        {
            "id": i,
            "created_at": created,
            "changes": history.get(i, []),
            "status": (history[i][-1][1] if i in history else "grey"),
        }
        for i in ids
    ]
    reports = [
        Planned(
            **{
                k: getattr(p, k)
                for k in (
                    "days_ago",
                    "category",
                    "status",
                    "ack_hours",
                    "resolve_hours",
                    "duplicate",
                )
            }
        )
        for p in PLAN
    ]
    place = report_factories.Place(a.id, a.code, *_lon_lat(session, a.id), DISTRICT_ID)
    original: Report | None = None
    for n, planned in enumerate(reports):
        accepted = report_factories.report(session, place, planned.category, device_id=f"dash-{n}")
        validate_report(session, accepted.id)
        row = session.get(Report, accepted.id)
        assert row is not None and row.district_id == DISTRICT_ID, "validation placed it elsewhere"
        received = now - planned.days_ago * DAY
        values: dict[str, Any] = {
            "received_at": received,
            "due_at": received + 72 * HOUR,
            "status": planned.status,
            "acknowledged_at": received + planned.ack_hours * HOUR if planned.ack_hours else None,
            "resolved_at": received + planned.resolve_hours * HOUR
            if planned.resolve_hours
            else None,
            "overdue_at": None,
        }
        values["validated_at"] = received + timedelta(seconds=60)
        if planned.status == "rejected":
            values["rejection_reason"] = "spam"  # validated, then refused by a moderator
        if planned.duplicate:
            assert original is not None
            values["duplicate_of_id"] = original.id
        for key, value in values.items():
            setattr(row, key, value)
        planned.id, planned.provider_id, planned.received_at = row.id, row.provider_id, received
        if planned.category is ReportCategory.LEAK and original is None:
            original = row
    session.flush()
    month = compliance.last_complete_month(now)
    first = datetime(month.year, month.month, 2, 12, tzinfo=PERU)
    for n, value in enumerate(CHLORINE):
        session.add(
            Measurement(
                parameter_code="free_chlorine", value=value, unit="mg/L", method="kit",
                sample_point="network", measured_by="operator", sampled_at=first + n * 5 * DAY,
                system_id=a.id, record_source="dashboard test logbook",
                record_key=f"dash:{a.id}:{n}",
            )
        )  # fmt: skip
    session.flush()
    compliance.refresh_systems(session, [a.id], now)
    district = session.get(AdminArea, DISTRICT_ID)
    assert district is not None
    return Scenario(now, systems, reports, month, district.ubigeo_inei, district.name)


def _lon_lat(session: Session, system_id: int) -> tuple[float, float]:
    lon, lat = session.execute(
        select(func.ST_X(WaterSystem.geom), func.ST_Y(WaterSystem.geom)).where(
            WaterSystem.id == system_id
        )
    ).one()
    return float(lon), float(lat)


# --- by hand -------------------------------------------------------------------------------


def week_of(moment: datetime) -> date:
    day = moment.astimezone(PERU).date()
    return day - timedelta(days=day.weekday())


def month_of(moment: datetime) -> date:
    day = moment.astimezone(PERU).date()
    return day.replace(day=1)


def percentile(values: list[float], fraction: float) -> float | None:
    """percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def expected_colours(s: Scenario, week: date) -> dict[str, int]:
    end = datetime.combine(week + timedelta(days=7), datetime.min.time(), tzinfo=PERU)
    out = {"systems": 0, "green": 0, "yellow": 0, "red": 0, "grey": 0}
    for system in s.systems:
        if system["created_at"] >= end:
            continue
        colour = "grey"
        for at, changed in system["changes"]:
            if at < end:
                colour = changed
        out["systems"] += 1
        out[colour] += 1
    return out


def expected_report_weeks(s: Scenario) -> dict[tuple[date, str], int]:
    out: dict[tuple[date, str], int] = {}
    for r in s.counted():
        key = (week_of(r.received_at), r.category.value)
        out[key] = out.get(key, 0) + 1
    return out


def expected_summary(s: Scenario) -> dict[str, Any]:
    counted = s.counted()
    ack = [r.ack_hours for r in counted if r.ack_hours is not None]
    res = [r.resolve_hours for r in counted if r.resolve_hours is not None]
    colours = {
        c: sum(1 for x in s.systems if x["status"] == c) for c in ("green", "yellow", "red", "grey")
    }
    return {
        "systems": len(s.systems),
        **colours,
        "open_reports": sum(1 for r in counted if r.status in LIVE),
        "overdue_reports": sum(
            1 for r in counted if r.status == "validated" and r.received_at + 72 * HOUR < s.now
        ),
        "received_reports": len(counted),
        "hours_to_acknowledge_median": percentile(ack, 0.5),
        "hours_to_acknowledge_p90": percentile(ack, 0.9),
        "hours_to_resolve_median": percentile(res, 0.5),
        "hours_to_resolve_p90": percentile(res, 0.9),
    }


def expected_months(s: Scenario) -> dict[date, dict[str, Any]]:
    out: dict[date, dict[str, Any]] = {}
    for month in sorted({month_of(r.received_at) for r in s.counted()}):
        rows = [r for r in s.counted() if month_of(r.received_at) == month]
        ack = [r.ack_hours for r in rows if r.ack_hours is not None]
        res = [r.resolve_hours for r in rows if r.resolve_hours is not None]
        out[month] = {
            "received": len(rows),
            "acknowledged": len(ack),
            "acknowledged_in_time": sum(1 for h in ack if h <= 72),
            "resolved": len(res),
            "hours_to_acknowledge_median": percentile(ack, 0.5),
            "hours_to_acknowledge_p90": percentile(ack, 0.9),
            "hours_to_resolve_median": percentile(res, 0.5),
            "hours_to_resolve_p90": percentile(res, 0.9),
        }
    return out


def expected_bodies(s: Scenario) -> dict[tuple[int, date], dict[str, Any]]:
    out: dict[tuple[int, date], dict[str, Any]] = {}
    for r in s.counted():
        assert r.provider_id is not None
        key = (r.provider_id, month_of(r.received_at))
        item = out.setdefault(
            key,
            {
                "received": 0,
                "due": 0,
                "answered": 0,
                "answered_in_time": 0,
                "resolved": 0,
                "hours": [],
            },
        )
        item["received"] += 1
        if r.ack_hours is not None or r.received_at + 72 * HOUR < s.now:
            item["due"] += 1
        if r.ack_hours is not None:
            item["answered"] += 1
            item["hours"].append(r.ack_hours)
            item["answered_in_time"] += r.ack_hours <= 72
        item["resolved"] += r.resolve_hours is not None
    for item in out.values():
        item["hours_to_answer_median"] = percentile(item.pop("hours"), 0.5)
    return out


def expected_chlorine() -> dict[str, Any]:
    at_least = sum(1 for v in CHLORINE if v >= 0.5)
    return {
        "systems_sampled": 1,
        "systems_enough_samples": 1,
        "systems_compliant": 0,  # 4 of 5 at or above 0.5 is 80 %, under Art. 66's 90 %
        "chlorine_samples": len(CHLORINE),
        "chlorine_at_least_05": at_least,
        "chlorine_below_03": sum(1 for v in CHLORINE if v < 0.3),
    }
