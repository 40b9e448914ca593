"""contracts (purchases) with their charges and payments; buyers' tax addresses

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:26:16.084267
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mercato.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tax_addresses",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("street", sa.String(length=255), nullable=False),
        sa.Column("postal", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=255), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_tax_addresses_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_tax_addresses")),
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending payment",
                "paid",
                "cancelled",
                name="contractstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("plan_label", sa.String(length=255), nullable=False),
        sa.Column("plan_title", sa.String(length=255), nullable=False),
        sa.Column(
            "components",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=32), nullable=False),
        sa.Column("minor_unit", sa.Integer(), nullable=False),
        sa.Column("tax_rate", sa.String(length=32), nullable=False),
        sa.Column("tax_label", sa.String(length=64), nullable=False),
        sa.Column(
            "tax_address",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "renewal_dates",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("paid_at", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_contracts_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offers.id"],
            name=op.f("fk_contracts_offer_id_offers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_contracts_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("order_id", name=op.f("uq_contracts_order_id")),
        sa.UniqueConstraint("ref", name=op.f("uq_contracts_ref")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contracts_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contracts_offer_id"), ["offer_id"], unique=False)

    op.create_table(
        "contract_charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("concept", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=32), nullable=False),
        sa.Column("duty_free", sa.String(length=32), nullable=False),
        sa.Column("tax", sa.String(length=32), nullable=False),
        sa.Column("total", sa.String(length=32), nullable=False),
        sa.Column(
            "parts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("charged_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_charges_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_charges")),
    )
    with op.batch_alter_table("contract_charges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_charges_contract_id"), ["contract_id"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("gateway", sa.String(length=32), nullable=False),
        sa.Column("gateway_ref", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "settled",
                "due",
                "cancelled",
                "expired",
                name="paymentstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.String(length=32), nullable=False),
        sa.Column(
            "charge",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("settled_at", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_payments_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_status"))
        batch_op.drop_index(batch_op.f("ix_payments_expires_at"))
        batch_op.drop_index(batch_op.f("ix_payments_contract_id"))

    op.drop_table("payments")
    with op.batch_alter_table("contract_charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_charges_contract_id"))

    op.drop_table("contract_charges")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contracts_offer_id"))
        batch_op.drop_index(batch_op.f("ix_contracts_customer_id"))

    op.drop_table("contracts")
    op.drop_table("tax_addresses")
