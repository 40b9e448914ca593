"""operators are the default OMS's administrators, not a flag on users

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 12:48:28.049662
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER (SQLite 3.35+), not a batch copy: a copied table would lose
    # the search index's triggers and trip foreign keys pointing at users.
    op.drop_column("users", "is_operator")


def downgrade() -> None:
    op.add_column(
        "users", sa.Column("is_operator", sa.Boolean(), nullable=False, server_default=sa.false())
    )
