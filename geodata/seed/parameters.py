"""The parameter catalogue: Peru's DS 031-2010-SA limits beside WHO values."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.orm import Session

from geodata import catalog
from geodata.database import upsert
from geodata.models import Parameter
from geodata.seed.provenance import register


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def load_parameters(session: Session, shared_dir: Path) -> int:
    spec = catalog.PARAMETERS
    path = spec.path(shared_dir)
    dataset, changed = register(session, spec, path)
    if not changed:
        return 0
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            {
                "code": row["code"],
                "name_es": row["name_es"],
                "name_en": row["name_en"],
                "unit": row["unit"],
                "peru_min": _number(row["peru_min"]),
                "peru_max": _number(row["peru_max"]),
                "who_value": row["who_value"] or None,
                "field_test": row["field_test"] or None,
                "note": row["note"] or None,
            }
            for row in csv.DictReader(handle)
        ]
    upsert(session, Parameter, rows, key="code")
    dataset.record_count = len(rows)
    session.flush()
    return len(rows)
