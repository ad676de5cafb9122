"""The weeks and months a dashboard shows, in Peru's time (as the compliance months)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from geodata.evidence.compliance import month_of
from geodata.evidence.fields import PERU
from geodata.settings import get_settings


@dataclass(frozen=True, slots=True)
class Window:
    first_week: date  # a Monday
    last_week: date  # the Monday of the current week
    first_month: date
    last_month: date  # the current month

    @property
    def weeks_end(self) -> datetime:
        """The end of the current week: nothing at or after it is counted."""
        return local_midnight(self.last_week + timedelta(days=7))

    @property
    def months_start(self) -> datetime:
        return local_midnight(self.first_month)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=PERU)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def window(now: datetime, weeks: int | None = None, months: int | None = None) -> Window:
    settings = get_settings()
    weeks = weeks or settings.dashboard_weeks
    months = months or settings.dashboard_months
    today = now.astimezone(PERU).date()
    monday = today - timedelta(days=today.weekday())
    current = month_of(now)
    return Window(
        first_week=monday - timedelta(weeks=weeks - 1),
        last_week=monday,
        first_month=add_months(current, -(months - 1)),
        last_month=current,
    )


def weeks_of(win: Window) -> list[date]:
    count = (win.last_week - win.first_week).days // 7 + 1
    return [win.first_week + timedelta(weeks=i) for i in range(count)]


def months_of(win: Window) -> list[date]:
    out, month = [], win.first_month
    while month <= win.last_month:
        out.append(month)
        month = add_months(month, 1)
    return out
