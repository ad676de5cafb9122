"""The region dashboard over 100,000 systems and a year of 100,000 reports; prints figures.

    .venv/bin/python -m bench.bench_dashboard [--systems 100000] [--reports 100000] [--runs 50]

Builds (once) ``yaku_bench_dashboard``: the real La Libertad data plus synthetic systems
(``bench.datasets``), each with three changes of colour spread over the last year, and a year
of synthetic reports on them (acknowledged, resolved, overdue in a fixed mix). Then:

* the full refresh of every area's dashboard tables (``geodata.dashboards.refresh``), and the
  incremental one of one district (what follows an aggregation);
* the region dashboard's queries, in process, exactly as ``/tablero`` runs them (the area, its
  figures, its provinces, its map): p50 / p95 over ``--runs`` (target p95 < 200 ms);
* the very same SQL statements, captured from one run with their values, in pgbench (one
  transaction = one page's queries): the database's own time for them;
* the page's weight on first load, compressed as served (HTML, CSS, script, icon).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

DEFAULT_DB = "yaku_bench_dashboard"
TARGET_P95_MS = 200.0
TARGET_PAGE_KB = 150.0

HISTORY = text(
    """
    UPDATE water_system SET created_at = now() - interval '400 days';
    TRUNCATE status_change;
    INSERT INTO status_change (system_id, status, evidence, evidence_at, changed_at)
    SELECT ws.id, (ARRAY['green', 'yellow', 'red', 'grey'])[1 + (ws.id * 7 + k * 3) % 4],
           'official', x.t, x.t
    FROM water_system ws CROSS JOIN generate_series(1, 3) AS k
    CROSS JOIN LATERAL (
        SELECT now() - ((ws.id * 37 + k * 101) % 365) * interval '1 day'
               - (ws.id % 24) * interval '1 hour' AS t
    ) x;
    """
)

REPORTS = text(
    """
    WITH numbered AS (
        SELECT ws.*, row_number() OVER (ORDER BY ws.id) - 1 AS k FROM water_system ws
    ), total AS (SELECT count(*) AS systems FROM water_system)
    INSERT INTO report (tracking_code, content_hash, category, description, language, geom,
        status, system_id, district_id, provider_id, received_at, validated_at,
        acknowledged_at, resolved_at, due_at, is_urgent, updated_at)
    SELECT 'Q' || lpad(to_hex(n), 11, '0'), md5(n::text) || md5(n::text), c.category,
        'synthetic dashboard report', 'es', ws.geom, st.status, ws.id, ws.district_id,
        ws.provider_id, r.received, r.received,
        CASE WHEN st.status IN ('acknowledged', 'in_progress', 'resolved')
             THEN r.received + ((n % 97) + 1) * interval '1 hour' END,
        CASE WHEN st.status = 'resolved'
             THEN r.received + ((n % 311) + 100) * interval '1 hour' END,
        r.received + interval '72 hours', false, r.received
    FROM generate_series(1, :total) AS n
    CROSS JOIN total
    JOIN numbered ws ON ws.k = (n * 7919) % total.systems
    CROSS JOIN LATERAL (SELECT (ARRAY['leak', 'no_water', 'turbid_water', 'other',
        'suspected_contamination', 'intermittent_supply'])[1 + n % 6] AS category) c
    CROSS JOIN LATERAL (SELECT (ARRAY['validated', 'acknowledged', 'in_progress', 'resolved',
        'resolved', 'resolved', 'closed'])[1 + (n / 6) % 7] AS status) st
    CROSS JOIN LATERAL (SELECT now() - (n % 8760) * interval '1 hour' AS received) r
    """
)


def use_database(url: str) -> None:
    """Point this process's settings and engines at the benchmark database."""
    from geodata import database
    from geodata.settings import get_settings

    os.environ["YAKU_DATABASE_URL"] = url
    for cached in (
        get_settings,
        database.get_engine,
        database.get_sessionmaker,
        database.get_read_sessionmaker,
    ):
        cached.cache_clear()


def prepare(name: str, systems: int, reports: int) -> str:
    from bench.datasets import prepare_database

    url = prepare_database(name, systems)
    use_database(url)
    engine = create_engine(url)
    with Session(engine) as session:
        have = session.scalar(
            text("SELECT count(*) FROM report WHERE description = 'synthetic dashboard report'")
        )
        if have != reports:
            started = time.perf_counter()
            session.execute(text("TRUNCATE report CASCADE"))
            session.execute(HISTORY)
            session.execute(REPORTS, {"total": reports})
            session.commit()
            print(f"history and {reports} reports in {time.perf_counter() - started:.1f} s")
    engine.dispose()
    maintenance = create_engine(url, isolation_level="AUTOCOMMIT")
    with maintenance.connect() as conn:
        conn.execute(text("VACUUM ANALYZE report"))
        conn.execute(text("VACUUM ANALYZE status_change"))
    maintenance.dispose()
    return url


