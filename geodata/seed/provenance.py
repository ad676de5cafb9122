"""Record each loaded dataset once, keyed by name; a changed file is noticed by its checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.catalog import DatasetSpec
from geodata.models import Dataset


class MissingSourceFile(FileNotFoundError):
    pass


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def register(session: Session, spec: DatasetSpec, path: Path) -> tuple[Dataset, bool]:
    """The dataset row for ``spec`` and whether its file differs from what was loaded before."""
    if not path.is_file():
        raise MissingSourceFile(f"{spec.title}: file not found: {path}")
    checksum = file_checksum(path)
    dataset = session.scalars(select(Dataset).where(Dataset.name == spec.name)).one_or_none()
    if dataset is None:
        dataset = Dataset(
            name=spec.name,
            title=spec.title,
            licence=spec.licence,
            attribution=spec.attribution,
            source=spec.relative_path,
            checksum=checksum,
        )
        session.add(dataset)
        session.flush()
        return dataset, True
    if dataset.checksum == checksum:
        return dataset, False
    dataset.checksum = checksum
    dataset.licence = spec.licence
    dataset.attribution = spec.attribution
    return dataset, True
