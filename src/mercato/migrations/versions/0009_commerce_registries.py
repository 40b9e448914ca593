"""commerce registries: currencies, price units, tax rates; WStore's shipped ones seeded

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 18:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# As WStore ships them (store-ge.md §2, store-wire.md §10.1/§10.2), in its order; kept
# here as they were at this revision, whatever the code ships later.
SHIPPED_UNITS = [
    {"name": "invocation", "model": "pay per use", "renewal_days": None},
    {"name": "issue", "model": "pay per use", "renewal_days": None},
    {"name": "single payment", "model": "single payment", "renewal_days": None},
    {"name": "per month", "model": "subscription", "renewal_days": 30},
    {"name": "per week", "model": "subscription", "renewal_days": 7},
    {"name": "per year", "model": "subscription", "renewal_days": 365},
]
SHIPPED_CURRENCIES = [
    {"code": "EUR", "folded_code": "eur", "name": "Euro", "minor_unit": 2, "is_default": True}
]


def upgrade() -> None:
    currencies = op.create_table(
        "currencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("folded_code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("minor_unit", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.CheckConstraint("minor_unit BETWEEN 0 AND 6", name=op.f("ck_currencies_minor_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_currencies")),
        sa.UniqueConstraint("folded_code", name=op.f("uq_currencies_folded_code")),
    )
    op.create_index(
        "uq_currencies_is_default",
        "currencies",
        ["is_default"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )
    units = op.create_table(
        "price_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column(
            "model",
            sa.Enum(
                "single payment",
                "subscription",
                "pay per use",
                name="pricingmodel",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("renewal_days", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "model != 'subscription' OR renewal_days > 0",
            name=op.f("ck_price_units_subscription_has_period"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_units")),
        sa.UniqueConstraint("name", name=op.f("uq_price_units_name")),
    )
    op.create_table(
        "tax_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("rate", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_rates")),
        sa.UniqueConstraint("country", name=op.f("uq_tax_rates_country")),
    )
    op.bulk_insert(units, SHIPPED_UNITS)
    op.bulk_insert(currencies, SHIPPED_CURRENCIES)


def downgrade() -> None:
    op.drop_table("tax_rates")
    op.drop_table("price_units")
    op.drop_table("currencies")
