"""messaging: delivery ledger, contacts' consent and WhatsApp window, subscriptions, follow-ups

Revision ID: 0009_messaging
Revises: 0008_dashboards
Create Date: 2027-01-20 09:00:00

- ``notify_delivery``: one row per message and recipient, unique on (event_key, recipient);
  pending / sent / failed with the error, attempts, the channel.
- ``notify_contact``: per phone or e-mail, consent (own reports, WhatsApp, SMS) and
  ``last_inbound_at`` (WhatsApp's 24-hour window; the inbound webhooks set it).
- ``notify_subscription``: public subscriptions to a system's or a district's status.
- ``notify_report_notice``: which bodies were told of which report (once each; a report handed
  to another body is sent to it).
- ``notify_followup``: the one "is it fixed?" question per resolved report.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_messaging"
down_revision: str | None = "0008_dashboards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS = ("email", "whatsapp", "sms", "webhook", "log")


def _now() -> sa.TextClause:
    return sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "notify_delivery",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("event_key", sa.String(length=160), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(*CHANNELS, name="notify_channel", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("language", sa.String(length=2), server_default="es", nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                name="notify_delivery_status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sent_via", sa.String(length=20), nullable=True),
        sa.Column("report_id", sa.BigInteger(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column(
            "next_attempt_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.CheckConstraint(
            "status <> 'failed' OR error IS NOT NULL", name="ck_notify_delivery_failure_has_error"
        ),
        sa.CheckConstraint("attempts >= 0", name="ck_notify_delivery_attempts_not_negative"),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name="fk_notify_delivery_report_id_report",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name="fk_notify_delivery_provider_id_provider",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notify_delivery"),
    )
    op.create_index(
        "uq_notify_delivery_event_recipient",
        "notify_delivery",
        ["event_key", "recipient"],
        unique=True,
    )
    op.create_index(
        "ix_notify_delivery_pending",
        "notify_delivery",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_notify_delivery_report_id", "notify_delivery", ["report_id"])
    op.create_index("ix_notify_delivery_provider_id", "notify_delivery", ["provider_id"])

    op.create_table(
        "notify_contact",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("reports_opt_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("whatsapp_opt_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sms_opt_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notify_contact"),
        sa.UniqueConstraint("address", name="uq_notify_contact_address"),
    )

    op.create_table(
        "notify_subscription",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                *CHANNELS,
                name="notify_subscription_channel",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=2), server_default="es", nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.CheckConstraint(
            "(system_id IS NULL) <> (district_id IS NULL)",
            name="ck_notify_subscription_one_system_or_district",
        ),
        sa.CheckConstraint(
            "language IN ('es', 'en', 'qu')", name="ck_notify_subscription_language_known"
        ),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["water_system.id"],
            name="fk_notify_subscription_system_id_water_system",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["admin_area.id"],
            name="fk_notify_subscription_district_id_admin_area",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notify_subscription"),
    )
    op.create_index(
        "uq_notify_subscription_target_address",
        "notify_subscription",
        ["system_id", "district_id", "channel", "address"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.create_index("ix_notify_subscription_system_id", "notify_subscription", ["system_id"])
    op.create_index("ix_notify_subscription_district_id", "notify_subscription", ["district_id"])

    op.create_table(
        "notify_report_notice",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name="fk_notify_report_notice_report_id_report",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name="fk_notify_report_notice_provider_id_provider",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "provider_id", name="pk_notify_report_notice"),
    )

    op.create_table(
        "notify_followup",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name="fk_notify_followup_report_id_report",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name="pk_notify_followup"),
    )


def downgrade() -> None:
    op.drop_table("notify_followup")
    op.drop_table("notify_report_notice")
    op.drop_table("notify_subscription")
    op.drop_table("notify_contact")
    op.drop_table("notify_delivery")
