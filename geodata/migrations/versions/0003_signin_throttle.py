"""sign-in throttle: how often an identifier or a client address asked for a one-time code

Revision ID: 0003_signin_throttle
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_signin_throttle"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_sign_in_throttle")),
    )
    op.create_index(
        "ix_sign_in_throttle_window_start", "sign_in_throttle", ["window_start"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_sign_in_throttle_window_start", table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