def timed(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def region_queries(session: Session) -> Any:
    from geodata.dashboards import figures
    from geodata.dashboards.areamap import area_map
    from geodata.models import AreaLevel

    area = figures.find_area(session, AreaLevel.DEPARTMENT)
    result = figures.area_figures(session, area)
    area_map(session, area.id)
    return result


def captured_sql(url: str) -> list[str]:
    """The statements one region page runs, with their values inlined (psycopg mogrify)."""
    import psycopg

    statements: list[tuple[str, Any]] = []
    engine = create_engine(url)

    @event.listens_for(engine, "before_cursor_execute")
    def _keep(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any) -> None:
        statements.append((statement, params))

    with Session(engine) as session:
        region_queries(session)
    engine.dispose()
    target = make_url(url)
    dsn = (
        f"host={target.host} port={target.port or 5432} user={target.username} "
        f"dbname={target.database}"
    )
    out = []
    with psycopg.connect(dsn) as conn:
        cursor = psycopg.ClientCursor(conn)
        for statement, params in statements:
            out.append(" ".join(cursor.mogrify(statement, params).split()) + ";")
    return out


def pgbench(url: str, statements: list[str], seconds: int) -> str:
    target = make_url(url)
    with tempfile.TemporaryDirectory() as work:
        script = Path(work) / "region.sql"
        script.write_text("\n".join(statements) + "\n")
        output = subprocess.run(
            [
                "pgbench", "-n", "-c", "1", "-T", str(seconds), "-h", target.host or "127.0.0.1",
                "-p", str(target.port or 5432), "-U", target.username or "postgres",
                "-f", str(script), target.database or "",
            ],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    latency = re.search(r"latency average = ([0-9.]+) ms", output)
    return latency.group(1) if latency else "?"


def page_weight() -> tuple[float, dict[str, int]]:
    """Bytes on the wire of /tablero and what it loads, gzip as the service serves it."""
    from fastapi.testclient import TestClient

    from api.main import create_app

    sizes: dict[str, int] = {}
    with TestClient(create_app()) as client:
        page = client.get("/tablero", headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200
        sizes["/tablero"] = page.num_bytes_downloaded
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        for asset in sorted(set(assets)):
            response = client.get(asset, headers={"Accept-Encoding": "gzip"})
            raw = response.num_bytes_downloaded
            if response.headers.get("content-encoding") != "gzip":
                raw = len(gzip.compress(response.content))  # a proxy would compress it
            sizes[asset] = raw
    return sum(sizes.values()) / 1024, sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--systems", type=int, default=100_000)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--database", default=DEFAULT_DB)
    args = parser.parse_args()
    url = prepare(args.database, args.systems, args.reports)

    from geodata.dashboards.refresh import refresh

    engine = create_engine(url)
    with Session(engine) as session:
        systems = session.scalar(text("SELECT count(*) FROM water_system"))
        reports = session.scalar(text("SELECT count(*) FROM report"))
        changes = session.scalar(text("SELECT count(*) FROM status_change"))
        print(f"data: {systems} systems, {changes} status changes, {reports} reports over a year")
        started = time.perf_counter()
        areas = refresh(session)
        session.commit()
        full = time.perf_counter() - started
        district = session.scalar(text("SELECT id FROM admin_area WHERE ubigeo_inei = '130101'"))
        started = time.perf_counter()
        refresh(session, [district])
        session.commit()
        one = time.perf_counter() - started
        print(
            f"full refresh of {len(areas)} areas: {full * 1000:.0f} ms; "
            f"one district (with its province): {one * 1000:.0f} ms",
            flush=True,
        )
        region_queries(session)  # warm
        p50, p95 = timed(args.runs, lambda: region_queries(session))
    engine.dispose()
    statements = captured_sql(url)
    verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
    print(
        f"region dashboard queries in process ({len(statements)} statements): "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 < {TARGET_P95_MS:.0f} ms: {verdict})",
        flush=True,
    )
    latency = pgbench(url, statements, args.pgbench_seconds)
    print(f"the same SQL in pgbench (1 client, one page per transaction): {latency} ms average")
    kb, sizes = page_weight()
    weight = "met" if kb <= TARGET_PAGE_KB else "NOT met"
    detail = ", ".join(f"{k} {v / 1024:.1f} KB" for k, v in sizes.items())
    print(
        f"page weight, first load compressed: {kb:.1f} KB "
        f"(target <= {TARGET_PAGE_KB:.0f} KB: {weight}): {detail}"
    )


if __name__ == "__main__":
    main()
