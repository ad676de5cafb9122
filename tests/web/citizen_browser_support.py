"""Committed data and a slow phone for the citizen browser tests.

The browser talks to a live server in another process, so what it must see is committed here
and put back afterwards. The phone is a 360 px Chromium under slow-3G emulation (Chrome
DevTools Protocol: 400 ms round trip, 400 kbit/s each way), like ``bench/bench_map.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from geodata.messages import Message, render, to_json
from geodata.models import Report, WaterSystem
from geodata.spatial import point

SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
    "connectionType": "cellular3g",
}
STATUS_COLUMNS = (
    "status",
    "status_evidence",
    "status_evidence_at",
    "status_reason",
    "status_reason_msg",
    "status_updated_at",
    "alert_category",
    "alert_since",
)


def slow_3g(context: Any, page: Any) -> Any:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    return cdp


@contextmanager
def committed_colours(
    engine: Engine, colours: dict[str, tuple[str, Message | None, str | None]]
) -> Iterator[None]:
    """Give systems (by code) a status, a reason and maybe an unconfirmed alert; restore after."""
    now = datetime.now(UTC)
    columns = [getattr(WaterSystem, c) for c in STATUS_COLUMNS]
    with Session(engine) as session:
        before = {
            code: session.execute(select(*columns).where(WaterSystem.code == code)).one()
            for code in colours
        }
        for code, (status, reason, alert) in colours.items():
            evidence = {"grey": "none", "red": "official", "green": "official"}.get(
                status, "citizen"
            )
            session.execute(
                update(WaterSystem)
                .where(WaterSystem.code == code)
                .values(
                    status=status,
                    status_evidence=evidence,
                    status_evidence_at=None if status == "grey" else now - timedelta(days=4),
                    status_reason=render(reason, "es") if reason else None,
                    status_reason_msg=to_json(reason),
                    status_updated_at=now,
                    alert_category=alert,
                    alert_since=now - timedelta(hours=3) if alert else None,
                )
            )
        session.commit()
    try:
        yield
    finally:
        with Session(engine) as session:
            for code, row in before.items():
                values = dict(zip(STATUS_COLUMNS, row, strict=True))
                session.execute(
                    update(WaterSystem).where(WaterSystem.code == code).values(**values)
                )
            session.commit()


@contextmanager
def committed_system(
    engine: Engine, code: str, name: str, communities: list[str]
) -> Iterator[None]:
    """A system that is not in the seed (e.g. a community with accents), removed after."""
    with Session(engine) as session:
        near = session.execute(
            select(
                WaterSystem.district_id, func.ST_X(WaterSystem.geom), func.ST_Y(WaterSystem.geom)
            )
            .order_by(WaterSystem.id)
            .limit(1)
        ).one()
        session.add(
            WaterSystem(
                code=code,
                name=name,
                communities=communities,
                district_id=near[0],
                geom=point(near[1] + 0.01, near[2] + 0.01),
            )
        )
        session.commit()
    try:
        yield
    finally:
        with Session(engine) as session:
            session.execute(delete(WaterSystem).where(WaterSystem.code == code))
            session.commit()


def delete_reports(engine: Engine, *conditions: Any) -> None:
    with Session(engine) as session:
        session.execute(delete(Report).where(*conditions))
        session.commit()


def in_viewport(page: Any, selector: str) -> bool:
    return bool(
        page.eval_on_selector(
            selector,
            """e => { const r = e.getBoundingClientRect();
                      return !e.hidden && r.height > 0
                             && r.top >= 0 && r.bottom <= innerHeight; }""",
        )
    )
