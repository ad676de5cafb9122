"""Load the real La Libertad data from the shared directory, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from geodata.seed.areas import load_areas, load_reference_districts
from geodata.seed.parameters import load_parameters
from geodata.seed.places import load_provincial_capitals
from geodata.seed.providers import ensure_district_municipalities
from geodata.seed.siasar import load_siasar_sources, load_siasar_systems
from geodata.seed.templates import load_response_templates
from geodata.spatial import assign_districts


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{name}: {count}" for name, count in self.counts.items())


def seed_all(session: Session, shared_dir: Path) -> SeedReport:
    """Load boundaries, parameters, municipalities, SIASAR systems and sources, and the
    default response templates and the provincial capitals. Flushes only."""
    report = SeedReport()
    report.counts["areas"] = load_areas(session, shared_dir)
    report.counts["reference districts"] = load_reference_districts(session, shared_dir)
    report.counts["parameters"] = load_parameters(session, shared_dir)
    report.counts["municipalities"] = ensure_district_municipalities(session)
    report.counts["systems"] = load_siasar_systems(session, shared_dir)
    report.counts["sources"] = load_siasar_sources(session, shared_dir)
    report.counts["district links changed"] = assign_districts(session)
    report.counts["response templates"] = load_response_templates(session)
    report.counts["provincial capitals"] = load_provincial_capitals(session, shared_dir)
    return report
