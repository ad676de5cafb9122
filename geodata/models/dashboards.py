"""Dashboard figures, written only by ``geodata.dashboards.refresh`` (set-based SQL).

One row per area of any level (district, province, the department) and week or month, so a
page reads a few dozen rows whatever the number of systems and reports. Medians and 90th
percentiles cannot be added up from districts, so every level is computed from the rows
themselves. ``dashboard_body_month`` holds how each body (provider, ATM) answered, per month.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models.base import Base, created_at_column


def _area() -> Mapped[int]:
    return mapped_column(ForeignKey("admin_area.id", ondelete="CASCADE"), primary_key=True)


class DashboardArea(Base):
    """The figures of now: colours, open and overdue reports, answer times of the window."""

    __tablename__ = "dashboard_area"
    __table_args__ = (
        CheckConstraint("green + yellow + red + grey = systems", name="colours_add_up"),
    )

    area_id: Mapped[int] = _area()
    systems: Mapped[int]
    green: Mapped[int]
    yellow: Mapped[int]
    red: Mapped[int]
    grey: Mapped[int]
    open_reports: Mapped[int]
    overdue_reports: Mapped[int]
    received_reports: Mapped[int] = mapped_column(doc="Public reports received in the window.")
    hours_to_acknowledge_median: Mapped[float | None] = mapped_column(Float)
    hours_to_acknowledge_p90: Mapped[float | None] = mapped_column(Float)
    hours_to_resolve_median: Mapped[float | None] = mapped_column(Float)
    hours_to_resolve_p90: Mapped[float | None] = mapped_column(Float)
    window_start: Mapped[date] = mapped_column(doc="First day (Peru time) of the window.")
    computed_at: Mapped[datetime] = created_at_column()


class DashboardColourWeek(Base):
    """Systems by colour at the end of each week (Monday to Sunday, Peru time)."""

    __tablename__ = "dashboard_colour_week"
    __table_args__ = (
        CheckConstraint("green + yellow + red + grey = systems", name="colours_add_up"),
    )

    area_id: Mapped[int] = _area()
    week: Mapped[date] = mapped_column(primary_key=True, doc="The Monday of the week.")
    systems: Mapped[int]
    green: Mapped[int]
    yellow: Mapped[int]
    red: Mapped[int]
    grey: Mapped[int]


class DashboardReportWeek(Base):
    """Public reports received per week and category."""

    __tablename__ = "dashboard_report_week"

    area_id: Mapped[int] = _area()
    week: Mapped[date] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    reports: Mapped[int]


class DashboardAnswerMonth(Base):
    """Reports received in a month and how fast they were acknowledged and resolved."""

    __tablename__ = "dashboard_answer_month"

    area_id: Mapped[int] = _area()
    month: Mapped[date] = mapped_column(primary_key=True)
    received: Mapped[int]
    acknowledged: Mapped[int]
    acknowledged_in_time: Mapped[int]
    resolved: Mapped[int]
    hours_to_acknowledge_median: Mapped[float | None] = mapped_column(Float)
    hours_to_acknowledge_p90: Mapped[float | None] = mapped_column(Float)
    hours_to_resolve_median: Mapped[float | None] = mapped_column(Float)
    hours_to_resolve_p90: Mapped[float | None] = mapped_column(Float)


class DashboardComplianceMonth(Base):
    """DS 031-2010-SA Art. 66 per month, summed from ``system_compliance_month``."""

    __tablename__ = "dashboard_compliance_month"

    area_id: Mapped[int] = _area()
    month: Mapped[date] = mapped_column(primary_key=True)
    systems_sampled: Mapped[int]
    systems_enough_samples: Mapped[int]
    systems_compliant: Mapped[int]
    chlorine_samples: Mapped[int]
    chlorine_at_least_05: Mapped[int]
    chlorine_below_03: Mapped[int]


class DashboardMapDots(Base):
    """An area's systems gathered on a grid, one SVG path of dots per colour
    (``geodata.dashboards.areamap``): computed with the figures, so a page never scans the
    systems."""

    __tablename__ = "dashboard_map_dots"

    area_id: Mapped[int] = _area()
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    cells: Mapped[int]
    path: Mapped[str] = mapped_column(Text)


class DashboardBodyMonth(Base):
    """How one body answered the public reports routed to it, by month received."""

    __tablename__ = "dashboard_body_month"

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(primary_key=True)
    received: Mapped[int]
    due: Mapped[int] = mapped_column(doc="Answered, or past their due time unanswered.")
    answered: Mapped[int]
    answered_in_time: Mapped[int]
    resolved: Mapped[int]
    hours_to_answer_median: Mapped[float | None] = mapped_column(Float)
