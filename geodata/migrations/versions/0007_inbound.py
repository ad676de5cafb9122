"""inbound messages: WhatsApp and SMS webhooks, deduplicated; last report noticed per phone

Revision ID: 0007_inbound
Revises: 0006_citizen
Create Date: 2027-02-01 09:00:00

- ``inbound_message``: one row per gateway message, unique on (gateway, message_id) so that a
  retried webhook is processed once; sender, text and payload are private and erasable.
- ``inbound_notice_target``: the last report noticed to a phone, so that a provider's
  numbered reply without a tracking code answers that report.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_inbound"
down_revision: str | None = "0006_citizen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbound_message",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("sender", sa.String(length=20), nullable=True),
        sa.Column("kind", sa.String(length=20), server_default="text", nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.Column("report_id", sa.BigInteger(), nullable=True),
        sa.Column("paired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "gateway IN ('whatsapp', 'twilio', 'flow')",
            name=op.f("ck_inbound_message_gateway_known"),
        ),
        sa.CheckConstraint(
            "kind IN ('text', 'location', 'other')", name=op.f("ck_inbound_message_kind_known")
        ),
        sa.CheckConstraint(
            "(lon IS NULL) = (lat IS NULL)", name=op.f("ck_inbound_message_lon_lat_together")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_inbound_message_report_id_report"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_message")),
    )
    op.create_index(
        "uq_inbound_message_gateway_message_id",
        "inbound_message",
        ["gateway", "message_id"],
        unique=True,
    )
    op.create_index(
        "ix_inbound_message_sender_received_at",
        "inbound_message",
        ["sender", "received_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_inbound_message_report_id"), "inbound_message", ["report_id"], unique=False
    )
    op.create_table(
        "inbound_notice_target",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "noticed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_inbound_notice_target_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_inbound_notice_target")),
    )
    op.create_index(
        op.f("ix_inbound_notice_target_report_id"),
        "inbound_notice_target",
        ["report_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inbound_notice_target_report_id"), table_name="inbound_notice_target")
    op.drop_table("inbound_notice_target")
    op.drop_index(op.f("ix_inbound_message_report_id"), table_name="inbound_message")
    op.drop_index("ix_inbound_message_sender_received_at", table_name="inbound_message")
    op.drop_index("uq_inbound_message_gateway_message_id", table_name="inbound_message")
    op.drop_table("inbound_message")
