"""signing secrets of OMSes and providers (Standard Webhooks), idempotency keys

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 18:15:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mercato.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows sign nothing: an empty secret keeps their calls as they were.
    with op.batch_alter_table("omses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("signing_secret", sa.String(length=255), nullable=False, server_default="")
        )
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "notification_signing_secret",
                sa.String(length=255),
                nullable=False,
                server_default="",
            )
        )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idempotency_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_idempotency_keys_user_id_key")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_column("notification_signing_secret")
    with op.batch_alter_table("omses", schema=None) as batch_op:
        batch_op.drop_column("signing_secret")
