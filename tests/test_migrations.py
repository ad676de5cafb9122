"""Migrations from empty to head and back, and no drift between models and migrations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from geodata import migrate
from geodata.migrate import include_object
from geodata.models import Base
from tests.conftest import TEST_DATABASE_URL, recreate_database

SCRATCH_URL = (
    make_url(TEST_DATABASE_URL)
    .set(database=f"{make_url(TEST_DATABASE_URL).database}_migrations")
    .render_as_string(hide_password=False)
)


@pytest.fixture
def scratch_database() -> Iterator[str]:
    recreate_database(SCRATCH_URL)
    yield SCRATCH_URL


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"spatial_ref_sys"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(scratch_database: str) -> None:
    migrate.upgrade(scratch_database)
    expected = {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    assert tables(scratch_database) == expected
    migrate.downgrade(scratch_database, "base")
    assert tables(scratch_database) == {"alembic_version"}
    migrate.upgrade(scratch_database)
    assert tables(scratch_database) == expected


def test_models_and_migrations_do_not_drift(scratch_database: str) -> None:
    migrate.upgrade(scratch_database)
    engine = create_engine(scratch_database)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], f"models differ from migrations; run alembic revision --autogenerate: {diff}"
