"""citizen pages: search (pg_trgm, unaccent), near me (KNN on geography), places, messages

Revision ID: 0006_citizen
Revises: 0005_public_description
Create Date: 2027-01-10 09:00:00

- ``pg_trgm`` and ``unaccent`` (both shipped with Debian's postgresql package, both "trusted":
  a database owner may create them).
- ``yaku_fold(text)``: lower case without accents, declared IMMUTABLE so indexes and generated
  columns may use it (``unaccent`` itself is only STABLE because its dictionary could change;
  we use the fixed default one). ``yaku_search_words(name, code, communities)``: the distinct
  folded words of a water system, kept in the generated column ``water_system.search_words``
  (GIN index). Triggers add new words (with a letter: codes' numbers are matched
  exactly) to ``search_word`` (trigram GiST index: nearest words and prefixes), the vocabulary against which ``geodata.search``
  corrects typos (the way PostgreSQL's manual pairs
  pg_trgm with full-text search).
- GiST indexes on ``geom::geography`` for nearest-neighbour search in metres.
- ``place``: provincial capitals (IDEP-2016) for a map without tiles.
- ``*_msg`` JSONB columns: status reasons, rejection reasons, Yaku's notes and the explanation
  of readings as message ids with parameters, rendered in the reader's language.
- SIASAR "water in the dry/rainy season": both "NO" means the survey did not record it (see
  ``geodata.seed.siasar.season_answers``); such rows become unknown.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0006_citizen"
down_revision: str | None = "0005_public_description"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLD = """
CREATE OR REPLACE FUNCTION yaku_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(public.unaccent('public.unaccent'::regdictionary, coalesce(value, '')))
"""
WORDS = """
CREATE OR REPLACE FUNCTION yaku_words(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
    SELECT coalesce(array_agg(DISTINCT w ORDER BY w), '{}')
    FROM regexp_split_to_table(yaku_fold(value), '[^[:alnum:]]+') AS w
    WHERE w <> ''
)
"""
SEARCH_WORDS = """
CREATE OR REPLACE FUNCTION yaku_search_words(name text, code text, communities text[])
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN yaku_words(concat_ws(' ', name, code, array_to_string(communities, ' ')))
"""
# New systems: once per statement (a seed or an import of thousands costs one pass). A change
# of name, code or communities: per row, and only then (status updates never fire it).
COLLECT_WORDS = """
CREATE OR REPLACE FUNCTION yaku_collect_search_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_word (word)
    SELECT DISTINCT w FROM new_rows, unnest(search_words) AS w WHERE w ~ '[[:alpha:]]'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""
COLLECT_RENAMED_WORDS = """
CREATE OR REPLACE FUNCTION yaku_collect_renamed_search_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_word (word)
    SELECT DISTINCT w FROM unnest(NEW.search_words) AS w WHERE w ~ '[[:alpha:]]'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""
MESSAGE_COLUMNS = (
    ("water_system", "status_reason_msg"),
    ("water_source", "status_reason_msg"),
    ("status_change", "reason_msg"),
    ("report", "rejection_reason_msg"),
    ("report_update", "note_msg"),
    ("measurement", "explanation_msg"),
)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute(FOLD)
    op.execute(WORDS)
    op.execute(SEARCH_WORDS)
    op.add_column(
        "water_system",
        sa.Column(
            "search_words",
            postgresql.ARRAY(sa.Text()),
            sa.Computed("yaku_search_words(name, code, communities)", persisted=True),
            nullable=True,
        ),
    )
    op.create_index(
        "ix_water_system_search_words",
        "water_system",
        ["search_words"],
        unique=False,
        postgresql_using="gin",
        postgresql_with={"fastupdate": "off"},
    )
    op.create_table(
        "search_word",
        sa.Column("word", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_search_word")),
    )
    op.create_index(
        "ix_search_word_trigrams",
        "search_word",
        ["word"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={"word": "gist_trgm_ops"},
    )
    op.execute(COLLECT_WORDS)
    op.execute(COLLECT_RENAMED_WORDS)
    op.execute(
        "CREATE TRIGGER water_system_search_words_insert AFTER INSERT ON water_system "
        "REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION yaku_collect_search_words()"
    )
    op.execute(
        "CREATE TRIGGER water_system_search_words_update "
        "AFTER UPDATE OF name, code, communities ON water_system "
        "FOR EACH ROW EXECUTE FUNCTION yaku_collect_renamed_search_words()"
    )
    op.execute(
        "INSERT INTO search_word (word) SELECT DISTINCT w FROM water_system, "
        "unnest(search_words) AS w WHERE w ~ '[[:alpha:]]' ON CONFLICT DO NOTHING"
    )
    for table in ("water_system", "water_source"):
        op.create_index(
            f"ix_{table}_geog",
            table,
            [sa.text("(geom::geography)")],
            unique=False,
            postgresql_using="gist",
        )
    for table, column in MESSAGE_COLUMNS:
        op.add_column(
            table, sa.Column(column, postgresql.JSONB(astext_type=sa.Text()), nullable=True)
        )
    op.create_geospatial_table(
        "place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("province", sa.String(length=120), nullable=True),
        sa.Column("district", sa.String(length=120), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["dataset.id"], name=op.f("fk_place_dataset_id_dataset")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
        sa.UniqueConstraint("code", name=op.f("uq_place_code")),
    )
    op.create_geospatial_index(
        "idx_place_geom",
        "place",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    # SIASAR answered "NO" to both seasons where the question was left blank (308 of 371).
    op.execute(
        "UPDATE water_system SET water_in_dry_season = NULL, water_in_rainy_season = NULL "
        "WHERE water_in_dry_season IS FALSE AND water_in_rainy_season IS FALSE "
        "AND code LIKE 'SIASAR-%'"
    )


def downgrade() -> None:
    op.drop_geospatial_index(
        "idx_place_geom", table_name="place", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("place")
    for table, column in MESSAGE_COLUMNS:
        op.drop_column(table, column)
    for table in ("water_system", "water_source"):
        op.drop_index(f"ix_{table}_geog", table_name=table, postgresql_using="gist")
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS water_system_search_words_{event} ON water_system")
    op.execute("DROP FUNCTION IF EXISTS yaku_collect_search_words()")
    op.execute("DROP FUNCTION IF EXISTS yaku_collect_renamed_search_words()")
    op.drop_index("ix_search_word_trigrams", table_name="search_word", postgresql_using="gist")
    op.drop_table("search_word")
    op.drop_index("ix_water_system_search_words", table_name="water_system", postgresql_using="gin")
    op.drop_column("water_system", "search_words")
    op.execute("DROP FUNCTION IF EXISTS yaku_search_words(text, text, text[])")
    op.execute("DROP FUNCTION IF EXISTS yaku_words(text)")
    op.execute("DROP FUNCTION IF EXISTS yaku_fold(text)")
    # The extensions stay: other databases objects may use them, and they cost nothing.
