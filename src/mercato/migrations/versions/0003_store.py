"""store: assets, offerings, bindings, reviews, provider settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 11:21:19.492615
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mercato.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("Downloadable", "API", name="assetkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("file_key", sa.String(length=512), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("link", sa.String(length=2048), nullable=True),
        sa.Column(
            "meta",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_store_assets_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_assets")),
        sa.UniqueConstraint("provider_id", "name", name=op.f("uq_store_assets_provider_id_name")),
    )
    op.create_table(
        "store_provider_settings",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("notification_url", sa.String(length=2048), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_store_provider_settings_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("provider_id", name=op.f("pk_store_provider_settings")),
    )
    op.create_table(
        "store_offerings",
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("image_key", sa.String(length=512), nullable=True),
        sa.Column(
            "screenshot_keys",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "notification",
            sa.Enum(
                "own", "default", "none", name="notificationtarget", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("notification_url", sa.String(length=2048), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column(
            "legal",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "price_plans",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("description_url", sa.String(length=2048), nullable=False),
        sa.Column("usdl_text", sa.Text(), nullable=False),
        sa.Column("rating", sa.Double(), nullable=False),
        sa.Column("published_at", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offers.id"],
            name=op.f("fk_store_offerings_offer_id_offers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["users.id"],
            name=op.f("fk_store_offerings_owner_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_store_offerings_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_store_offerings")),
        sa.UniqueConstraint(
            "service_id", "version", name=op.f("uq_store_offerings_service_id_version")
        ),
    )
    op.create_table(
        "store_offering_assets",
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["store_assets.id"],
            name=op.f("fk_store_offering_assets_asset_id_store_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["store_offerings.offer_id"],
            name=op.f("fk_store_offering_assets_offer_id_store_offerings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("offer_id", "asset_id", name=op.f("pk_store_offering_assets")),
    )
    op.create_table(
        "store_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reply_user_id", sa.Integer(), nullable=True),
        sa.Column("reply_title", sa.String(length=60), nullable=False),
        sa.Column("reply_text", sa.Text(), nullable=False),
        sa.Column("replied_at", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["store_offerings.offer_id"],
            name=op.f("fk_store_reviews_offer_id_store_offerings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reply_user_id"],
            ["users.id"],
            name=op.f("fk_store_reviews_reply_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_store_reviews_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_reviews")),
        sa.UniqueConstraint("offer_id", "user_id", name=op.f("uq_store_reviews_offer_id_user_id")),
    )
    with op.batch_alter_table("store_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_store_reviews_offer_id"), ["offer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("store_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_store_reviews_offer_id"))

    op.drop_table("store_reviews")
    op.drop_table("store_offering_assets")
    op.drop_table("store_offerings")
    op.drop_table("store_provider_settings")
    op.drop_table("store_assets")
