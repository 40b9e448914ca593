"""usage: usage records (SDRs, metered batches), expenditure limits, charges a limit stopped

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 00:19:35.461008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mercato.db

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "expenditure_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "period",
            sa.Enum(
                "transaction",
                "day",
                "week",
                "month",
                name="limitperiod",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=32), nullable=False),
        sa.Column("max_amount", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_expenditure_limits_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expenditure_limits")),
        sa.UniqueConstraint("user_id", "period", "currency", name="uq_expenditure_limits_holder"),
    )
    op.create_table(
        "stopped_charges",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("notified_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_stopped_charges_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_stopped_charges")),
    )
    op.create_table(
        "usage_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(length=128), nullable=False),
        sa.Column("unit", sa.String(length=255), nullable=False),
        sa.Column("component_label", sa.String(length=255), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("time_stamp", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("correlation_number", sa.Integer(), nullable=True),
        sa.Column(
            "sdr",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("charged_at", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("charge_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["charge_id"],
            ["contract_charges.id"],
            name=op.f("fk_usage_records_charge_id_contract_charges"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_usage_records_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_records")),
        sa.UniqueConstraint(
            "contract_id", "correlation_number", name="uq_usage_records_correlation"
        ),
        sa.UniqueConstraint("contract_id", "transaction_id", name="uq_usage_records_transaction"),
    )
    with op.batch_alter_table("usage_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_usage_records_pending", ["contract_id", "charged_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("usage_records", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_records_pending")

    op.drop_table("usage_records")
    op.drop_table("stopped_charges")
    op.drop_table("expenditure_limits")
