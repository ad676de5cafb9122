"""provider desk: accounts, roles, sessions, audit log, templates, answer links, lifecycle columns

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 07:21:20.741761
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("display_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "phone IS NULL OR phone ~ '^\\+[0-9]{8,15}$'", name=op.f("ck_account_phone_e164")
        ),
        sa.CheckConstraint(
            "email IS NULL OR email = lower(email)", name=op.f("ck_account_email_lower_case")
        ),
        sa.CheckConstraint(
            "failed_sign_ins >= 0", name=op.f("ck_account_failed_sign_ins_non_negative")
        ),
        sa.CheckConstraint(
            "num_nonnulls(email, phone) >= 1", name=op.f("ck_account_has_identifier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("email", name=op.f("uq_account_email")),
        sa.UniqueConstraint("phone", name=op.f("uq_account_phone")),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_api_key_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    op.create_index(op.f("ix_api_key_account_id"), "api_key", ["account_id"], unique=False)
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=True),
        sa.Column("subject_id", sa.String(length=60), nullable=True),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_audit_event_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index(op.f("ix_audit_event_account_id"), "audit_event", ["account_id"], unique=False)
    op.create_index("ix_audit_event_action_at", "audit_event", ["action", "at"], unique=False)
    op.create_index(
        "ix_audit_event_subject", "audit_event", ["subject_type", "subject_id"], unique=False
    )
    op.create_table(
        "auth_session",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_auth_session_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_session_token_hash")),
    )
    op.create_index("ix_auth_session_account_id", "auth_session", ["account_id"], unique=False)
    op.create_table(
        "one_time_code",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('sign_in', 'invitation')", name=op.f("ck_one_time_code_purpose_known")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_one_time_code_attempts_non_negative")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_one_time_code_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_code")),
        sa.UniqueConstraint("link_hash", name=op.f("uq_one_time_code_link_hash")),
    )
    op.create_index(
        "ix_one_time_code_account_purpose", "one_time_code", ["account_id", "purpose"], unique=False
    )
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "administrator",
                "moderator",
                "provider_staff",
                "atm_staff",
                "health",
                "analyst",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(role IN ('provider_staff', 'atm_staff')) = (provider_id IS NOT NULL)",
            name=op.f("ck_membership_body_roles_name_a_body"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_membership_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_membership_provider_id_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint(
            "account_id",
            "role",
            "provider_id",
            name="uq_membership_account_role_provider",
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(op.f("ix_membership_provider_id"), "membership", ["provider_id"], unique=False)
    op.create_table(
        "provider_indicator",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("received_reports", sa.Integer(), nullable=False),
        sa.Column("open_reports", sa.Integer(), nullable=False),
        sa.Column("overdue_reports", sa.Integer(), nullable=False),
        sa.Column("acknowledged_in_time", sa.Integer(), nullable=False),
        sa.Column("resolved_reports", sa.Integer(), nullable=False),
        sa.Column("median_hours_to_acknowledge", sa.Float(), nullable=True),
        sa.Column("median_hours_to_resolve", sa.Float(), nullable=True),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "received_reports >= 0 AND open_reports >= 0 AND overdue_reports >= 0 AND acknowledged_in_time >= 0 AND resolved_reports >= 0",
            name=op.f("ck_provider_indicator_counts_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_provider_indicator_provider_id_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("provider_id", name=op.f("pk_provider_indicator")),
    )
    op.create_table(
        "response_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=2), server_default="es", nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "validated",
                "rejected",
                "acknowledged",
                "in_progress",
                "resolved",
                "closed",
                name="response_template_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "language IN ('es', 'en', 'qu')", name=op.f("ck_response_template_language_known")
        ),
        sa.CheckConstraint("length(body) > 0", name=op.f("ck_response_template_body_not_empty")),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_response_template_provider_id_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_template")),
    )
    op.create_index(
        op.f("ix_response_template_provider_id"), "response_template", ["provider_id"], unique=False
    )
    op.create_index(
        "uq_response_template_provider_key",
        "response_template",
        ["provider_id", "key", "language"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.create_table(
        "answer_link",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_for", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_answer_link_provider_id_provider"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_answer_link_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_link")),
    )
    op.create_index(op.f("ix_answer_link_report_id"), "answer_link", ["report_id"], unique=False)
    op.add_column(
        "district_indicator", sa.Column("median_hours_to_resolve", sa.Float(), nullable=True)
    )
    op.add_column(
        "district_indicator",
        sa.Column("overdue_reports", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("provider", sa.Column("contact_whatsapp", sa.String(length=40), nullable=True))
    op.add_column("provider", sa.Column("office_hours", sa.String(length=200), nullable=True))
    op.add_column(
        "provider", sa.Column("contact_updated_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "provider",
        sa.Column("is_district_atm", sa.Boolean(), server_default="false", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_provider_atm_is_a_district_municipality"),
        "provider",
        "NOT is_district_atm OR (kind = 'municipality' AND district_id IS NOT NULL)",
    )
    # The seeded 'Municipalidad ... (ATM)' of each district becomes its ATM by flag, not by name.
    op.execute(
        """
        UPDATE provider SET is_district_atm = true
        WHERE id IN (
            SELECT DISTINCT ON (district_id) id FROM provider
            WHERE kind = 'municipality' AND district_id IS NOT NULL
              AND name LIKE 'Municipalidad % (ATM)'
            ORDER BY district_id, id
        )
        """
    )
    op.create_index(
        "uq_provider_district_atm",
        "provider",
        ["district_id"],
        unique=True,
        postgresql_where=sa.text("is_district_atm"),
    )
    op.add_column("report", sa.Column("network_fingerprint", sa.String(length=64), nullable=True))
    op.add_column("report", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "report", sa.Column("is_urgent", sa.Boolean(), server_default="false", nullable=False)
    )
    op.add_column("report", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("report", sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("report", sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("report", sa.Column("validation_error", sa.Text(), nullable=True))
    op.create_index(
        "ix_report_awaiting_answer",
        "report",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("status = 'validated' AND overdue_at IS NULL"),
    )
    op.add_column("report_update", sa.Column("actor_role", sa.String(length=40), nullable=True))
    op.add_column("report_update", sa.Column("account_id", sa.Integer(), nullable=True))
    op.add_column("report_update", sa.Column("provider_id", sa.Integer(), nullable=True))
    op.add_column(
        "report_update",
        sa.Column("channel", sa.String(length=20), server_default="system", nullable=False),
    )
    op.create_index(
        op.f("ix_report_update_account_id"), "report_update", ["account_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_report_update_account_id_account"),
        "report_update",
        "account",
        ["account_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_report_update_provider_id_provider"),
        "report_update",
        "provider",
        ["provider_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.add_column("water_source", sa.Column("alert_category", sa.String(length=40), nullable=True))
    op.add_column(
        "water_source", sa.Column("alert_since", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("water_system", sa.Column("alert_category", sa.String(length=40), nullable=True))
    op.add_column(
        "water_system", sa.Column("alert_since", sa.DateTime(timezone=True), nullable=True)
    )
    for table in ("water_system", "water_source"):
        op.create_check_constraint(
            op.f(f"ck_{table}_alert_has_date"),
            table,
            "(alert_category IS NULL) = (alert_since IS NULL)",
        )
    op.drop_constraint(op.f("ck_report_update_actor_kind"), "report_update", type_="check")
    op.create_check_constraint(
        op.f("ck_report_update_actor_kind"),
        "report_update",
        "actor_kind IN ('system', 'citizen', 'provider', 'authority', 'moderator')",
    )


def downgrade() -> None:
    op.execute("DELETE FROM report_update WHERE actor_kind = 'moderator'")
    op.drop_constraint(op.f("ck_report_update_actor_kind"), "report_update", type_="check")
    op.create_check_constraint(
        op.f("ck_report_update_actor_kind"),
        "report_update",
        "actor_kind IN ('system', 'citizen', 'provider', 'authority')",
    )
    for table in ("water_system", "water_source"):
        op.drop_constraint(op.f(f"ck_{table}_alert_has_date"), table, type_="check")
    op.drop_column("water_system", "alert_since")
    op.drop_column("water_system", "alert_category")
    op.drop_column("water_source", "alert_since")
    op.drop_column("water_source", "alert_category")
    op.drop_constraint(
        op.f("fk_report_update_provider_id_provider"), "report_update", type_="foreignkey"
    )
    op.drop_constraint(
        op.f("fk_report_update_account_id_account"), "report_update", type_="foreignkey"
    )
    op.drop_index(op.f("ix_report_update_account_id"), table_name="report_update")
    op.drop_column("report_update", "channel")
    op.drop_column("report_update", "provider_id")
    op.drop_column("report_update", "account_id")
    op.drop_column("report_update", "actor_role")
    op.drop_index(
        "ix_report_awaiting_answer",
        table_name="report",
        postgresql_where=sa.text("status = 'validated' AND overdue_at IS NULL"),
    )
    op.drop_column("report", "validation_error")
    op.drop_column("report", "confirmed_at")
    op.drop_column("report", "overdue_at")
    op.drop_column("report", "due_at")
    op.drop_column("report", "is_urgent")
    op.drop_column("report", "closed_at")
    op.drop_column("report", "network_fingerprint")
    op.drop_index(
        "uq_provider_district_atm",
        table_name="provider",
        postgresql_where=sa.text("is_district_atm"),
    )
    op.drop_constraint(
        op.f("ck_provider_atm_is_a_district_municipality"), "provider", type_="check"
    )
    op.drop_column("provider", "is_district_atm")
    op.drop_column("provider", "contact_updated_at")
    op.drop_column("provider", "office_hours")
    op.drop_column("provider", "contact_whatsapp")
    op.drop_column("district_indicator", "overdue_reports")
    op.drop_column("district_indicator", "median_hours_to_resolve")
    op.drop_index(op.f("ix_answer_link_report_id"), table_name="answer_link")
    op.drop_table("answer_link")
    op.drop_index(
        "uq_response_template_provider_key",
        table_name="response_template",
        postgresql_nulls_not_distinct=True,
    )
    op.drop_index(op.f("ix_response_template_provider_id"), table_name="response_template")
    op.drop_table("response_template")
    op.drop_table("provider_indicator")
    op.drop_index(op.f("ix_membership_provider_id"), table_name="membership")
    op.drop_table("membership")
    op.drop_index("ix_one_time_code_account_purpose", table_name="one_time_code")
    op.drop_table("one_time_code")
    op.drop_index("ix_auth_session_account_id", table_name="auth_session")
    op.drop_table("auth_session")
    op.drop_index("ix_audit_event_subject", table_name="audit_event")
    op.drop_index("ix_audit_event_action_at", table_name="audit_event")
    op.drop_index(op.f("ix_audit_event_account_id"), table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_index(op.f("ix_api_key_account_id"), table_name="api_key")
    op.drop_table("api_key")
    op.drop_table("account")
