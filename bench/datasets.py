"""Benchmark databases: the real La Libertad data plus synthetic systems up to a total.

Synthetic systems are random points generated inside the real district polygons (PostGIS
``ST_GeneratePoints`` with a fixed seed, so every run builds the same data), coloured in a fixed
mix and linked to the district municipality. They carry the code prefix ``SYN-``. Their names
and communities are real Peruvian community names (the 6,076 systems of the all-Peru SIASAR
file), with "alto", "bajo" or a sector number, so a search benchmark meets the repetitions and
lengths of real names rather than one synthetic pattern.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

from sqlalchemy import ARRAY, Text, bindparam, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from geodata import migrate
from geodata.models import WaterSystem
from geodata.seed import seed_all
from geodata.settings import get_settings

SYNTHETIC_SQL = text(
    """
    WITH districts AS (
        SELECT d.id, d.geom, row_number() OVER (ORDER BY d.ubigeo_inei) AS k,
               count(*) OVER () AS n_districts
        FROM admin_area d WHERE d.level = 'district'
    ),
    points AS (
        SELECT d.id AS district_id,
               (ST_Dump(ST_GeneratePoints(
                   d.geom, CEIL(CAST(:missing AS float) / d.n_districts)::int, d.k::int
               ))).geom AS geom
        FROM districts d
    ),
    numbered AS (
        SELECT district_id, geom, n,
               (:names)[1 + ((n * 7919) % cardinality(CAST(:names AS text[])))]
               || (ARRAY['', ' ALTO', ' BAJO', ' SECTOR '])[1 + n % 4]
               || CASE WHEN n % 4 = 3 THEN (n % 17 + 1)::text ELSE '' END AS community
        FROM (
            SELECT district_id, geom, row_number() OVER (ORDER BY district_id, ST_X(geom)) AS n
            FROM points
        ) p
    )
    INSERT INTO water_system (
        code, name, system_type, communities, population_served, dwellings_served,
        district_id, provider_id, geom, status, status_evidence, status_evidence_at,
        status_reason, status_updated_at)
    SELECT 'SYN-' || lpad((:offset + n)::text, 7, '0'),
           'Sistema de ' || community,
           'gravity', ARRAY[community],
           50 + (n * 37) % 900, 10 + (n * 11) % 200,
           district_id,
           (SELECT p.id FROM provider p WHERE p.district_id = numbered.district_id
              AND p.kind = 'municipality' ORDER BY p.id LIMIT 1),
           geom,
           (ARRAY['green','yellow','red','grey','yellow','green','red','yellow'])[1 + n % 8],
           CASE WHEN n % 8 = 3 THEN 'none' WHEN n % 2 = 0 THEN 'official' ELSE 'citizen' END,
           CASE WHEN n % 8 = 3 THEN NULL ELSE now() - ((n % 60) || ' days')::interval END,
           CASE WHEN n % 8 = 3 THEN NULL ELSE 'synthetic benchmark evidence' END,
           now()
    FROM numbered
    WHERE n <= :missing
    """
)


def community_names(shared_dir: Path) -> list[str]:
    """Every community name of the all-Peru SIASAR systems, once each, in file order."""
    path = shared_dir / "datasets" / "siasar_peru" / "siasar_pe_water_systems.csv"
    names: dict[str, None] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for name in (row.get("comunidades") or "").split(";"):
                if name.strip():
                    names[name.strip()] = None
    return list(names)


def prepare_database(name: str, total_systems: int) -> str:
    """Create (if needed) database ``name`` with the real data and ``total_systems`` systems."""
    base = make_url(get_settings().sqlalchemy_url)
    url = base.set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        seed_all(session, get_settings().shared_dir)
        session.commit()
        current = session.scalar(select(func.count()).select_from(WaterSystem)) or 0
        if current < total_systems:
            synthetic = (
                session.scalar(select(func.count()).where(WaterSystem.code.like("SYN-%"))) or 0
            )
            session.execute(
                SYNTHETIC_SQL.bindparams(bindparam("names", type_=ARRAY(Text))),
                {
                    "missing": total_systems - current,
                    "offset": synthetic,
                    "names": community_names(get_settings().shared_dir),
                },
            )
            session.commit()
    engine.dispose()
    # VACUUM as well as ANALYZE, as autovacuum would after a while: index pages settled and
    # the visibility map set, so the first benchmark does not measure a table still loading.
    maintenance = create_engine(url, isolation_level="AUTOCOMMIT")
    with maintenance.connect() as conn:
        conn.execute(text("VACUUM ANALYZE water_system"))
        conn.execute(text("VACUUM ANALYZE search_word"))
    maintenance.dispose()
    return url


if __name__ == "__main__":
    started = time.perf_counter()
    target = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    print(prepare_database(sys.argv[1] if len(sys.argv) > 1 else "yaku_bench", target))
    print(f"ready in {time.perf_counter() - started:.1f} s")
