"""marketplaces, repositories, publications, remote stores and offerings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 11:26:08.081934
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mercato.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_marketplaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("host", sa.String(length=2048), nullable=False),
        sa.Column("api_version", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.String(length=255), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("password", sa.String(length=255), nullable=False),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_marketplaces")),
        sa.UniqueConstraint("host", name=op.f("uq_store_marketplaces_host")),
        sa.UniqueConstraint("name", name=op.f("uq_store_marketplaces_name")),
    )
    op.create_table(
        "store_repositories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("host", sa.String(length=2048), nullable=False),
        sa.Column("api_version", sa.Integer(), nullable=False),
        sa.Column("offering_collection", sa.String(length=255), nullable=False),
        sa.Column("resource_collection", sa.String(length=255), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_repositories")),
        sa.UniqueConstraint("name", name=op.f("uq_store_repositories_name")),
    )
    op.create_table(
        "store_remote_stores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registered_by_id"],
            ["users.id"],
            name=op.f("fk_store_remote_stores_registered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_remote_stores")),
        sa.UniqueConstraint("name", name=op.f("uq_store_remote_stores_name")),
    )
    op.create_table(
        "store_remote_offerings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column(
            "description",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["store_remote_stores.id"],
            name=op.f("fk_store_remote_offerings_store_id_store_remote_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_remote_offerings")),
        sa.UniqueConstraint(
            "store_id", "name", name=op.f("uq_store_remote_offerings_store_id_name")
        ),
    )
    with op.batch_alter_table("store_remote_offerings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_store_remote_offerings_store_id"), ["store_id"], unique=False
        )

    op.create_table(
        "store_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("marketplace_id", sa.Integer(), nullable=False),
        sa.Column("remote_name", sa.String(length=255), nullable=False),
        sa.Column("published_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["store_marketplaces.id"],
            name=op.f("fk_store_publications_marketplace_id_store_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["store_offerings.offer_id"],
            name=op.f("fk_store_publications_offer_id_store_offerings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_publications")),
        sa.UniqueConstraint(
            "offer_id", "marketplace_id", name=op.f("uq_store_publications_offer_id_marketplace_id")
        ),
    )
    with op.batch_alter_table("store_publications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_store_publications_offer_id"), ["offer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("store_publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_store_publications_offer_id"))

    op.drop_table("store_publications")
    with op.batch_alter_table("store_remote_offerings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_store_remote_offerings_store_id"))

    op.drop_table("store_remote_offerings")
    op.drop_table("store_remote_stores")
    op.drop_table("store_repositories")
    op.drop_table("store_marketplaces")
