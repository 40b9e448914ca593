"""purchase notifications to providers: an outbox with an attempt log

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-07 21:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

import mercato.db

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STATUS = sa.Enum(
    "pending", "delivered", "failed", name="deliverystatus", native_enum=False, length=32
)


def upgrade() -> None:
    op.create_table(
        "purchase_notifications",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("leased_until", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_purchase_notifications_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_notifications")),
        sa.UniqueConstraint("reference", name=op.f("uq_purchase_notifications_reference")),
    )
    with op.batch_alter_table("purchase_notifications") as batch_op:
        batch_op.create_index(
            "ix_purchase_notifications_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_purchase_notifications_provider_id"), ["provider_id"], unique=False
        )
    op.create_table(
        "purchase_notification_attempts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("notification_id", BIG_ID, nullable=False),
        sa.Column("started_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["purchase_notifications.id"],
            name=op.f("fk_purchase_notification_attempts_notification_id_purchase_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_notification_attempts")),
    )
    with op.batch_alter_table("purchase_notification_attempts") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_notification_attempts_notification_id"),
            ["notification_id"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("purchase_notification_attempts")
    op.drop_table("purchase_notifications")
