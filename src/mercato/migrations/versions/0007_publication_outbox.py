"""publications are the outbox of marketplace and repository calls, with an attempt log

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import mercato.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STATUS = sa.Enum(
    "pending",
    "published",
    "withdrawn",
    "failed",
    name="publicationstatus",
    native_enum=False,
    length=32,
)


def upgrade() -> None:
    # A batch copy on SQLite (a column becomes nullable); nothing else points at this
    # table and it carries no triggers, so the copy loses nothing. Rows written before
    # were published at once: they stay published.
    with op.batch_alter_table("store_publications", recreate="auto") as batch_op:
        batch_op.alter_column("marketplace_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column(
            "remote_name",
            existing_type=sa.String(length=255),
            type_=sa.String(length=2048),
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("repository_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("is_wanted", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("status", STATUS, nullable=False, server_default="published"))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column(
                "next_attempt_at",
                mercato.db.UTCDateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.add_column(
            sa.Column("leased_until", mercato.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("finished_at", mercato.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=False, server_default=""))
        batch_op.create_foreign_key(
            batch_op.f("fk_store_publications_repository_id_store_repositories"),
            "store_repositories",
            ["repository_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_store_publications_offer_id_repository_id"),
            ["offer_id", "repository_id"],
        )
        batch_op.create_check_constraint(
            "one_target", "(marketplace_id IS NULL) <> (repository_id IS NULL)"
        )
        batch_op.create_index(
            "ix_store_publications_due", ["status", "next_attempt_at"], unique=False
        )
    # The defaults served the rows already there; new rows get theirs from the models.
    with op.batch_alter_table("store_publications", recreate="auto") as batch_op:
        for column in ("is_wanted", "status", "attempts", "next_attempt_at", "error"):
            batch_op.alter_column(column, server_default=None)

    op.create_table(
        "store_publication_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("started_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["store_publications.id"],
            name=op.f("fk_store_publication_attempts_publication_id_store_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_publication_attempts")),
    )
    with op.batch_alter_table("store_publication_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_store_publication_attempts_publication_id"),
            ["publication_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("store_publication_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_store_publication_attempts_publication_id"))
    op.drop_table("store_publication_attempts")
    # Only what was published (on a marketplace) fits the old table.
    op.execute(
        "DELETE FROM store_publications WHERE marketplace_id IS NULL OR status <> 'published'"
    )
    with op.batch_alter_table("store_publications", recreate="auto") as batch_op:
        batch_op.drop_index("ix_store_publications_due")
        batch_op.drop_constraint(op.f("ck_store_publications_one_target"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("uq_store_publications_offer_id_repository_id"), type_="unique"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_store_publications_repository_id_store_repositories"),
            type_="foreignkey",
        )
        for column in (
            "error",
            "finished_at",
            "leased_until",
            "next_attempt_at",
            "attempts",
            "status",
            "is_wanted",
            "repository_id",
        ):
            batch_op.drop_column(column)
        batch_op.alter_column(
            "remote_name",
            existing_type=sa.String(length=2048),
            type_=sa.String(length=255),
            existing_nullable=False,
        )
        batch_op.alter_column("marketplace_id", existing_type=sa.Integer(), nullable=False)
