"""The 12 provincial capitals of La Libertad (IDEP-2016): place names for a map without tiles.

The file writes names in capitals without accents ("SANCHEZ CARRION"); each capital takes the
spelling of its district in the boundaries we load ("Huamachuco", "Bolívar") when the folded
names match, so the map and the search show names as people write them.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from shapely.geometry import Point
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from geodata import catalog
from geodata.database import upsert
from geodata.io.features import read_features
from geodata.models import AdminArea, AreaLevel, Place
from geodata.seed.provenance import register
from geodata.spatial import to_db_geometry

PROVINCIAL_CAPITAL = "provincial_capital"


def load_provincial_capitals(session: Session, shared_dir: Path) -> int:
    spec = catalog.PROVINCIAL_CAPITALS
    path = spec.path(shared_dir)
    dataset, changed = register(session, spec, path)
    if not changed:
        return 0
    province = aliased(AdminArea)
    spelling = session.execute(
        select(
            func.yaku_fold(province.name),
            func.yaku_fold(AdminArea.name),
            province.ubigeo_inei,
            province.name,
            AdminArea.name,
        )
        .join(province, province.id == AdminArea.parent_id)
        .where(AdminArea.level == AreaLevel.DISTRICT)
    ).all()
    districts = {(row[0], row[1]): (row[2], row[3], row[4]) for row in spelling}
    rows = []
    for feature in read_features(path):
        if not isinstance(feature.geometry, Point):
            continue
        props = feature.properties
        capital = str(props.get("CAPITAL") or "").strip()
        key = (_fold(props.get("PROVINCIA")), _fold(props.get("DISTRITO")))
        ubigeo, province_name, district_name = districts.get(key, (None, None, None))
        # The boundaries spell provinces with accents more often than districts (Julcán).
        spelled = [n for n in (province_name, district_name) if n and _fold(n) == _fold(capital)]
        rows.append(
            {
                "code": f"capital-{ubigeo or _fold(capital).replace(' ', '-')}",
                "kind": PROVINCIAL_CAPITAL,
                "name": spelled[0] if spelled else capital.title(),
                "province": province_name,
                "district": district_name,
                "dataset_id": dataset.id,
                "geom": to_db_geometry(feature.geometry),
            }
        )
    upsert(session, Place, rows, key="code")
    dataset.record_count = len(rows)
    session.flush()
    return len(rows)


def _fold(value: object) -> str:
    """Python twin of the database's yaku_fold for the few names of this file."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return " ".join(text.lower().split())
