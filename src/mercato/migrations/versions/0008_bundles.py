"""bundles: offers of one or more services ordered together, fronted by a main offer

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 14:44:10.930782
"""

import sqlalchemy as sa
from alembic import op

import mercato.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bundles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("iid", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "order_type",
            sa.Enum(
                "open_access",
                "fully_open_access",
                "order_required",
                "other",
                name="ordertype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("main_offer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                "unpublished",
                name="bundlestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("helpdesk_url", sa.String(length=2048), nullable=False),
        sa.Column("contact_email", sa.String(length=255), nullable=False),
        sa.Column("related_training", sa.Boolean(), nullable=False),
        sa.Column("related_training_url", sa.String(length=2048), nullable=False),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["main_offer_id"], ["offers.id"], name=op.f("fk_bundles_main_offer_id_offers")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_bundles_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundles")),
        sa.UniqueConstraint("service_id", "iid", name=op.f("uq_bundles_service_id_iid")),
    )
    op.create_index(op.f("ix_bundles_main_offer_id"), "bundles", ["main_offer_id"])

    op.create_table(
        "bundle_categories",
        sa.Column("bundle_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_id"],
            ["bundles.id"],
            name=op.f("fk_bundle_categories_bundle_id_bundles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_bundle_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bundle_id", "category_id", name=op.f("pk_bundle_categories")),
    )
    op.create_table(
        "bundle_offers",
        sa.Column("bundle_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_id"],
            ["bundles.id"],
            name=op.f("fk_bundle_offers_bundle_id_bundles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_bundle_offers_offer_id_offers")
        ),
        sa.PrimaryKeyConstraint("bundle_id", "offer_id", name=op.f("pk_bundle_offers")),
    )
    op.create_index(op.f("ix_bundle_offers_offer_id"), "bundle_offers", ["offer_id"])

    op.create_table(
        "bundle_scientific_domains",
        sa.Column("bundle_id", sa.Integer(), nullable=False),
        sa.Column("scientific_domain_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_id"],
            ["bundles.id"],
            name=op.f("fk_bundle_scientific_domains_bundle_id_bundles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scientific_domain_id"],
            ["scientific_domains.id"],
            name=op.f("fk_bundle_scientific_domains_scientific_domain_id_scientific_domains"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "bundle_id", "scientific_domain_id", name=op.f("pk_bundle_scientific_domains")
        ),
    )


def downgrade() -> None:
    # Indexes go with their tables.
    op.drop_table("bundle_scientific_domains")
    op.drop_table("bundle_offers")
    op.drop_table("bundle_categories")
    op.drop_table("bundles")
