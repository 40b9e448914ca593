"""revenue sharing: the models of the revenue classes, their stakeholders, the RSS
registration of WStore's admin API and the revenue records of every charge

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 00:19:38.754173
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mercato.db

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _revenue_class() -> sa.Enum:
    return sa.Enum(
        "single-payment",
        "subscription",
        "use",
        name="revenueclass",
        native_enum=False,
        length=32,
    )


def _decimal(name: str) -> sa.Column:
    # ExactDecimal: the Decimal's text.
    return sa.Column(name, sa.String(length=32), nullable=False)


def upgrade() -> None:
    op.create_table(
        "revenue_models",
        sa.Column("revenue_class", _revenue_class(), nullable=False),
        _decimal("percentage"),
        sa.Column("updated_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("revenue_class", name=op.f("pk_revenue_models")),
    )
    op.create_table(
        "rss_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("host", sa.String(length=2048), nullable=False),
        sa.Column("api_version", sa.Integer(), nullable=False),
        sa.Column(
            "limits",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("slot = 1", name=op.f("ck_rss_registrations_one_rss")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rss_registrations")),
        sa.UniqueConstraint("name", name=op.f("uq_rss_registrations_name")),
        sa.UniqueConstraint("slot", name=op.f("uq_rss_registrations_slot")),
    )
    op.create_table(
        "revenue_stakeholders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revenue_class", _revenue_class(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("organisation", sa.String(length=255), nullable=False),
        _decimal("share"),
        sa.CheckConstraint(
            "(CASE WHEN provider_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN user_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN organisation = '' THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_revenue_stakeholders_one_party"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_revenue_stakeholders_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revenue_class"],
            ["revenue_models.revenue_class"],
            name=op.f("fk_revenue_stakeholders_revenue_class_revenue_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_revenue_stakeholders_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_stakeholders")),
    )
    for column in ("provider_id", "revenue_class", "user_id"):
        op.create_index(op.f(f"ix_revenue_stakeholders_{column}"), "revenue_stakeholders", [column])
    op.create_table(
        "revenue_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("revenue_class", _revenue_class(), nullable=False),
        sa.Column("concept", sa.String(length=32), nullable=False),
        sa.Column(
            "party_kind",
            sa.Enum(
                "aggregator",
                "provider",
                "stakeholder",
                name="partykind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("party_provider_id", sa.Integer(), nullable=True),
        sa.Column("party_user_id", sa.Integer(), nullable=True),
        sa.Column("party_name", sa.String(length=255), nullable=False),
        _decimal("percentage"),
        sa.Column("currency", sa.String(length=32), nullable=False),
        _decimal("duty_free"),
        _decimal("tax"),
        _decimal("total"),
        sa.Column("charged_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_revenue_records_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["party_provider_id"],
            ["providers.id"],
            name=op.f("fk_revenue_records_party_provider_id_providers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["party_user_id"],
            ["users.id"],
            name=op.f("fk_revenue_records_party_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_revenue_records_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_records")),
    )
    op.create_index(
        "ix_revenue_records_charged_at_provider", "revenue_records", ["charged_at", "provider_id"]
    )
    op.create_index(op.f("ix_revenue_records_contract_id"), "revenue_records", ["contract_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_revenue_records_contract_id"), table_name="revenue_records")
    op.drop_index("ix_revenue_records_charged_at_provider", table_name="revenue_records")
    op.drop_table("revenue_records")
    for column in ("user_id", "revenue_class", "provider_id"):
        op.drop_index(op.f(f"ix_revenue_stakeholders_{column}"), table_name="revenue_stakeholders")
    op.drop_table("revenue_stakeholders")
    op.drop_table("rss_registrations")
    op.drop_table("revenue_models")
