"""report jobs: reports built in the background, their progress and their CSV

Revision ID: 0032
Revises: 0021
Create Date: 2026-12-08 01:35:00.000000
"""

import sqlalchemy as sa
from alembic import op

import mercato.db

revision = "0032"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("last", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="reportstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("leased_until", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index("ix_report_jobs_due", "report_jobs", ["status", "leased_until"])
    op.create_index(op.f("ix_report_jobs_user_id"), "report_jobs", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_report_jobs_user_id"), table_name="report_jobs")
    op.drop_index("ix_report_jobs_due", table_name="report_jobs")
    op.drop_table("report_jobs")
