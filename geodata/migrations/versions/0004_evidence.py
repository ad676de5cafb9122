"""official evidence: reading batches, natural keys of official readings, monthly compliance,
compliance columns of district_indicator

Revision ID: 0004_evidence
Revises: 0003_signin_throttle
Create Date: 2026-12-01 07:54:39.949721
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_evidence"
down_revision: str | None = "0003_signin_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reading_batch",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('round', 'logbook', 'lab_file')", name=op.f("ck_reading_batch_kind_known")
        ),
        sa.CheckConstraint(
            "rows >= 0 AND loaded >= 0",
            name=op.f("ck_reading_batch_counts_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_reading_batch_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["water_system.id"],
            name=op.f("fk_reading_batch_system_id_water_system"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_batch")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_reading_batch_idempotency_key")),
    )
    op.create_index(
        op.f("ix_reading_batch_account_id"), "reading_batch", ["account_id"], unique=False
    )
    op.create_index(
        "ix_reading_batch_content_hash", "reading_batch", ["content_hash"], unique=False
    )
    op.create_table(
        "system_compliance_month",
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("chlorine_samples", sa.Integer(), nullable=False),
        sa.Column("chlorine_at_least_05", sa.Integer(), nullable=False),
        sa.Column("chlorine_below_03", sa.Integer(), nullable=False),
        sa.Column("chlorine_share", sa.Float(), nullable=True),
        sa.Column("chlorine_min", sa.Float(), nullable=True),
        sa.Column("chlorine_rule_met", sa.Boolean(), nullable=True),
        sa.Column("enough_samples", sa.Boolean(), nullable=False),
        sa.Column("bacteriology_samples", sa.Integer(), nullable=False),
        sa.Column("faecal_positive", sa.Integer(), nullable=False),
        sa.Column("total_coliform_positive", sa.Integer(), nullable=False),
        sa.Column("complies", sa.Boolean(), nullable=False),
        sa.Column("operator_samples", sa.Integer(), nullable=False),
        sa.Column("lab_samples", sa.Integer(), nullable=False),
        sa.Column("last_sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "chlorine_at_least_05 + chlorine_below_03 <= chlorine_samples",
            name=op.f("ck_system_compliance_month_chlorine_counts_consistent"),
        ),
        sa.CheckConstraint(
            "faecal_positive <= bacteriology_samples",
            name=op.f("ck_system_compliance_month_faecal_consistent"),
        ),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["water_system.id"],
            name=op.f("fk_system_compliance_month_system_id_water_system"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("system_id", "month", name=op.f("pk_system_compliance_month")),
    )
    op.create_index(
        "ix_system_compliance_month_month", "system_compliance_month", ["month"], unique=False
    )
    op.add_column("district_indicator", sa.Column("compliance_month", sa.Date(), nullable=True))
    op.add_column(
        "district_indicator",
        sa.Column("systems_sampled", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "district_indicator",
        sa.Column("systems_enough_samples", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "district_indicator",
        sa.Column("systems_chlorine_ok", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "district_indicator",
        sa.Column("systems_faecal_detected", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "district_indicator",
        sa.Column("systems_compliant", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "district_indicator",
        sa.Column("chlorine_samples", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "district_indicator",
        sa.Column("systems_stale", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("measurement", sa.Column("batch_id", sa.BigInteger(), nullable=True))
    op.add_column("measurement", sa.Column("record_key", sa.String(length=200), nullable=True))
    op.add_column("measurement", sa.Column("sample_id", sa.String(length=60), nullable=True))
    op.create_index(op.f("ix_measurement_batch_id"), "measurement", ["batch_id"], unique=False)
    op.create_unique_constraint(op.f("uq_measurement_record_key"), "measurement", ["record_key"])
    op.create_foreign_key(
        op.f("fk_measurement_batch_id_reading_batch"),
        "measurement",
        "reading_batch",
        ["batch_id"],
        ["id"],
        ondelete="CASCADE",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_measurement_batch_id_reading_batch"), "measurement", type_="foreignkey"
    )
    op.drop_constraint(op.f("uq_measurement_record_key"), "measurement", type_="unique")
    op.drop_index(op.f("ix_measurement_batch_id"), table_name="measurement")
    op.drop_column("measurement", "sample_id")
    op.drop_column("measurement", "record_key")
    op.drop_column("measurement", "batch_id")
    op.drop_column("district_indicator", "systems_stale")
    op.drop_column("district_indicator", "chlorine_samples")
    op.drop_column("district_indicator", "systems_compliant")
    op.drop_column("district_indicator", "systems_faecal_detected")
    op.drop_column("district_indicator", "systems_chlorine_ok")
    op.drop_column("district_indicator", "systems_enough_samples")
    op.drop_column("district_indicator", "systems_sampled")
    op.drop_column("district_indicator", "compliance_month")
    op.drop_index("ix_system_compliance_month_month", table_name="system_compliance_month")
    op.drop_table("system_compliance_month")
    op.drop_index("ix_reading_batch_content_hash", table_name="reading_batch")
    op.drop_index(op.f("ix_reading_batch_account_id"), table_name="reading_batch")
    op.drop_table("reading_batch")
