"""dashboards: weekly and monthly figures per area and per body (geodata.dashboards)

Revision ID: 0008_dashboards
Revises: 0007_inbound
Create Date: 2027-02-01 09:00:00

Summary tables written only by ``geodata.dashboards.refresh`` (set-based SQL from the status
history, the reports and the monthly compliance), read by the dashboard pages, the OGC
district collection and the downloads. Additive: no existing table changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_dashboards"
down_revision: str | None = "0007_inbound"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLOURS = ("systems", "green", "yellow", "red", "grey")


def _area(table: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "area_id",
        sa.Integer(),
        sa.ForeignKey("admin_area.id", ondelete="CASCADE", name=f"fk_{table}_area_id_admin_area"),
        primary_key=True,
    )


def _ints(*names: str) -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column(n, sa.Integer(), nullable=False) for n in names]


def _floats(*names: str) -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column(n, sa.Float(), nullable=True) for n in names]


TIMES = (
    "hours_to_acknowledge_median",
    "hours_to_acknowledge_p90",
    "hours_to_resolve_median",
    "hours_to_resolve_p90",
)


def upgrade() -> None:
    op.create_table(
        "dashboard_area",
        _area("dashboard_area"),
        *_ints(*COLOURS, "open_reports", "overdue_reports", "received_reports"),
        *_floats(*TIMES),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column(
            "computed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "green + yellow + red + grey = systems", name="ck_dashboard_area_colours_add_up"
        ),
        sa.PrimaryKeyConstraint("area_id", name="pk_dashboard_area"),
    )
    op.create_table(
        "dashboard_colour_week",
        _area("dashboard_colour_week"),
        sa.Column("week", sa.Date(), primary_key=True),
        *_ints(*COLOURS),
        sa.CheckConstraint(
            "green + yellow + red + grey = systems",
            name="ck_dashboard_colour_week_colours_add_up",
        ),
        sa.PrimaryKeyConstraint("area_id", "week", name="pk_dashboard_colour_week"),
    )
    op.create_table(
        "dashboard_report_week",
        _area("dashboard_report_week"),
        sa.Column("week", sa.Date(), primary_key=True),
        sa.Column("category", sa.String(40), primary_key=True),
        *_ints("reports"),
        sa.PrimaryKeyConstraint("area_id", "week", "category", name="pk_dashboard_report_week"),
    )
    op.create_table(
        "dashboard_answer_month",
        _area("dashboard_answer_month"),
        sa.Column("month", sa.Date(), primary_key=True),
        *_ints("received", "acknowledged", "acknowledged_in_time", "resolved"),
        *_floats(*TIMES),
        sa.PrimaryKeyConstraint("area_id", "month", name="pk_dashboard_answer_month"),
    )
    op.create_table(
        "dashboard_compliance_month",
        _area("dashboard_compliance_month"),
        sa.Column("month", sa.Date(), primary_key=True),
        *_ints(
            "systems_sampled",
            "systems_enough_samples",
            "systems_compliant",
            "chlorine_samples",
            "chlorine_at_least_05",
            "chlorine_below_03",
        ),
        sa.PrimaryKeyConstraint("area_id", "month", name="pk_dashboard_compliance_month"),
    )
    op.create_table(
        "dashboard_map_dots",
        _area("dashboard_map_dots"),
        sa.Column("status", sa.String(10), primary_key=True),
        *_ints("cells"),
        sa.Column("path", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("area_id", "status", name="pk_dashboard_map_dots"),
    )
    op.create_table(
        "dashboard_body_month",
        sa.Column(
            "provider_id",
            sa.Integer(),
            sa.ForeignKey(
                "provider.id",
                ondelete="CASCADE",
                name="fk_dashboard_body_month_provider_id_provider",
            ),
            primary_key=True,
        ),
        sa.Column("month", sa.Date(), primary_key=True),
        *_ints("received", "due", "answered", "answered_in_time", "resolved"),
        *_floats("hours_to_answer_median"),
        sa.PrimaryKeyConstraint("provider_id", "month", name="pk_dashboard_body_month"),
    )


def downgrade() -> None:
    for table in (
        "dashboard_body_month",
        "dashboard_map_dots",
        "dashboard_compliance_month",
        "dashboard_answer_month",
        "dashboard_report_week",
        "dashboard_colour_week",
        "dashboard_area",
    ):
        op.drop_table(table)
