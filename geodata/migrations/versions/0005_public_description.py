"""report.public_description: the description as published, contacts masked once

Revision ID: 0005_public_description
Revises: 0004_evidence
Create Date: 2026-12-02 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from geodata.opendata.privacy import mask_contacts

revision: str = "0005_public_description"
down_revision: str | None = "0004_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    op.add_column("report", sa.Column("public_description", sa.Text(), nullable=True))
    # Reports already checked get their public text now, with the one masking rule (Python:
    # libphonenumber), in batches; those still 'received' get it when validated.
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT id, description FROM report WHERE id > :last AND status <> 'received' "
                "ORDER BY id LIMIT :batch"
            ),
            {"last": last_id, "batch": BATCH},
        ).all()
        if not rows:
            break
        connection.execute(
            sa.text("UPDATE report SET public_description = :text WHERE id = :id"),
            [{"id": row.id, "text": mask_contacts(row.description or "")} for row in rows],
        )
        last_id = rows[-1].id


def downgrade() -> None:
    op.drop_column("report", "public_description")
