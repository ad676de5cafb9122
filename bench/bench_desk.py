"""The provider desk with a large backlog of reports; prints figures, not a test.

    .venv/bin/python -m bench.bench_desk [--reports 100000] [--runs 30]

Uses its own database (``yaku_bench_desk``, migrated and seeded once; the synthetic reports
are replaced on every run) and measures, in process, on the real queries:

* the desk's list (first page, attention order, duplicates grouped) for a JASS, an ATM and a
  moderator (everything), and with the overdue filter: p50 / p95 in ms;
* one report's detail, and the small map of my systems;
* marking the overdue backlog (reports per second) and the full provider-indicator refresh.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

DEFAULT_DB = "yaku_bench_desk"
TARGET_LIST_P95_MS = 200  # server time of the desk's first page, whatever the backlog

SYNTHETIC_REPORTS = text(
    """
    INSERT INTO report (tracking_code, content_hash, category, description, language, geom,
        status, system_id, district_id, provider_id, reporter_contact, received_at,
        validated_at, acknowledged_at, resolved_at, due_at, is_urgent, updated_at)
    SELECT 'B' || lpad(to_hex(n), 11, '0'), md5(n::text) || md5(n::text), c.category,
        'synthetic report ' || n, 'es', s.geom, st.status, s.id, s.district_id, s.provider_id,
        'bench@example.org', r.received, r.received,
        CASE WHEN st.status IN ('acknowledged', 'in_progress', 'resolved')
             THEN r.received + interval '5 hours' END,
        CASE WHEN st.status = 'resolved' THEN r.received + interval '2 days' END,
        r.received + interval '72 hours', c.category IN ('no_water', 'suspected_contamination'),
        r.received
    FROM generate_series(1, :total) AS n
    JOIN LATERAL (SELECT * FROM water_system ORDER BY id OFFSET (n * 7919) % :systems LIMIT 1)
        s ON true
    CROSS JOIN LATERAL (SELECT (ARRAY['leak', 'no_water', 'turbid_water', 'other',
        'suspected_contamination'])[1 + n % 5] AS category) c
    CROSS JOIN LATERAL (SELECT (ARRAY['validated', 'acknowledged', 'in_progress', 'resolved',
        'resolved', 'resolved'])[1 + (n / 5) % 6] AS status) st
    CROSS JOIN LATERAL (SELECT now() - (n % 2160) * interval '1 hour' AS received) r
    """
)


def prepare(name: str, total: int) -> str:
    from geodata import migrate
    from geodata.models import WaterSystem
    from geodata.seed import seed_all
    from geodata.settings import get_settings

    url = make_url(get_settings().sqlalchemy_url).set(database=name)
    rendered = url.render_as_string(hide_password=False)
    os.environ["YAKU_DATABASE_URL"] = rendered
    migrate.upgrade(rendered)
    engine = create_engine(rendered)
    with Session(engine) as session:
        if not session.scalar(select(func.count()).select_from(WaterSystem)):
            print("seeding the benchmark database (once)...", flush=True)
            seed_all(session, get_settings().shared_dir)
            session.commit()
        session.execute(text("TRUNCATE report, provider_indicator, audit_event CASCADE"))
        systems = session.scalar(select(func.count()).select_from(WaterSystem))
        started = time.perf_counter()
        session.execute(SYNTHETIC_REPORTS, {"total": total, "systems": systems})
        # One report in ten corroborates the one before it at the same system.
        session.execute(
            text(
                "UPDATE report r SET duplicate_of_id = o.id FROM report o "
                "WHERE r.id % 10 = 0 AND o.id = r.id - 1 AND o.system_id = r.system_id"
            )
        )
        session.commit()
        session.execute(text("ANALYZE report"))
        session.commit()
        print(f"{total} synthetic reports in {time.perf_counter() - started:.1f} s", flush=True)
    engine.dispose()
    return rendered


def timed(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database", default=DEFAULT_DB)
    args = parser.parse_args()
    url = prepare(args.database, args.reports)

    from geodata.accounts.scope import Body, Scope
    from geodata.desk import listing
    from geodata.desk.detail import report_detail
    from geodata.desk.overdue import mark_overdue
    from geodata.desk.systems import systems_geojson
    from geodata.models import Provider, Report, Role
    from geodata.reports.indicators import providers_to_refresh, refresh_providers

    engine = create_engine(url)
    with Session(engine) as session:
        busiest = session.execute(
            select(Report.provider_id, Report.district_id, func.count())
            .group_by(Report.provider_id, Report.district_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        jass = session.get_one(Provider, busiest[0])
        atm = session.scalars(
            select(Provider).where(Provider.district_id == busiest[1], Provider.is_district_atm)
        ).one()
        scopes = {
            "JASS": Scope(
                1,
                frozenset({Role.PROVIDER_STAFF}),
                (Body(jass.id, jass.name, Role.PROVIDER_STAFF, jass.district_id),),
                frozenset({jass.id}),
            ),
            "ATM": Scope(
                2,
                frozenset({Role.ATM_STAFF}),
                (Body(atm.id, atm.name, Role.ATM_STAFF, atm.district_id),),
                frozenset({atm.id}),
                frozenset({atm.district_id or 0}),
            ),
            "moderator": Scope(3, frozenset({Role.MODERATOR})),
        }
        print(f"\nreports: {args.reports}; JASS holds {busiest[2]}; runs: {args.runs}")
        print(f"{'query':<38} {'p50 ms':>8} {'p95 ms':>8}")
        worst = 0.0
        for who, scope in scopes.items():
            for label, filters in (
                ("list", listing.Filters()),
                ("overdue", listing.Filters(overdue=True)),
            ):
                p50, p95 = timed(
                    args.runs, lambda s=scope, f=filters: listing.list_reports(session, s, f)
                )
                worst = max(worst, p95)
                print(f"{who + ' ' + label:<38} {p50:8.1f} {p95:8.1f}")
        one = session.scalars(select(Report).where(Report.provider_id == jass.id).limit(1)).one()
        p50, p95 = timed(args.runs, lambda: report_detail(session, scopes["JASS"], one))
        print(f"{'JASS detail':<38} {p50:8.1f} {p95:8.1f}")
        for who in ("ATM", "moderator"):
            p50, p95 = timed(args.runs, lambda w=who: systems_geojson(session, scopes[w]))
            print(f"{who + ' systems map':<38} {p50:8.1f} {p95:8.1f}")
        session.rollback()
        providers = providers_to_refresh(session)
        started = time.perf_counter()
        refresh_providers(session, providers, datetime.now(UTC))
        print(
            f"provider indicators, {len(providers)} bodies: {time.perf_counter() - started:.2f} s"
        )
        started = time.perf_counter()
        marked = 0
        while batch := mark_overdue(session):
            marked += len(batch)
        elapsed = time.perf_counter() - started
        print(f"overdue marked: {marked} in {elapsed:.1f} s ({marked / elapsed:.0f}/s)")
        session.rollback()
        verdict = "ok" if worst <= TARGET_LIST_P95_MS else "over target"
        print(f"worst list p95 {worst:.1f} ms (target {TARGET_LIST_P95_MS} ms): {verdict}")
    engine.dispose()


if __name__ == "__main__":
    main()
